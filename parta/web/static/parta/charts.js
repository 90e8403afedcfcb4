// One way the pages draw a chart (the diary's marks, the library author's usage): the page puts its
// figures in #<name>-data and the series' names in #<name>-labels's data attributes beside a
// #<name> canvas, with the same figures in a table under it for those without JavaScript.
// partaChart(name, type, datasets, scales) draws it once the page is read; labels that are dates
// (YYYY-MM-DD) are shown in the page's language, others (a test's score bins) as they are.
(function () {
  "use strict";
  window.partaChart = function (name, type, datasets, scales) {
    function draw() {
      var canvas = document.getElementById(name);
      var source = document.getElementById(name + "-data");
      var names = document.getElementById(name + "-labels");
      if (!canvas || !source || !names || !window.Chart) { return; }
      var data = JSON.parse(source.textContent);
      var locale = document.documentElement.lang || "ru";
      var labels = data.labels.map(function (label) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(label)) { return label; }
        return new Date(label + "T00:00:00").toLocaleDateString(locale, { day: "numeric", month: "short" });
      });
      new window.Chart(canvas, {
        type: type,
        data: { labels: labels, datasets: datasets(data, names.dataset) },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
          scales: scales,
          plugins: { legend: { position: "bottom" } }
        }
      });
    }
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  };
})();
