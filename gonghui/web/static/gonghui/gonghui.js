/* Gonghui page behaviours, declared in templates with data-* attributes.
 *
 * The Content-Security-Policy allows scripts only from this site (no 'unsafe-inline'), so no
 * template carries an inline <script> or an on…= handler: a template says what it wants with an
 * attribute and this file, loaded by web/base.html on every page, does it. Listeners are delegated
 * from the document, so content swapped in by htmx behaves the same without re-binding.
 *
 *   data-confirm="…"            on a <form>: ask before submitting; on a button: ask before its click
 *   data-confirm-when="f=v"     only ask when the form's field f has the value v (f!=v: a value other than v)
 *   data-autosubmit             on a <select>/<input>: submit its form when it changes
 *   data-nav-param="union"      on a <select>: reload the page with ?union=<value>
 *   data-check-all="uuids"      on a checkbox: tick or untick every input[name=uuids]
 *   data-toggle-arrow           on a button: flip its ▸/▾ glyph when clicked
 *   data-kind-switch="kind"     on a <form>: mirror the checked radio "kind" into data-kind (CSS shows fields)
 *   data-reset-on-success="f"   on an htmx form: after a successful request, reset it and focus field f
 *   data-history-back           on a link: go back a page (its href is where to go without a history)
 *   data-code-wait="60"         on an SMS-code status: its form's [data-code-button] counts down that many
 *   data-progress-url="…"       on a <video>: start at data-progress-start (seconds), POST the position there every
 *                               15 s of playing, on pause and at the end (职课堂 lesson progress)
 *   data-countdown="600"        on an element: count down that many seconds as m:ss; at 0 submit the form whose id
 *                               is data-countdown-submit (the server keeps the real time)
 *                               seconds before it can ask for the next code (on load and after an htmx swap)
 */
(function () {
  "use strict";

  function fieldValue(form, name) {
    var field = form.elements[name];
    if (!field) return "";
    if (field instanceof RadioNodeList || (field.length !== undefined && !field.tagName)) {
      for (var i = 0; i < field.length; i++) { if (field[i].checked) return field[i].value; }
      return "";
    }
    if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return "";
    return field.value;
  }

  // Whether the confirm question applies, from data-confirm-when="field=value" / "field!=value".
  function confirmApplies(el, form) {
    var when = el.getAttribute("data-confirm-when");
    if (!when || !form) return true;
    var negate = when.indexOf("!=") > 0;
    var parts = when.split(negate ? "!=" : "=");
    var value = fieldValue(form, parts[0]);
    return negate ? (value !== "" && value !== parts[1]) : value === parts[1];
  }

  function asks(el, form) {
    var question = el.getAttribute("data-confirm");
    return question && confirmApplies(el, form) && !window.confirm(question);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && asks(form, form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm], [data-check-all], [data-toggle-arrow], [data-history-back]") : null;
    if (!target) return;
    if (target.tagName !== "FORM" && target.hasAttribute("data-confirm") && asks(target, target.form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.hasAttribute("data-check-all")) {
      var name = target.getAttribute("data-check-all");
      document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { box.checked = target.checked; });
    }
    if (target.hasAttribute("data-history-back") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    if (target.hasAttribute("data-toggle-arrow")) {
      target.textContent = target.textContent === "▸" ? "▾" : "▸";
    }
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
      return;
    }
    if (el.hasAttribute && el.hasAttribute("data-nav-param")) {
      window.location = "?" + encodeURIComponent(el.getAttribute("data-nav-param")) + "=" + encodeURIComponent(el.value);
      return;
    }
    var form = el.form;
    if (form && form.hasAttribute("data-kind-switch") && el.name === form.getAttribute("data-kind-switch")) {
      form.dataset.kind = el.value;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-reset-on-success") || !event.detail.successful) return;
    form.reset();
    var field = form.elements[form.getAttribute("data-reset-on-success")];
    if (field && field.focus) field.focus();
  });

  function countDown(status) {
    status.setAttribute("data-code-counted", "");
    var seconds = parseInt(status.getAttribute("data-code-wait"), 10);
    var form = status.closest("form");
    var button = form && form.querySelector("[data-code-button]");
    if (!button || !(seconds > 0)) return;
    if (button.gonghuiTimer) clearInterval(button.gonghuiTimer);
    button.disabled = true;
    function tick() {
      if (seconds <= 0) {
        clearInterval(button.gonghuiTimer);
        button.disabled = false;
        button.textContent = "重新获取";
        return;
      }
      button.textContent = seconds + "秒后重新获取";
      seconds -= 1;
    }
    tick();
    button.gonghuiTimer = setInterval(tick, 1000);
  }

  function startCountDowns() {
    document.querySelectorAll("[data-code-wait]:not([data-code-counted])").forEach(countDown);
  }

  document.addEventListener("DOMContentLoaded", startCountDowns);
  document.addEventListener("htmx:afterSettle", startCountDowns);

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function trackProgress(video) {
    var url = video.getAttribute("data-progress-url"), sent = -1;
    var start = parseInt(video.getAttribute("data-progress-start"), 10) || 0;
    function send(ended) {
      var at = Math.floor(video.currentTime || 0);
      if (at === sent && !ended) return;
      sent = at;
      var body = new URLSearchParams({ position: String(at) });
      if (ended) body.set("done", "on");
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true,
                   headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" } }).catch(function () {});
    }
    video.addEventListener("loadedmetadata", function () {
      if (start > 0 && start < (video.duration || Infinity) - 3) video.currentTime = start;
    });
    video.addEventListener("timeupdate", function () { if (Math.floor(video.currentTime) - sent >= 15) send(false); });
    video.addEventListener("pause", function () { send(false); });
    video.addEventListener("ended", function () { send(true); });
  }

  function countdown(el) {
    var left = parseInt(el.getAttribute("data-countdown"), 10) || 0, end = Date.now() + left * 1000;
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s > 0) return;
      clearInterval(timer);
      var form = document.getElementById(el.getAttribute("data-countdown-submit") || "");
      if (form) form.submit();
    }
    var timer = setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("video[data-progress-url]").forEach(trackProgress);
    document.querySelectorAll("[data-countdown]").forEach(countdown);
  });
})();
