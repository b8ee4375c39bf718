// Draws every Plotly chart on the page from the JSON figure the server put
// beside it (<div data-chart="ID-data"> + <script type="application/json" id="ID-data">).
// The figure's text alternative and data table are in the page already, so
// without JavaScript nothing is lost but the picture.
//
// Charts take their container's width (responsive) and fit a phone: a title
// too long for the width is wrapped onto more lines, and where the labels
// outside horizontal bars would run past the edge the value axis is
// lengthened so they fit. Both are worked out again when the window resizes.
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") {
    return;
  }
  var Plotly = window.Plotly;
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };
  var measure = document.createElement("canvas").getContext("2d");

  function textWidth(text, font) {
    measure.font = font;
    return measure.measureText(text).width;
  }

  // The title with line breaks so that no line is wider than `width` px.
  function wrapTitle(text, layout, width) {
    var family = (layout.title.font && layout.title.font.family) || (layout.font && layout.font.family) || "sans-serif";
    var size = (layout.title.font && layout.title.font.size) || 17;
    var font = size + "px " + family;
    if (!text || text.indexOf("<br>") !== -1 || textWidth(text, font) <= width) {
      return text;
    }
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      var next = line ? line + " " + word : word;
      if (line && textWidth(next, font) > width) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    lines.push(line);
    return lines.join("<br>");
  }

  // The end of the value axis at which every label outside a horizontal bar
  // ends inside the chart (never more than 4 times the axis the server
  // chose); null when they all fit already.
  function barAxisEnd(element, chosen) {
    var axis = element._fullLayout && element._fullLayout.xaxis;
    if (!axis || !(axis._length > 0)) {
      return null;
    }
    var range = element.layout.xaxis.range;
    var limit = chosen[0] + 4 * (chosen[1] - chosen[0]);
    var box = element.getBoundingClientRect();
    var right = box.right - 4;
    var plotLeft = box.left + axis._offset;
    var width = axis._length;
    var end = range[1];
    element.querySelectorAll(".barlayer .point").forEach(function (point) {
      var label = point.querySelector(".bartext-outside");
      var datum = point.__data__;
      if (!label || !datum || typeof datum.s !== "number") {
        return;
      }
      var text = label.getBoundingClientRect();
      if (text.right <= right) {
        return;
      }
      var barEnd = plotLeft + ((datum.s - range[0]) / (range[1] - range[0])) * width;
      var room = right - plotLeft - (text.left - barEnd) - text.width;
      var needed = room > 0 ? range[0] + ((datum.s - range[0]) * width) / room : limit;
      end = Math.max(end, Math.min(needed, limit));
    });
    return end > range[1] ? end : null;
  }

  // The figure's layout fitted to the element's width.
  function fittedLayout(element, layout) {
    var fitted = JSON.parse(JSON.stringify(layout));
    if (fitted.title && fitted.title.text) {
      fitted.title.text = wrapTitle(layout.title.text, layout, element.clientWidth - 16);
    }
    return fitted;
  }

  // Lengthening the axis can move the plot's edges, so measure again after.
  function fitBars(element, layout, tries) {
    var chosen = layout.xaxis && layout.xaxis.range;
    var end = chosen && tries > 0 ? barAxisEnd(element, chosen) : null;
    if (end === null) {
      return Promise.resolve();
    }
    return Plotly.relayout(element, { "xaxis.range": [chosen[0], end] }).then(function () {
      return fitBars(element, layout, tries - 1);
    });
  }

  function titleText(layout) {
    return layout && layout.title ? layout.title.text : undefined;
  }

  // Drawn again on a resize with the data as it is now (another script may
  // have restyled it), but the layout from the figure, fitted afresh. A title
  // wrapped differently needs a new plot: plotly.js does not make room for
  // the extra line when it only updates one.
  function draw(element, figure) {
    var data = element.data || JSON.parse(JSON.stringify(figure.data));
    var layout = fittedLayout(element, figure.layout);
    var plot = titleText(element.layout) === titleText(layout) ? Plotly.react : Plotly.newPlot;
    return plot(element, data, layout, config).then(function () {
      return fitBars(element, figure.layout, 3);
    });
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    charts.push({ element: element, figure: figure });
    draw(element, figure).then(function () {
      element.setAttribute("data-chart-drawn", "true");
    });
  });

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      charts.forEach(function (chart) {
        if (chart.element.getAttribute("data-chart-drawn")) {
          // After plotly.js's own resize, so that the two do not draw at once.
          Plotly.Plots.resize(chart.element).then(function () {
            return draw(chart.element, chart.figure);
          });
        }
      });
    }, 200);
  });
})();
