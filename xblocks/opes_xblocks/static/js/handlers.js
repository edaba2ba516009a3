/* What every OPES block's script shares: a JSON POST to one of the block's handlers,
   with Django's CSRF token, answering the decoded JSON or an Error saying why. */
var OpesHandlers = (function () {
  "use strict";
  function csrf() {
    // The LMS, Studio and the workbench check Django's CSRF token on every POST.
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }
  function post(runtime, root, handler, body) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error((data.errors || []).join("; ") || data.error || response.statusText);
        }
        return data;
      });
    });
  }
  return { post: post };
}());
