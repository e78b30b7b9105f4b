/* The survey answer form (templates/surveys/_answer_form.html), configured by data attributes:
 *
 *   form[data-survey-form]        the form; its question blocks are [data-question]
 *   [data-show-if="<option>"]     on a block: show it only when that option is chosen on a block that is
 *                                 itself shown (rules point backwards, so one pass in order is enough)
 *   form[data-autosave-url]       post the form there (暂存) a moment after an answer changes
 *   [data-autosave-status]        where to say that it was saved
 *
 * Hidden questions keep their inputs (so a changed mind restores them); the server drops the answers of
 * questions whose rule is not met and never requires them, so this is only for the respondent's eyes.
 */
(function () {
  "use strict";

  function applyRules(form) {
    form.querySelectorAll("[data-question]").forEach(function (block) {
      var rule = block.getAttribute("data-show-if");
      if (!rule) return;
      var chosen = null;
      form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
        if (input.value === rule) chosen = input;
      });
      var owner = chosen && chosen.closest("[data-question]");
      block.hidden = !(chosen && chosen.checked && owner && !owner.hidden);
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    if (!url || !window.fetch || !window.FormData) return;
    var data = new FormData(form);
    data.delete("save");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!status) return;
        if (body.ok) {
          status.textContent = "已自动暂存 " + new Date().toLocaleTimeString("zh-CN", {
            timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
        } else {
          status.textContent = body.message || "暂存失败";
        }
      })
      .catch(function () { if (status) status.textContent = "网络不畅，答案暂未保存"; });
  }

  function setUp(form) {
    form.classList.add("js-skip");
    applyRules(form);
    var timer = null;
    function changed() {
      applyRules(form);
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () { autosave(form); }, 1200);
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA" || event.target.type === "text") changed();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-survey-form]").forEach(setUp);
  });
})();
