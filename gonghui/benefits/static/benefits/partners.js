/* The partner circle's 按距离排序 button (gonghui/benefits/templates/benefits/partners.html):
 * puts the phone's position into the search form and reloads the list sorted by distance. */
(function () {
  "use strict";
  var button = document.getElementById("locate");
  if (!button) return;
  button.addEventListener("click", function () {
    var note = document.getElementById("locate-note");
    if (!navigator.geolocation) { note.textContent = "当前浏览器不支持定位"; return; }
    note.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = document.getElementById("circle");
      form.lat.value = pos.coords.latitude.toFixed(6);
      form.lng.value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function () { note.textContent = "无法获取位置，请在设置中允许定位后重试"; }, {timeout: 10000, maximumAge: 60000});
  });
})();
