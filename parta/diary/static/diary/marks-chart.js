// The diary's per-subject chart: the student's weekly average against the class group's.
// Reads the figures the page put in #diary-chart-data (the same as the table under the chart).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("diary-chart");
    var source = document.getElementById("diary-chart-data");
    var names = document.getElementById("diary-chart-labels");
    if (!canvas || !source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || "ru";
    var labels = data.labels.map(function (iso) {
      return new Date(iso + "T00:00:00").toLocaleDateString(locale, { day: "numeric", month: "short" });
    });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: names.dataset.student, data: data.student, borderColor: "#1f4fd1", backgroundColor: "#1f4fd1", spanGaps: true, tension: 0.2 },
          { label: names.dataset.group, data: data.group, borderColor: "#8a4b00", backgroundColor: "#8a4b00", borderDash: [6, 4], spanGaps: true, tension: 0.2 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        scales: { y: { suggestedMin: 1, suggestedMax: 5 } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
