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

// A disclosure open on wide screens and folded on a phone (the main menu behind "Menu", the
// inbox's filters behind "Filters"): data-open-when holds the media query that opens it.
(function () {
  document.querySelectorAll("details[data-open-when]").forEach(function (box) {
    var wide = window.matchMedia(box.dataset.openWhen);
    function fit() { box.open = wide.matches; }
    fit();
    wide.addEventListener("change", fit);
  });
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

// "All provincial departments" stands for the department boxes: ticking or unticking it ticks
// or unticks them all, and it always shows what they say: ticked when all are, unticked when
// none is, partly (indeterminate) in between.
(function () {
  document.querySelectorAll("input[data-selects-all]").forEach(function (all) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(
      'input[data-recipient-group="' + all.dataset.selectsAll + '"]'));
    function tickAll() { boxes.forEach(function (box) { box.checked = all.checked; }); }
    function reflect() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    if (all.checked) { tickAll(); }  // the server's "all" means every one of them
    reflect();
    all.addEventListener("change", function () { tickAll(); reflect(); });
    boxes.forEach(function (box) { box.addEventListener("change", reflect); });
  });
})();

// What a person types is kept. A field with data-autosave-status saves itself through htmx
// (its hx-trigger: as one types, on leaving the field, and on "autosave"); the status next to
// it says "saved" only when the server answered so (data-saved) for the very text now in the
// field. Another form on the page waits for the save before it is sent; leaving the page with
// text not saved asks first, and sends the text on the way out. A form with
// data-keeps-typing (no autosave) asks before the page is left with changes not sent.
(function () {
  var leavingWithForm = null;  // the form being sent: it carries its own text

  document.addEventListener("submit", function (event) {
    leavingWithForm = event.target;
  });

  document.querySelectorAll("[data-autosave-status]").forEach(function (field) {
    var saved = field.value;  // what the server holds
    var sending = null;
    var waiting = [];  // what to do once the save in flight is answered
    var refused = false;  // the last save before another form failed: let it go next time
    function status() { return document.getElementById(field.dataset.autosaveStatus); }
    function say(text, failed) {
      var box = status();
      box.removeAttribute("data-saved");
      box.className = failed ? "errors" : "muted";
      box.textContent = text;
    }
    function dirty() { return field.value !== saved; }
    function answered(ok) {
      var then = waiting;
      waiting = [];
      then.forEach(function (next) { next(ok); });
    }

    field.addEventListener("input", function () {
      if (dirty()) { say(field.dataset.unsaved); }
    });
    field.addEventListener("htmx:configRequest", function () {
      sending = field.value;
      say(field.dataset.saving);
    });
    field.addEventListener("htmx:afterRequest", function (event) {
      var box = status();
      var ok = event.detail.successful && box.hasAttribute("data-saved");
      if (ok) { saved = sending; }
      sending = null;
      if (!event.detail.successful) { say(field.dataset.failed, true); }
      else if (ok && dirty()) { say(field.dataset.unsaved); }
      // Typed on while it was saved: the typing's own save follows; wait for that one.
      if (!ok || !dirty()) { answered(ok); }
    });

    // Another form (remove an attachment, a step): save first, then send it. The field's own
    // form carries the text: it waits only for a save in flight (one request at a time).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var submitter = event.submitter;
      if (form === field.form) {
        if (sending === null) { return; }
        event.preventDefault();
        waiting.push(function () { form.requestSubmit(submitter || undefined); });
        return;
      }
      if (!dirty() || refused) { return; }
      event.preventDefault();
      leavingWithForm = null;
      waiting.push(function (ok) {
        refused = !ok;  // said in the status; sent again, the form goes (the page asks first)
        if (ok) { form.requestSubmit(submitter || undefined); }
      });
      htmx.trigger(field, "autosave");
    }, true);

    window.addEventListener("beforeunload", function (event) {
      if (leavingWithForm === field.form || !dirty()) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
    // Leaving anyway (or without being asked): the text goes with the page's last request.
    window.addEventListener("pagehide", function () {
      if (leavingWithForm === field.form || !dirty()) { return; }
      var data = new FormData();
      data.append("csrf_token", field.form.elements.csrf_token.value);
      data.append(field.name, field.value);
      data.append("autosave", "1");  // answered like htmx: a status, no message for later
      navigator.sendBeacon(field.getAttribute("hx-post"), data);
    });
  });

  document.querySelectorAll("form[data-keeps-typing]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!changed || leavingWithForm === form) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
  });
})();
