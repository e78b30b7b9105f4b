/* The 定位 button of the appeal form (gonghui/appeals/templates/appeals/submit.html): fills the
 * hidden latitude/longitude fields, and the place text when the worker left it empty. */
(function () {
  "use strict";
  var button = document.getElementById("locate");
  if (!button) return;
  var status = document.getElementById("locate-status");
  // Failure is said next to the field (never a blocking alert): the worker can type the place instead.
  var REASONS = {1: "未获得定位权限：请在手机设置中允许浏览器（或微信）使用位置信息，或直接填写地点",
                 2: "暂时无法获取位置，请到信号较好的地方再试，或直接填写地点",
                 3: "定位超时，请再试一次，或直接填写地点"};
  function say(text, failed) { status.textContent = text; status.classList.toggle("error", !!failed); }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { say("当前浏览器不支持定位，请直接填写地点", true); return; }
    button.disabled = true; button.textContent = "定位中…"; say("");
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      var place = document.getElementById("id_location");
      if (!place.value) { place.value = "已定位（" + pos.coords.latitude.toFixed(4) + ", " + pos.coords.longitude.toFixed(4) + "）"; }
      button.disabled = false; button.textContent = "已定位"; say("已记录当前位置");
    }, function (error) {
      button.disabled = false; button.textContent = "重新定位";
      say(REASONS[error.code] || "定位失败，请直接填写地点", true);
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  });
})();
