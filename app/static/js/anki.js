// The Anki page: show an upload's progress, and that a large import is running.
(function () {
  "use strict";
  var upload = document.querySelector("form.upload");
  if (upload && window.XMLHttpRequest && window.FormData) {
    upload.addEventListener("submit", function (event) {
      var input = upload.querySelector("input[type=file]");
      if (!input || !input.files.length) return; // let the server say what is missing
      event.preventDefault();
      var bar = document.getElementById(upload.dataset.progress);
      var status = document.getElementById("upload-status");
      var request = new XMLHttpRequest();
      request.open("POST", upload.action);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.hidden = false;
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = bar.value < 100 ? "Uploading: " + bar.value + "%" : "Reading the file…";
      });
      request.addEventListener("load", function () {
        document.open();
        document.write(request.responseText);
        document.close();
        if (request.responseURL) history.replaceState(null, "", request.responseURL);
      });
      request.addEventListener("error", function () {
        status.textContent = "The upload failed: check the connection and try again.";
      });
      upload.querySelector("button[type=submit]").disabled = true;
      request.send(new FormData(upload));
    });
  }
  var apply = document.querySelector("form.apply");
  if (apply) {
    apply.addEventListener("submit", function () {
      var bar = apply.querySelector("progress");
      bar.hidden = false;
      var button = apply.querySelector("button[type=submit]");
      button.textContent = apply.dataset.busy;
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }
})();
