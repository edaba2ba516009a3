/* What every OPES block's script shares: a POST to one of the block's handlers (JSON, or
   a form with a file), with Django's CSRF token, answering the decoded JSON or an Error
   saying why. */
var OpesHandlers = (function () {
  "use strict";
  function csrf() {
    // The LMS, Studio and the workbench check Django's CSRF token on every POST.
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }
  function send(runtime, root, handler, headers, body) {
    headers["X-CSRFToken"] = csrf();
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: body
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error((data.errors || []).join("; ") || data.error || response.statusText);
        }
        return data;
      });
    });
  }
  function post(runtime, root, handler, body) {
    return send(runtime, root, handler, { "Content-Type": "application/json" },
      JSON.stringify(body));
  }
  // A form with a file, as multipart (the browser sets the type and its boundary).
  function upload(runtime, root, handler, form) {
    return send(runtime, root, handler, {}, new FormData(form));
  }
  return { post: post, upload: upload };
}());
