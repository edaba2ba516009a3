/* The self-assessment in the LMS: one screen at a time, each answer saved as it is
   chosen, the result drawn by the server. Every text comes from the block's catalog. */
function OpesSelfAssessment(runtime, element, init) {
  "use strict";
  var root = element.querySelector ? element : element[0];
  var t = init.strings;
  var screens = root.querySelectorAll(".sa-screen");
  var status = root.querySelector(".sa-status");
  var error = root.querySelector(".sa-questions .sa-error");
  var bar = root.querySelector(".sa-progress progress");
  var progressText = root.querySelector(".sa-progress-text");
  var current = init.resume;
  var answered = init.answered;

  function say(key, values) {
    return t[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function post(handler, body) { return OpesHandlers.post(runtime, root, handler, body); }
  function showProgress() {
    if (bar) { bar.value = answered; }
    if (progressText) {
      progressText.textContent = say("progress", {
        screen: current + 1, screens: init.screens, answered: answered, total: init.total
      });
    }
  }
  function show(index) {
    current = Math.max(0, Math.min(index, screens.length - 1));
    screens.forEach(function (screen, i) { screen.hidden = i !== current; });
    showProgress();
    var legend = screens[current] && screens[current].querySelector("legend");
    if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
  }
  function fail(message) { error.textContent = message; error.hidden = false; }

  // One save at a time, in the order chosen: arrow keys fire a change per step, and
  // the last choice must be the one kept.
  var queue = Promise.resolve();
  root.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.dataset || !input.dataset.code) { return; }
    var answers = {};
    answers[input.dataset.code] = Number(input.value);
    status.textContent = say("saving", {});
    queue = queue.then(function () {
      return post("save_answers", { answers: answers }).then(function (data) {
        answered = data.answered;
        error.hidden = true;
        status.textContent = say("saved", data);
        showProgress();
      }).catch(function () { status.textContent = say("failed", {}); });
    });
  });
  root.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button, a") : event.target;
    if (!target) { return; }
    if (target.classList.contains("sa-next")) { show(current + 1); }
    if (target.classList.contains("sa-prev")) { show(current - 1); }
    if (target.classList.contains("sa-print")) { window.print(); }
    if (target.classList.contains("sa-edit-profile")) {
      root.querySelector(".sa-questions").hidden = true;
      root.querySelector(".sa-profile").hidden = false;
      root.querySelector(".sa-profile input").focus();
    }
    if (target.classList.contains("sa-skip")) { saveProfile({ skip: true }); }
    if (target.classList.contains("sa-csv")) {
      event.preventDefault();
      window.location.href = runtime.handlerUrl(root, "class_csv");
    }
    if (target.classList.contains("sa-submit")) {
      post("submit", {}).then(function (data) {
        root.querySelector(".sa-questions").hidden = true;
        var result = root.querySelector(".sa-result");
        result.innerHTML = data.html;  // drawn and escaped by the server
        var heading = result.querySelector("h3");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }).catch(function (problem) { fail(problem.message || say("missing", {})); });
    }
  });
  function saveProfile(body) {
    post("save_profile", body).then(function () {
      root.querySelector(".sa-profile").hidden = true;
      root.querySelector(".sa-questions").hidden = false;
      show(current);
    }).catch(function (problem) { status.textContent = problem.message; });
  }
  var profileForm = root.querySelector(".sa-profile-form");
  profileForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var role = profileForm.querySelector("input[name=role]:checked");
    saveProfile({
      role: role ? role.value : "",
      organisation: profileForm.elements.organisation.value,
      region: profileForm.elements.region.value
    });
  });
  showProgress();
}
