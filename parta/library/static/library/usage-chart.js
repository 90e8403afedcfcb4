// The author's dashboard: views, uses and downloads by day over the last 90 days (parta/charts.js).
window.partaChart("library-chart", "bar", function (data, names) {
  return [
    { label: names.views, data: data.views, backgroundColor: "#9db4f0" },
    { label: names.uses, data: data.uses, backgroundColor: "#1f4fd1" },
    { label: names.downloads, data: data.downloads, backgroundColor: "#8a4b00" }
  ];
}, { x: { stacked: true, ticks: { maxTicksLimit: 10 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } });
