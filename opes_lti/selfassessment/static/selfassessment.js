// Saves each answer as the learner picks it, so closing the frame loses nothing; the
// form still works without this script (each screen is posted by its buttons).
(function () {
  "use strict";
  var catalog = JSON.parse(document.getElementById("sa-i18n").textContent);
  function say(key, values) {
    return catalog[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  var print = document.getElementById("sa-print");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
  var form = document.getElementById("sa-form");
  if (!form) { return; }
  var status = document.getElementById("sa-progress-text");
  var bar = document.getElementById("sa-bar");
  // One save at a time, in the order chosen: arrow keys fire a change per step, and
  // the last choice must be the one kept.
  var queue = Promise.resolve();
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio" || input.name.indexOf("level-") !== 0) { return; }
    var answers = {};
    answers[input.name.slice(6)] = Number(input.value);
    status.textContent = say("saving", {});
    queue = queue.then(function () { return send(answers); });
  });
  function send(answers) {
    return fetch(form.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: form.elements.token.value, answers: answers })
    }).then(function (response) {
      if (response.status === 403) { throw new Error("expired"); }
      if (!response.ok) { throw new Error("failed"); }
      return response.json();
    }).then(function (data) {
      bar.value = data.answered;
      status.textContent = say("saved", data);
    }).catch(function (error) {
      status.textContent = say(error.message === "expired" ? "expired" : "failed", {});
    });
  }
}());
