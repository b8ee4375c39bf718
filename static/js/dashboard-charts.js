// Draws every Plotly chart on the page from the JSON figure the server put
// beside it (<div data-chart="ID-data"> + <script type="application/json" id="ID-data">).
// The figure's text alternative and data table are in the page already, so
// without JavaScript nothing is lost but the picture.
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") {
    return;
  }
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      element.setAttribute("data-chart-drawn", "true");
    });
  });
})();
