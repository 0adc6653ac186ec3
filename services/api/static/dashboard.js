// Charts of the dashboard from the JSON embedded in the page (Chart.js, served locally).
(function () {
  "use strict";
  var s = JSON.parse(document.getElementById("stats-data").textContent);
  var L = JSON.parse(document.getElementById("labels-data").textContent);
  var palette = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#319795"];
  var prioColor = { urgent: "#c53030", high: "#9c4221", normal: "#2b6cb0" };
  function name(map, k) { return map[k] || k; }
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  Chart.defaults.animation = false;
  Chart.defaults.locale = "ru-RU";

  new Chart(document.getElementById("signals"), {
    type: "bar",
    data: {
      labels: s.days.map(function (d) { return d.slice(8, 10) + "." + d.slice(5, 7); }),
      datasets: Object.keys(s.signals_by_agency).map(function (a, i) {
        return { label: name(L.agency, a), data: s.signals_by_agency[a], backgroundColor: palette[i % palette.length] };
      })
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  var prios = ["urgent", "high", "normal"];
  new Chart(document.getElementById("priority"), {
    type: "doughnut",
    data: {
      labels: prios.map(function (p) { return name(L.priority, p); }),
      datasets: [{ data: prios.map(function (p) { return s.open_by_priority[p] || 0; }),
                   backgroundColor: prios.map(function (p) { return prioColor[p]; }) }]
    }
  });
  var statuses = ["new", "acknowledged", "assessment", "conference_scheduled", "support_plan", "monitoring"];
  var intY = { beginAtZero: true, ticks: { precision: 0 } };
  new Chart(document.getElementById("status"), {
    type: "bar",
    data: {
      labels: statuses.map(function (k) { return name(L.status, k); }),
      datasets: [{ label: "случаев", data: statuses.map(function (k) { return s.open_by_status[k] || 0; }),
                   backgroundColor: "#2b6cb0" }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: intY } }
  });
  new Chart(document.getElementById("outcomes"), {
    type: "bar",
    data: {
      labels: L.months,
      datasets: Object.keys(s.outcomes_by_month).map(function (o, i) {
        return { label: name(L.outcome, o), data: s.outcomes_by_month[o], backgroundColor: palette[i % palette.length] };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  var munis = Object.keys(s.open_by_municipality);
  new Chart(document.getElementById("municipalities"), {
    type: "bar",
    data: { labels: munis.map(function (m) { return name(L.municipality, m); }), datasets: [{ label: "открытых случаев",
            data: munis.map(function (m) { return s.open_by_municipality[m]; }), backgroundColor: "#2f855a" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: intY } }
  });
})();
