/* Starts the cockpit charts on the console page and the big screen (loaded after cockpit.js).
 * The page says how in data attributes on #cockpit-boot, because the Content-Security-Policy runs
 * no inline script: data-dark ("true" on the big screen), data-poll (seconds between API polls,
 * big screen only) and data-url (the overview API to poll). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var boot = document.getElementById("cockpit-boot");
  if (!boot || !window.GonghuiCockpit) return;
  var options = { dark: boot.dataset.dark === "true" };
  var clock = document.getElementById("clock"), fresh = document.getElementById("fresh");
  if (clock) {
    var zone = { timeZone: "Asia/Shanghai", hour12: false };
    var tick = function () { clock.textContent = new Date().toLocaleString("zh-CN", zone); };
    tick(); setInterval(tick, 1000);
  }
  if (boot.dataset.poll && boot.dataset.url) {
    options.poll = parseInt(boot.dataset.poll, 10);
    options.url = boot.dataset.url;
    options.onUpdate = function (data, error) {
      if (!fresh) return;
      if (error) { fresh.textContent = "连接中断，正在重试…"; return; }
      if (data.refreshed_at) {
        fresh.textContent = "数据更新于 " + new Date(data.refreshed_at).toLocaleString("zh-CN", {
          timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
      }
    };
  }
  window.GonghuiCockpit.start(options);
});
