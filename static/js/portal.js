// Shows a message when an htmx request fails (htmx itself ignores 4xx/5xx answers silently),
// so an expired form or a lost connection never fails without a word. Nothing on the page is
// replaced, so what the person typed stays where it is.
(function () {
  function showMessage(text) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "message error";
    p.textContent = text;
    box.appendChild(p);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var generic = document.getElementById("htmx-error-generic").textContent;
    showMessage(type.indexOf("text/html") === 0 && xhr.status === 400 ? xhr.responseText : generic);
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage(document.getElementById("htmx-error-generic").textContent);
  });
})();

// On wide screens the main menu is always open; on a phone it folds behind "Menu".
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu) { return; }
  var wide = window.matchMedia("(min-width: 900px)");
  function fit() { menu.open = wide.matches; }
  fit();
  wide.addEventListener("change", fit);
})();

// The compose form: typing a number of working days or a date chooses that kind of deadline.
(function () {
  [["due_working_days", "working_days"], ["due_on", "date"]].forEach(function (pair) {
    var field = document.getElementById(pair[0]);
    if (!field) { return; }
    field.addEventListener("input", function () {
      var radio = document.querySelector('input[name="deadline_kind"][value="' + pair[1] + '"]');
      if (radio && field.value) { radio.checked = true; }
    });
  });
})();
