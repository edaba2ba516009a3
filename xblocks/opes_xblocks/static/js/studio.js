/* The designer's form in Studio: a framework file is read in the browser and sent as
   text; the server checks everything and says what is wrong before storing anything. */
function OpesSelfAssessmentStudio(runtime, element, init) {
  "use strict";
  var root = element.querySelector ? element : element[0];
  var form = root.querySelector(".sa-studio-form");
  var error = root.querySelector(".sa-error");
  var t = init.strings;
  function notify(name, data) { if (runtime.notify) { runtime.notify(name, data); } }
  root.querySelector("#sa-framework-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      form.elements.framework_file.value = text;
      form.elements.framework.value = "uploaded";
    });
  });
  root.querySelector(".sa-cancel").addEventListener("click", function () { notify("cancel", {}); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var areas = Array.prototype.map.call(
      form.querySelectorAll("input[name=areas]:checked"), function (box) { return box.value; });
    var body = {
      display_name: form.elements.display_name.value,
      framework: form.elements.framework.value,
      framework_file: form.elements.framework_file.value,
      phase: form.querySelector("input[name=phase]:checked").value,
      display: form.querySelector("input[name=display]:checked").value,
      areas: areas,
      weight: form.elements.weight.value
    };
    notify("save", { state: "start" });
    OpesHandlers.post(runtime, root, "studio_submit", body).then(function () {
      error.hidden = true;
      notify("save", { state: "end" });
    }).catch(function (problem) {
      error.textContent = t.studio_error + " " + problem.message;
      error.hidden = false;
      notify("error", { title: t.studio_error, message: problem.message });
    });
  });
}
