// Autosave of the written test: posts the form in the background a moment after each change.
// Without JavaScript the form's own buttons save and submit; nothing here is needed for that.
(function () {
  "use strict";
  var form = document.getElementById("written-test");
  if (!form || form.getAttribute("data-autosave") !== "1" || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    timer = null;
    var data = new FormData(form);
    data.set("action", "save");
    fetch(form.getAttribute("action"), {  // (form.action would be the button named "action")
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (status) { status.textContent = body.message || ""; }
      });
    }).catch(function () {
      if (status) { status.textContent = status.getAttribute("data-offline") || ""; }
    });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    if (status) { status.textContent = status.getAttribute("data-saving") || ""; }
    timer = setTimeout(save, 800);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  // Leaving the page with a change not yet sent: send it now (keepalive lets it outlive the page).
  window.addEventListener("pagehide", function () {
    if (timer) { clearTimeout(timer); save(); }
  });
})();
