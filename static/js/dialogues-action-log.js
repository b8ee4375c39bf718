// The quick action log on the meeting page, for typing actions in a meeting:
// after an action is logged the page returns to the form with the cursor in
// the title, and Ctrl+Enter (Cmd+Enter on a Mac) logs it from any field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-action-log]");
  if (!form) {
    return;
  }
  var title = form.querySelector("input[name='title']");
  // After a successful log (no error summary, which takes the focus itself);
  // on "load", so the NHS.UK components have finished setting up the page.
  if (title && window.location.hash === "#log-action" && !document.querySelector(".nhsuk-error-summary")) {
    window.addEventListener("load", function () {
      title.focus();
    });
  }
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
