/* Behaviours every page shares, from a static file (the Content-Security-Policy allows no inline script).
 *
 * Character counters: a textarea (or an input marked data-count) with a maxlength shows "已输入 n/max".
 * The browser's own maxlength cuts pasted text silently, so the limit moves to data-max and the counter
 * turns red past it; the server refuses over-long text with a message instead of cutting it.
 */
(function () {
  "use strict";

  function counter(field) {
    if (field.dataset.counted) return;
    var max = parseInt(field.getAttribute("maxlength") || field.dataset.max || "0", 10);
    if (!max) return;
    field.dataset.counted = "1";
    field.dataset.max = String(max);
    field.removeAttribute("maxlength");
    var note = document.createElement("div");
    note.className = "counter";
    note.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", note);
    function update() {
      var n = Array.from(field.value).length;  // characters, not UTF-16 units (emoji count once)
      note.textContent = n > max ? "已输入 " + n + "/" + max + "，超出 " + (n - max) + " 字" : "已输入 " + n + "/" + max;
      note.classList.toggle("over", n > max);
      field.setAttribute("aria-invalid", n > max ? "true" : "false");
    }
    field.addEventListener("input", update);
    update();
  }

  function init(root) {
    (root || document).querySelectorAll("textarea[maxlength], textarea[data-max], input[data-count][maxlength]")
      .forEach(counter);
  }

  document.addEventListener("htmx:load", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
