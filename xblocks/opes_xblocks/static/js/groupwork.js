/* The group exercise block: each form goes to its handler, which answers the block's new
 * content (already in the learner's language); the status line says what happened. */
function OpesGroupWork(runtime, element, init) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var text = init.strings;
  var status = root.querySelector(".gw-status");

  function post(handler, body, form) {
    status.textContent = "";
    var sent = form ? OpesHandlers.upload(runtime, root, handler, form)
      : OpesHandlers.post(runtime, root, handler, body);
    if (form) { status.textContent = text.uploading; }
    return sent.then(function (data) {
      root.querySelector(".gw-inner").innerHTML = data.html;
      var said = root.querySelector(".gw-notice, .gw-error, .gw-problem");
      status.textContent = said ? said.textContent : "";
      // The first of these that is on the page, in this order (a selector list would
      // give the first in the page's order: always the title).
      var focus = null;
      [".gw-conflict", ".gw-error", ".gw-version-panel h3", ".gw-past-group h3", ".gw-notice",
        "h2"].some(function (selector) {
        focus = root.querySelector(selector);
        return focus !== null;
      });
      if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    }).catch(function (problem) {
      // A refusal the block words itself (no file chosen) is said as it is.
      status.textContent = (problem && problem.message && form) ? problem.message : text.failed;
    });
  }

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      out[field.name] = field.value;
    });
    return out;
  }

  var handlers = {
    "gw-draft-form": "save_draft",
    "gw-submit-form": "submit_work",
    "gw-grade-form": "grade_group",
    "gw-rate-form": "rate_members",
    "gw-member-form": "grade_member",
    "gw-move-form": "move_member",
    "gw-review-form": "give_review",
    "gw-profile-form": "save_profile"
  };
  root.addEventListener("submit", function (event) {
    var form = event.target;
    var name = Object.keys(handlers).filter(function (c) { return form.classList.contains(c); })[0];
    var upload = form.classList.contains("gw-upload-form") ? "upload_file"
      : form.classList.contains("gw-import-form") ? "import_groups" : "";
    if (upload) {
      event.preventDefault();
      post(upload, null, form);
      return;
    }
    if (!name) { return; }
    event.preventDefault();
    post(handlers[name], values(form));
  });
  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("gw-form")) { post("form_groups", {}); }
    if (target.classList.contains("gw-open")) {
      post("open_group", { group: target.getAttribute("data-group") });
    }
    if (target.classList.contains("gw-version")) {
      post("show_version", { number: target.getAttribute("data-number"),
        group: target.getAttribute("data-group") || "" });
    }
    if (target.classList.contains("gw-past-open")) {
      post("open_past", { group: target.getAttribute("data-group") });
    }
    if (target.classList.contains("gw-choose-group")) {
      post("choose_group", { group: target.getAttribute("data-group") });
    }
    if (target.classList.contains("gw-withdraw")) {
      post("withdraw_file", { file: target.getAttribute("data-file") });
    }
    if (target.classList.contains("gw-start-reviews")) { post("start_reviews", {}); }
    if (target.classList.contains("gw-reassign")) { post("reassign_reviews", {}); }
    if (target.classList.contains("gw-publish")) {
      post("publish_group", { group: target.getAttribute("data-group") });
    }
  });
}
