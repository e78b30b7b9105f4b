/* A 扫码 button for a form field that takes a scanned QR code (the console's activity check-in).
 *
 *   <input id="scan-token" name="token">
 *   <button type="button" data-scan="scan-token" data-scan-video="scan-camera" hidden>扫码</button>
 *   <video id="scan-camera" playsinline muted hidden></video>
 *   <script src="{% static 'gonghui/scan.js' %}" defer></script>
 *
 * The same order as the merchant's counter (benefits/static/benefits/merchant.js): inside WeChat with an
 * official account configured (WECHAT_APP_ID and its secret), WeChat's own scanner through the JS-SDK
 * (window.gonghuiScan, set by gonghui/web/static/gonghui/wechat.js once WeChat accepted the signed
 * config: "gonghui:scan-ready"); else the browser's BarcodeDetector with the camera (the view allows it:
 * core.headers.allow_features("camera", "autoplay")); else the button stays hidden and a handheld scanner
 * or the keyboard types the code into the field. A scanned code fills the field and submits its form
 * (through htmx when the form is an hx-post one).
 */
(function () {
  "use strict";
  var camera = "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);

  function submit(form) {
    if (window.htmx && form.hasAttribute("hx-post")) { window.htmx.trigger(form, "submit"); return; }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function fill(input, text) {
    input.value = text;
    if (input.form) submit(input.form);
  }

  async function withCamera(input, video) {
    var detector = new BarcodeDetector({formats: ["qr_code"]});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    video.srcObject = stream; video.hidden = false; await video.play();
    var timer = setInterval(async function () {
      var codes = await detector.detect(video);
      if (codes.length) {
        clearInterval(timer); stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true;
        fill(input, codes[0].rawValue);
      }
    }, 300);
  }

  function setUp(button) {
    var input = document.getElementById(button.getAttribute("data-scan"));
    var video = document.getElementById(button.getAttribute("data-scan-video") || "");
    if (!input) return;
    if ((camera && video) || window.gonghuiScan) button.hidden = false;
    document.addEventListener("gonghui:scan-ready", function () { button.hidden = false; });
    button.addEventListener("click", function () {
      if (window.gonghuiScan) { window.gonghuiScan(function (text) { fill(input, text); }); return; }
      if (camera && video) withCamera(input, video).catch(function () { video.hidden = true; input.focus(); });
    });
  }

  function start() { document.querySelectorAll("button[data-scan]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
