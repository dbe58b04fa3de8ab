/* Dashboard trend charts (Chart.js, vendored). Each <canvas class="cw-trend-chart" data-chart="ID"> reads the
   JSON in <script id="ID"> ({labels, values, target, label}); the table beside it holds the same numbers and is
   the real content: the chart is a picture of it (role="img"). Missing months (null) leave a gap. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  document.querySelectorAll("canvas.cw-trend-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var datasets = [{
      label: data.label, data: data.values, borderColor: "#1d4f6e", backgroundColor: "#1d4f6e",
      pointRadius: 3, spanGaps: false, tension: 0
    }];
    if (data.target !== null && data.target !== undefined) {
      datasets.push({
        label: "Target", data: data.labels.map(function () { return data.target; }), borderColor: "#8a1c13",
        borderDash: [6, 4], pointRadius: 0, fill: false
      });
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        // no animation: the picture is of the table's numbers, and it is the same every time it is drawn
        animation: false, maintainAspectRatio: false, responsive: true,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true } }
      }
    });
  });
})();
