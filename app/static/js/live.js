// Live quizzes: poll the quiz's state by version about twice a second and reload the page when
// it changes (a new question, the answer shown, the end). Players poll the JSON API with their
// seat key; the host polls their own state and sees answers and joins come in. Letters answer
// on a player's phone, Space moves the host on.
(function () {
  "use strict";
  var root = document.querySelector(".live[data-state-url]");
  if (!root) return;
  var url = root.getAttribute("data-state-url");
  var seat = root.getAttribute("data-seat");
  var version = parseInt(root.getAttribute("data-version"), 10);
  var host = root.classList.contains("host");
  var busy = false;

  function poll() {
    if (busy) return;
    busy = true;
    var headers = seat ? { "X-Live-Seat": seat } : {};
    fetch(url + (host ? "" : "?since=" + version), { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) return null;
        if (response.status === 403 || response.status === 404) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (!state) return;
        if (state.version !== version) { window.location.reload(); return; }
        if (host) {
          var answered = document.getElementById("answered");
          if (answered) answered.textContent = String(state.answered);
          var count = document.getElementById("player-count");
          if (count) count.textContent = String(state.players.length);
        }
      })
      .catch(function () { /* a dropped poll is retried on the next tick */ })
      .then(function () { busy = false; });
  }
  setInterval(poll, host ? 1000 : 500);

  var sent = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || sent) return;
    var form = document.getElementById("live-answer");
    if (form && /^[a-j]$/.test(event.key)) {
      var choice = form.querySelector('button[data-key="' + event.key + '"]');
      if (choice) { event.preventDefault(); sent = true; form.requestSubmit(choice); }
    }
    var primary = document.getElementById("host-primary");
    if (primary && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault(); sent = true; primary.form.requestSubmit(primary);
    }
  });
  document.documentElement.setAttribute("data-live", "ready");
})();
