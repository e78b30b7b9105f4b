/* The merchant page's scanner (gonghui/benefits/templates/benefits/merchant.html).
 *
 * Inside WeChat with an official account configured, the 扫码 button opens WeChat's own scanner
 * (window.gonghuiScan, gonghui/web/static/gonghui/wechat.js). Elsewhere, phones with the BarcodeDetector
 * API (Chrome on Android) scan with the camera; otherwise a handheld scanner types the code into the box,
 * or the cashier types it. A scanned e-member card (its URL has /members/c/) goes to 核验会员卡 instead.
 */
(function () {
  var button = document.getElementById("scan"), video = document.getElementById("camera");
  if (!button) return;

  function found(text) {
    var card = document.querySelector("input[name=token]");
    if (card && text.indexOf("/members/c/") !== -1) {
      card.value = text;
      htmx.trigger(card.form, "submit");
      return;
    }
    document.getElementById("code").value = text;
    htmx.trigger("#check-form", "submit");
  }

  var camera = "BarcodeDetector" in window && navigator.mediaDevices;
  if (camera) button.hidden = false;
  document.addEventListener("gonghui:scan-ready", function () { button.hidden = false; });

  button.addEventListener("click", async function () {
    if (window.gonghuiScan) { window.gonghuiScan(found); return; }
    if (!camera) return;
    var detector = new BarcodeDetector({formats: ["qr_code"]});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    video.srcObject = stream; video.hidden = false; await video.play();
    var timer = setInterval(async function () {
      var codes = await detector.detect(video);
      if (codes.length) {
        clearInterval(timer); stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true;
        found(codes[0].rawValue);
      }
    }, 300);
  });
})();
