// Keyboard-first review. The pages work without this script (plain forms and links); it only
// adds keys: Space reveals or checks, a-j pick a choice, 1-4 rate, u undoes the last answer,
// - buries and @ suspends the card, ? shows the keys, Escape leaves a text box.
(function () {
  "use strict";
  var section = document.querySelector(".review");
  var mode = section ? section.getAttribute("data-mode") : "done";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" && t.type === "text" || t.tagName === "TEXTAREA");
  }

  function submitOnce(form, button) {
    if (!form || form.dataset.sent) return;
    form.dataset.sent = "1";
    if (button && form.requestSubmit) form.requestSubmit(button);
    else {
      if (button) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
        form.appendChild(hidden);
      }
      form.submit();
    }
  }

  // The rating buttons, and after a typed answer judged wrong, the "I was right" ones (2-4).
  function ratingButton(key) {
    var forms = ["rating-form", "overrule-form"];
    for (var i = 0; i < forms.length; i++) {
      var form = document.getElementById(forms[i]);
      if (!form || form.closest("[hidden]")) continue;
      var button = key === "default"
        ? form.querySelector("button[data-default]")
        : form.querySelector('button[data-key="' + key + '"]');
      if (button) return button;
    }
    return null;
  }

  function reveal() {
    var answer = document.getElementById("answer");
    var wrap = document.getElementById("reveal-wrap");
    if (!answer || !answer.hidden) return false;
    answer.hidden = false;
    if (wrap) wrap.hidden = true;
    var preferred = ratingButton("default");
    if (preferred) preferred.focus();
    return true;
  }

  var revealLink = document.getElementById("reveal");
  if (revealLink) {
    revealLink.addEventListener("click", function (event) {
      if (reveal()) event.preventDefault();
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button").forEach(function (b) { b.classList.add("busy"); });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var key = event.key;
    if (key === "-" || key === "@") {
      var action = document.getElementById(key === "-" ? "bury-form" : "suspend-form");
      if (action) { event.preventDefault(); submitOnce(action); }
      return;
    }
    if (key === "?") {
      var help = document.getElementById("keys-help");
      if (help) { event.preventDefault(); help.open = !help.open; }
      return;
    }
    if (key === "u") {
      var undo = document.getElementById("undo-form") || document.getElementById("undo-last");
      if (undo && undo.tagName !== "FORM") undo = undo.form;
      if (undo) { event.preventDefault(); submitOnce(undo); }
      return;
    }
    if (mode === "choice" && /^[a-j]$/.test(key)) {
      var label = document.querySelector('label.choice[data-key="' + key + '"] input');
      if (label) { event.preventDefault(); label.checked = true; label.focus(); }
      return;
    }
    if (key === " " || key === "Spacebar") {
      if (mode === "choice") {
        var form = document.getElementById("check-form");
        if (form && form.querySelector("input[name=response]:checked")) {
          event.preventDefault(); submitOnce(form);
        }
        return;
      }
      if (mode === "recall" && reveal()) { event.preventDefault(); return; }
      var preferred = ratingButton("default");
      if (preferred) { event.preventDefault(); submitOnce(preferred.form, preferred); }
      return;
    }
    if (/^[1-4]$/.test(key)) {
      var button = ratingButton(key);
      if (button) { event.preventDefault(); submitOnce(button.form, button); }
    }
  });
  document.documentElement.setAttribute("data-keys", "ready");  // the keys above now work
})();
