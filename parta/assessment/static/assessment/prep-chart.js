// Exam preparation, a student's progress: per subject, each test's scores over its attempts, in %
// (parta/charts.js). Every canvas marked data-prep-chart has its figures in #<id>-data:
// {labels: attempt numbers, series: [{label: the test, scores: [...]}]}.
(function () {
  "use strict";
  // Dark enough to read on white, and told apart by their dash too.
  var colours = ["#1f4fd1", "#8a4b00", "#1b6e3a", "#a4262c", "#6b3fa0", "#00616b"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  document.querySelectorAll("canvas[data-prep-chart]").forEach(function (canvas) {
    var names = document.getElementById(canvas.id + "-labels");
    if (!names) { return; }
    window.partaChart(canvas.id, "line", function (data) {
      return data.series.map(function (series, index) {
        var colour = colours[index % colours.length];
        return {
          label: series.label,
          data: series.scores,
          borderColor: colour,
          backgroundColor: colour,
          borderDash: dashes[index % dashes.length],
          tension: 0.2,
          spanGaps: true,
          clip: false // a score of 100 % keeps its whole dot on the top edge
        };
      });
    }, {
      x: { title: { display: true, text: names.dataset.attempt } },
      y: { min: 0, max: 100, title: { display: true, text: names.dataset.score } }
    });
  });
})();
