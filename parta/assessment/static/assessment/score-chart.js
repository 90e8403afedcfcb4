// A test's statistics: the submitted attempts by scaled score, in bins of 10 % (parta/charts.js).
window.partaChart("score-chart", "bar", function (data, names) {
  return [{ label: names.attempts, data: data.counts, backgroundColor: "#1f4fd1" }];
}, { y: { beginAtZero: true, ticks: { precision: 0 } } });
