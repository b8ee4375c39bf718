// Follows a job Concord runs in the background (checking a submission,
// recalculating a contract's scores): polls the JSON at the panel's
// data-status-url every 1.5 seconds, shows its label in the element marked
// data-status-label, and reloads the page once it has finished, so the result
// shows. A file, not an inline script: the Content-Security-Policy forbids
// inline code. Without JavaScript the page has a "Refresh" link.
(function () {
  "use strict";
  var panel = document.querySelector("[data-status-url]");
  if (!panel || panel.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-status-url");
  var label = panel && panel.querySelector("[data-status-label]");
  var interval = 1500;
  var failures = 0;
  var started = Date.now();
  var giveUpAfter = 30 * 60 * 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (data.finished) {
          window.location.reload();
          return;
        }
        if (label && label.textContent.trim() !== data.label) {
          var strong = label.querySelector("strong");
          (strong || label).textContent = data.label;
        }
        schedule();
      })
      .catch(function () {
        failures += 1;
        schedule();
      });
  }

  function schedule() {
    if (Date.now() - started > giveUpAfter || failures > 20) {
      return; // the Refresh link still works
    }
    window.setTimeout(poll, interval * Math.min(1 + failures, 5));
  }

  schedule();
})();
