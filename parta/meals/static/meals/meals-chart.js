// The meals page's chart: what the child spent each day of the month, in roubles (parta/charts.js).
window.partaChart("meals-chart", "bar", function (data, names) {
  return [{ label: names.paid, data: data.paid, backgroundColor: "#1f4fd1", borderRadius: 3 }];
}, { y: { beginAtZero: true } });
