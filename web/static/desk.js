// Progressive enhancement only: every page works without this file.
// 1. Each case field is checked as it is left, with the same loader the server uses.
// 2. Only the home's section that fits the chosen stage (before / after the sale) is shown.
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  if (!form) { return; }

  function showStage() {
    var chosen = form.querySelector("input[name=stage]:checked");
    var stage = chosen ? chosen.value : "before";
    form.querySelectorAll("fieldset[data-stage]").forEach(function (fs) {
      var want = fs.getAttribute("data-stage");
      fs.hidden = want !== "" && want !== stage;
    });
  }
  form.querySelectorAll("input[name=stage]").forEach(function (r) { r.addEventListener("change", showStage); });
  showStage();

  var touched = {};
  function check(name) {
    var body = new FormData(form);
    fetch(form.getAttribute("data-check"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(touched).forEach(function (n) {
          var box = document.getElementById("err-" + n);
          if (!box) { return; }
          var msgs = data.fields[n] || [];
          box.textContent = msgs.join(" / ");
          var wrap = box.closest(".field");
          if (wrap) { wrap.classList.toggle("bad", msgs.length > 0); }
        });
      })
      .catch(function () { /* the server checks again on submit */ });
  }
  form.addEventListener("focusout", function (ev) {
    var el = ev.target;
    if (!el.name || el.type === "hidden" || el.type === "submit") { return; }
    if (el.value === "" && !touched[el.name]) { return; }
    touched[el.name] = true;
    check(el.name);
  });
})();
