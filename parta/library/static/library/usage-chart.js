// The author's dashboard: views and uses by day over the last 90 days.
// Reads the figures the page put in #library-chart-data (the same as the table under the chart).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("library-chart");
    var source = document.getElementById("library-chart-data");
    var names = document.getElementById("library-chart-labels");
    if (!canvas || !source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || "ru";
    var labels = data.labels.map(function (iso) {
      return new Date(iso + "T00:00:00").toLocaleDateString(locale, { day: "numeric", month: "short" });
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { label: names.dataset.views, data: data.views, backgroundColor: "#9db4f0" },
          { label: names.dataset.uses, data: data.uses, backgroundColor: "#1f4fd1" },
          { label: names.dataset.downloads, data: data.downloads, backgroundColor: "#8a4b00" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        scales: { x: { stacked: true, ticks: { maxTicksLimit: 10 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
