/* The communities block: each form or button goes to its handler, which answers the
 * block's new content (already in the learner's language). */
function OpesCommunity(runtime, element, init) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var text = init.strings;
  var status = root.querySelector(".cdp-status");

  function post(handler, body) {
    status.textContent = "";
    return OpesHandlers.post(runtime, root, handler, body).then(function (data) {
      root.querySelector(".cdp-inner").innerHTML = data.html;
      var said = root.querySelector(".cdp-notice") || root.querySelector(".cdp-error") ||
        root.querySelector(".cdp-problem");
      status.textContent = said ? said.textContent : "";
      var focus = said || root.querySelector("h2");
      if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    }).catch(function () {
      status.textContent = text.failed;
    });
  }

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if (field.type === "checkbox" && !field.checked) { return; }
      out[field.name] = field.value;
    });
    return out;
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    var handler = form.classList.contains("cdp-join-form") ? "join"
      : form.classList.contains("cdp-leave-form") ? "leave" : "";
    if (!handler) { return; }
    event.preventDefault();
    post(handler, values(form));
  });
  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("cdp-open")) {
      post("open_community", { community: target.getAttribute("data-community") });
    }
    if (target.classList.contains("cdp-all")) { post("all_communities", {}); }
  });
}
