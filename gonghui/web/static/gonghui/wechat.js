/* Scanning inside WeChat's browser through the WeChat JS-SDK (loaded only when the operator configured an
 * official account: base.html then renders <meta name="gonghui-wechat">).
 *
 * Sets window.gonghuiScan(done) once WeChat accepted the signed config: it opens WeChat's scanner and
 * calls done(text). Pages that scan (the merchant's counter, the console's check-in) use it when it is
 * there, else the browser's BarcodeDetector, else a typed or scanner-gun code. Fires "gonghui:scan-ready".
 */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="gonghui-wechat"]');
  if (!meta || !/MicroMessenger/i.test(navigator.userAgent)) return;
  var sdk = document.createElement("script");
  sdk.src = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
  sdk.onload = function () {
    var url = location.href.split("#")[0];
    fetch(meta.content + "?url=" + encodeURIComponent(url), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (config) {
        config.debug = false;
        window.wx.config(config);
        window.wx.ready(function () {
          window.gonghuiScan = function (done) {
            window.wx.scanQRCode({needResult: 1, scanType: ["qrCode"], success: function (res) { done(res.resultStr); }});
          };
          document.dispatchEvent(new CustomEvent("gonghui:scan-ready"));
        });
      })
      .catch(function () { /* no WeChat scanning: the page's own fallback stays */ });
  };
  document.head.appendChild(sdk);
})();
