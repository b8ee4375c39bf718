// What-if on the settlement page: as the score or actual cost changes, ask
// the what-if API (nothing is saved) and show the recomputed statement, and
// move the "What if" point on the retained-share chart. Without JavaScript
// the form submits and the server renders the same result.
(function () {
  "use strict";
  var form = document.getElementById("what-if-form");
  var result = document.getElementById("what-if-result");
  if (!form || !result || !window.fetch) {
    return;
  }
  var pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var timer = null;
  var latest = 0;

  function money(value) {
    if (value === null || value === undefined || value === "") {
      return "";
    }
    return pounds.format(Number(value)).replace("-", "\u2212");
  }

  function plain(value) {
    return String(Number(value));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function cell(heading, text, numeric) {
    var td = element("td", "nhsuk-table__cell" + (numeric ? " nhsuk-table__cell--numeric" : ""));
    td.setAttribute("role", "cell");
    var label = element("span", "nhsuk-table-responsive__heading", heading + " ");
    label.setAttribute("aria-hidden", "true");
    td.appendChild(label);
    td.appendChild(document.createTextNode(text));
    return td;
  }

  function render(data) {
    var card = element("div", "nhsuk-card nhsuk-card--feature");
    var content = element("div", "nhsuk-card__content nhsuk-card__content--feature");
    content.appendChild(
      element(
        "h3",
        "nhsuk-card__heading nhsuk-card__heading--feature nhsuk-heading-m",
        "What if: net transfer " + money(data.net_transfer)
      )
    );
    content.appendChild(
      element(
        "p",
        "",
        "Savings " + money(data.savings) + "; the network keeps " +
          plain(data.network_share_percent) + "% of savings at this score."
      )
    );
    var table = element("table", "nhsuk-table-responsive");
    var caption = element("caption", "nhsuk-table__caption nhsuk-u-visually-hidden",
      "What-if settlement, line by line (not saved)");
    table.appendChild(caption);
    var head = element("thead", "nhsuk-table__head");
    var headRow = element("tr");
    ["Line", "Amount", "Paid to", "Rule and inputs"].forEach(function (name) {
      var th = element("th", name === "Amount" ? "nhsuk-table__header--numeric" : "", name);
      th.setAttribute("scope", "col");
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody", "nhsuk-table__body");
    data.lines.forEach(function (line) {
      var row = element("tr", "nhsuk-table__row");
      row.appendChild(cell("Line", line.label));
      row.appendChild(cell("Amount", money(line.amount), true));
      var to = line.recipient === "network" ? "Network" : line.recipient === "commissioner" ? "Commissioner" : "";
      row.appendChild(cell("Paid to", to));
      var inputs = Object.keys(line.inputs).map(function (name) {
        return name + " = " + line.inputs[name];
      }).join("; ");
      row.appendChild(cell("Rule and inputs", line.rule + " \u2014 " + inputs));
      body.appendChild(row);
    });
    table.appendChild(body);
    content.appendChild(table);
    card.appendChild(content);
    result.replaceChildren(card);
    moveMarker(data);
  }

  function moveMarker(data) {
    var chart = document.getElementById(form.getAttribute("data-chart"));
    if (!chart || !window.Plotly || !chart.getAttribute("data-chart-drawn")) {
      return;
    }
    var has = data.score !== null && data.score !== undefined;
    window.Plotly.restyle(
      chart,
      { x: [has ? [Number(data.score)] : []], y: [has ? [Number(data.network_share_percent)] : []] },
      [2]
    );
  }

  function showError(messages) {
    var box = element("div", "nhsuk-error-summary");
    box.setAttribute("role", "alert");
    box.appendChild(element("h3", "nhsuk-error-summary__title", "There is a problem"));
    var list = element("ul", "nhsuk-list nhsuk-error-summary__list");
    messages.forEach(function (message) {
      list.appendChild(element("li", "", message));
    });
    box.appendChild(list);
    result.replaceChildren(box);
  }

  function recompute() {
    var params = new URLSearchParams({ settlement: form.getAttribute("data-settlement") });
    ["score", "actual_cost"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value !== "") {
        params.set(name, value);
      }
    });
    var ticket = ++latest;
    fetch(form.getAttribute("data-api") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (ticket !== latest) {
          return; // a newer request is on its way
        }
        if (answer.ok) {
          render(answer.body);
        } else {
          var messages = [];
          Object.keys(answer.body).forEach(function (name) {
            [].concat(answer.body[name]).forEach(function (message) {
              messages.push(name.replace("_", " ") + ": " + message);
            });
          });
          showError(messages);
        }
      })
      .catch(function () {
        showError(["The what-if could not be computed. Try again."]);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    recompute();
  });
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(recompute, 300);
  });
})();
