// Interview prep: timers that count down from the server's figure, and the keys of rapid-fire
// rounds (a-j answers at once) and mock interviews (Space to score, 1-9 tick points, Enter
// scores). The pages work without this script; the server's clock decides in every case.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" && t.type === "text" || t.tagName === "TEXTAREA");
  }

  function show(timer, left) {
    var whole = Math.max(0, Math.ceil(left));
    if (timer.classList.contains("big")) { timer.textContent = String(whole); return; }
    var seconds = whole % 60;
    timer.textContent = Math.floor(whole / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  document.querySelectorAll(".timer[data-seconds]").forEach(function (timer) {
    var total = parseFloat(timer.getAttribute("data-seconds"));
    var started = performance.now();
    var expire = timer.getAttribute("data-expire-href");
    var tick = setInterval(function () {
      var left = total - (performance.now() - started) / 1000;
      show(timer, left);
      if (left <= 10) timer.classList.add("ending");
      if (left <= 0) {
        clearInterval(tick);
        timer.classList.add("over");
        if (expire) window.location.href = expire;
      }
    }, 200);
  });

  var sent = false;
  function send(form, button) {
    if (sent || !form) return;
    sent = true;
    if (button && form.requestSubmit) form.requestSubmit(button);
    else form.submit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var key = event.key;
    var rapid = document.getElementById("rapid-form");
    if (rapid && /^[a-j]$/.test(key)) {
      var choice = rapid.querySelector('button[data-key="' + key + '"]');
      if (choice) { event.preventDefault(); send(rapid, choice); }
      return;
    }
    var toRubric = document.getElementById("to-rubric");
    if (toRubric && (key === " " || key === "Spacebar")) {
      event.preventDefault();
      window.location.href = toRubric.href;
      return;
    }
    var rubric = document.getElementById("rubric-form");
    if (rubric) {
      if (/^[1-9]$/.test(key)) {
        var box = rubric.querySelector('label[data-key="' + key + '"] input');
        if (box) { event.preventDefault(); box.checked = !box.checked; box.focus(); }
      } else if (key === "Enter") {
        event.preventDefault();
        send(rubric);
      }
    }
  });
  document.documentElement.setAttribute("data-keys", "ready");  // the keys above now work
})();
