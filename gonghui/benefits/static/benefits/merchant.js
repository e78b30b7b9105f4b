/* The merchant page's camera scanner (gonghui/benefits/templates/benefits/merchant.html). */
(function () {
  // Phones with the BarcodeDetector API (Chrome on Android) scan with the camera; elsewhere a
  // handheld scanner types the code into the box, or the cashier types it.
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var button = document.getElementById("scan"), video = document.getElementById("camera");
  button.hidden = false;
  button.addEventListener("click", async function () {
    var detector = new BarcodeDetector({formats: ["qr_code"]});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    video.srcObject = stream; video.hidden = false; await video.play();
    var timer = setInterval(async function () {
      var found = await detector.detect(video);
      if (found.length) {
        clearInterval(timer); stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true;
        document.getElementById("code").value = found[0].rawValue;
        htmx.trigger("#check-form", "submit");
      }
    }, 300);
  });
})();
