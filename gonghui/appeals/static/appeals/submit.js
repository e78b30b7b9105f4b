/* The 定位 button of the appeal form (gonghui/appeals/templates/appeals/submit.html): fills the
 * hidden latitude/longitude fields, and the place text when the worker left it empty. */
(function () {
  "use strict";
  var button = document.getElementById("locate");
  if (!button) return;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { alert("当前浏览器不支持定位，请手动填写地点"); return; }
    button.disabled = true; button.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      var place = document.getElementById("id_location");
      if (!place.value) { place.value = "已定位（" + pos.coords.latitude.toFixed(4) + ", " + pos.coords.longitude.toFixed(4) + "）"; }
      button.disabled = false; button.textContent = "已定位";
    }, function () { button.disabled = false; button.textContent = "定位"; alert("定位失败，请手动填写地点"); });
  });
})();
