// NHS.UK frontend: mark the page as scripted before components initialise.
// A file, not an inline script, so the Content-Security-Policy can forbid inline code.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
