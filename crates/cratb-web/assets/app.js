// cratb: the little behaviour pages need, without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // On a narrow screen the navigation and the user menu fold behind the "Menu" button (shown
  // only when this script runs: without it they stay open); Escape folds them again.
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    var root = document.documentElement;
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      root.classList.toggle("menu-open", open);
    };
    root.classList.add("js-menu");
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && root.classList.contains("menu-open")) { setOpen(false); toggle.focus(); }
    });
  }
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
  // A search field that adds what is picked (its first word: a FINESS) to a list field.
  document.addEventListener("change", function (e) {
    var field = e.target;
    var to = field.getAttribute && field.getAttribute("data-append-to");
    var list = to && document.getElementById(to);
    var picked = field.value.trim().split(/\s+/)[0];
    if (!list || !/^[0-9A-F]{9}$/.test(picked)) { return; }
    var items = list.value.split(/[\s,;]+/).filter(function (x) { return x; });
    if (items.indexOf(picked) < 0) { items.push(picked); }
    list.value = items.join(", ");
    field.value = "";
  });
  // File uploads show their progress, then wait for the server's check and answer.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || !window.XMLHttpRequest || !window.FormData) { return; }
    e.preventDefault();
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (status) { status.hidden = false; }
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    // The token goes in a header: the address's copy is only for browsers without scripts.
    xhr.open("POST", form.getAttribute("action").split("?")[0]);
    xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf") || "");
    xhr.upload.addEventListener("progress", function (p) {
      if (bar && p.lengthComputable) { bar.value = Math.round(100 * p.loaded / p.total); }
    });
    xhr.addEventListener("load", function () {
      // The answer is a whole page: put its main part in place of ours.
      var main = new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector("main");
      var here = document.querySelector("main");
      if (main && here) { here.replaceWith(main); window.scrollTo(0, 0); } else { form.submit(); }
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.send(new FormData(form));
  });
  // "Select all": a button (or a box) ticks every box inside the element it names.
  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-select-all]");
    if (!t) { return; }
    var box = document.getElementById(t.getAttribute("data-select-all"));
    if (!box) { return; }
    var on = t.type === "checkbox" ? t.checked : true;
    box.querySelectorAll("input[type=checkbox][name]").forEach(function (c) { c.checked = on; });
  });
  // An audit case is saved as a draft in the background a few seconds after each change (the
  // first save creates it, the later ones rewrite it); the buttons still work without this.
  var caseForm = document.querySelector("form[data-autosave]");
  if (caseForm && window.fetch && window.URLSearchParams && window.FormData) {
    var status = document.getElementById("autosave-status");
    var timer = null;
    var saving = false;
    var again = false;
    var save = function () {
      if (saving) { again = true; return; }
      saving = true;
      var data = new URLSearchParams(new FormData(caseForm));
      data.set("save", "draft");
      fetch(caseForm.getAttribute("action"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": meta ? meta.getAttribute("content") : "", "X-Autosave": "1", "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (res.ok && res.body.url) {
          if (caseForm.getAttribute("action") !== res.body.url) {
            caseForm.setAttribute("action", res.body.url);
            if (window.history && history.replaceState) { history.replaceState(null, "", res.body.url); }
          }
          if (status) { status.textContent = caseForm.getAttribute("data-autosave") + " " + res.body.at; }
        } else if (status && res.body.errors) {
          status.textContent = caseForm.getAttribute("data-autosave-failed") + " " + res.body.errors.join(" ; ");
        }
      }).catch(function () {
        if (status) { status.textContent = caseForm.getAttribute("data-autosave-failed") + " ?"; }
      }).then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    };
    var changed = function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 3000);
    };
    caseForm.addEventListener("input", changed);
    caseForm.addEventListener("change", changed);
    // A button pressed stops the pending background save: the page's own answer follows.
    caseForm.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } });
  }
})();
