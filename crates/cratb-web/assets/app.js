// cratb: the little behaviour pages need, without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // htmx requests carry the CSRF token in a header.
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
  // Forms with data-confirm ask before submitting (disable an account, revoke a token…).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // A "copy" button next to a freshly created token.
  document.addEventListener("click", function (e) {
    var target = e.target.closest && e.target.closest("[data-copy]");
    if (!target) { return; }
    var el = document.getElementById(target.getAttribute("data-copy"));
    if (el && navigator.clipboard) { navigator.clipboard.writeText(el.textContent.trim()); target.textContent = target.getAttribute("data-copied") || "✓"; }
  });
})();
