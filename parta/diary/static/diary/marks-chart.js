// The diary's per-subject chart: the student's weekly average against the class group's (parta/charts.js).
window.partaChart("diary-chart", "line", function (data, names) {
  return [
    { label: names.student, data: data.student, borderColor: "#1f4fd1", backgroundColor: "#1f4fd1", spanGaps: true, tension: 0.2 },
    { label: names.group, data: data.group, borderColor: "#8a4b00", backgroundColor: "#8a4b00", borderDash: [6, 4], spanGaps: true, tension: 0.2 }
  ];
}, { y: { suggestedMin: 1, suggestedMax: 5 } });
