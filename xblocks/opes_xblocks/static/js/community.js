/* The communities block: each form or button goes to its handler, which answers the
 * block's new content (already in the learner's language). A refused change keeps the
 * screen, and what was typed in it, and says why above it. */
function OpesCommunity(runtime, element, init) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var text = init.strings;
  var status = root.querySelector(".cdp-status");
  var inner = root.querySelector(".cdp-inner");

  function focusOn(node) {
    if (node) { node.setAttribute("tabindex", "-1"); node.focus(); }
  }

  function refused(said) {
    var shown = inner.querySelector(".cdp-refused");
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "cdp-error cdp-refused";
      shown.setAttribute("role", "alert");
      inner.insertBefore(shown, inner.firstChild);
    }
    shown.textContent = said;
    status.textContent = said;
    focusOn(shown);
  }

  function post(handler, body) {
    status.textContent = "";
    return OpesHandlers.post(runtime, root, handler, body).then(function (data) {
      if (data.success === false) { refused(data.error || text.failed); return; }
      inner.innerHTML = data.html;
      var said = root.querySelector(".cdp-notice") || root.querySelector(".cdp-error") ||
        root.querySelector(".cdp-problem");
      status.textContent = said ? said.textContent : "";
      focusOn(said || root.querySelector("h2"));
    }).catch(function () {
      refused(text.failed);
    });
  }

  // Every field the form sends; one named twice (ticked regions) becomes a list.
  function values(form, submitter) {
    var out = {};
    function add(name, value) {
      if (!(name in out)) { out[name] = value; return; }
      if (!Array.isArray(out[name])) { out[name] = [out[name]]; }
      out[name].push(value);
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.tagName === "BUTTON") { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      add(field.name, field.value);
    });
    if (submitter && submitter.name) { out[submitter.name] = submitter.value; }
    return out;
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    if (form.classList.contains("cdp-call")) {
      var body = values(form, event.submitter);
      body.call = form.getAttribute("data-call");
      post("act", body);
      return;
    }
    var handler = form.classList.contains("cdp-join-form") ? "join"
      : form.classList.contains("cdp-leave-form") ? "leave" : "";
    if (handler) { post(handler, values(form)); }
  });
  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("cdp-open")) {
      post("open_community", { community: target.getAttribute("data-community") });
    }
    if (target.classList.contains("cdp-all")) { post("all_communities", {}); }
  });
}
