/* The pro-forma editor (supervision/entry_detail.html): after every live score, show the policy reasons the
   score triggers, put each error next to its field, and refresh the sticky summary from the score panel. */
(function () {
  "use strict";
  function describedBy(input, add, id) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (add) { ids.push(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
  }
  function applyLive() {
    var panel = document.getElementById("score-panel");
    if (!panel) { return; }
    var triggers = (panel.getAttribute("data-triggers") || "").split(" ").filter(Boolean);
    var shown = 0;
    document.querySelectorAll("[data-policy]").forEach(function (el) {
      var on = triggers.indexOf(el.getAttribute("data-policy")) >= 0 || el.getAttribute("data-keep") === "1";
      el.hidden = !on;
      if (on && el.closest("#section-reasons")) { shown += 1; }
    });
    var none = document.getElementById("policy-none");
    if (none) { none.hidden = shown > 0; }
    var source = document.getElementById("live-errors");
    if (!source) { return; }
    var errors = JSON.parse(source.textContent || "{}");
    document.querySelectorAll(".cw-live-error").forEach(function (box) {
      var input = document.getElementById(box.getAttribute("data-for"));
      if (input) { input.removeAttribute("aria-invalid"); input.classList.remove("is-invalid"); describedBy(input, false, box.id); }
      box.remove();
    });
    Object.keys(errors).forEach(function (id) {
      var input = document.getElementById(id) || document.getElementById("div_" + id);
      if (!input) { return; }
      var box = document.createElement("div");
      box.className = "invalid-feedback d-block cw-live-error";
      box.id = id + "_live_error";
      box.setAttribute("data-for", input.id);
      box.textContent = errors[id];
      (input.closest("details") || input).insertAdjacentElement("afterend", box);
      input.setAttribute("aria-invalid", "true");
      input.classList.add("is-invalid");
      describedBy(input, true, box.id);
    });
  }
  function followGrade() {
    /* Options only some grades may have (e.g. Swindon's PSW points): hidden for other grades, unless ticked
       (so they can be unticked). The server still judges the grade. */
    var grade = document.getElementById("id_grade");
    var value = grade ? grade.value : "";
    document.querySelectorAll("input[data-grades]").forEach(function (input) {
      var row = input.closest(".form-check") || input;
      row.hidden = !input.checked && input.getAttribute("data-grades").split(" ").indexOf(value) < 0;
    });
  }
  document.body.addEventListener("change", function (evt) {
    if (evt.target.id === "id_grade") { followGrade(); }
    var box = evt.target.closest(".cw-factors");
    var count = box && box.querySelector(".cw-factor-count");
    if (count) { count.textContent = box.querySelectorAll("input[type=checkbox]:checked").length; }
  });
  document.body.addEventListener("htmx:configRequest", function (evt) {
    /* htmx 2 posts a form's request to the formaction of its button last clicked or focused: without this,
       an edit just before "Save and submit" sent the live score to the submit address, submitting by Ajax. */
    if (evt.detail.elt.id === "entry-form") { evt.detail.path = evt.detail.elt.getAttribute("hx-post"); }
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    applyLive();
    var lines = document.getElementById("entry-lines");
    if (lines && lines.getAttribute("data-fresh") === "1") {
      lines.setAttribute("data-fresh", "");
      htmx.trigger("#entry-form", "cw:rescore");
    }
  });
  followGrade();
  applyLive();
  /* A refused save or submit answers the POST with the page and its errors; replacing the history entry
     with the same address makes a reload fetch the page (GET) instead of posting the form again. */
  if (document.getElementById("entry-form") && document.getElementById("entry-form").getAttribute("data-posted") === "1") {
    history.replaceState(null, "", window.location.href);
  }
})();
