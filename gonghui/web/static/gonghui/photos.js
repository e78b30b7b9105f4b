/* The photo picker: a styled chooser with previews and remove buttons in place of a bare file input,
 * which shrinks photos in the browser before they are sent (a 20 MB camera photo leaves the phone as
 * about 1 MB) and checks sizes and counts before anything is uploaded.
 *
 * Markup: <input type="file" data-photo-picker data-photo-max="5242880" [data-photo-count="9"]
 *          [data-photo-side="2000"] [data-photo-quality="0.85"] [multiple] [accept=…]>
 * The input stays the form's field: after each change its FileList is replaced (DataTransfer) by the
 * compressed files. Images are drawn on a canvas, at most data-photo-side px on the long side, and
 * encoded as JPEG; other files (a PDF) and images the browser cannot decode (HEIC outside Safari) are
 * sent as they are, so the server's checks still decide. Without DataTransfer (very old browsers) the
 * input is left native. No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";
  if (window.gonghuiPhotos) return;

  var canReplaceFiles = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (e) { return false; }
  })();

  function mb(bytes) {
    return bytes >= 1024 * 1024 ? (bytes / 1024 / 1024).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function decode(file) {
    // createImageBitmap honours the EXIF orientation with imageOrientation "from-image"
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return decodeWithImg(file); });
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function shrink(file, side, quality) {
    if (!/^image\/(jpeg|png|webp|gif|heic|heif)$/i.test(file.type || "") && !/\.(jpe?g|png|webp|heic|heif)$/i.test(file.name)) {
      return Promise.resolve(file);
    }
    if (/gif$/i.test(file.type)) return Promise.resolve(file);  // animation would be lost
    return decode(file).then(function (image) {
      var w = image.width, h = image.height;
      var scale = Math.min(1, side / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // JPEG has no transparency
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || (scale === 1 && blob.size >= file.size && /jpe?g$/i.test(file.type))) {
            resolve(file);  // already small: keep the original
            return;
          }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", quality);
      });
    }, function () { return file; });
  }

  function picker(input) {
    if (input.dataset.pickerReady || !canReplaceFiles) return;
    input.dataset.pickerReady = "1";
    var max = parseInt(input.dataset.photoMax || "0", 10) || Infinity;
    var count = input.multiple ? (parseInt(input.dataset.photoCount || "9", 10) || 9) : 1;
    var side = parseInt(input.dataset.photoSide || "2000", 10);
    var quality = parseFloat(input.dataset.photoQuality || "0.85");
    var chosen = [];
    var pending = 0;
    var waiting = null;  // the submit button pressed while photos were still being shrunk

    var box = document.createElement("div");
    box.className = "picker";
    var list = document.createElement("div");
    list.className = "picker-list";
    var status = document.createElement("div");
    status.className = "picker-status";
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("beforebegin", box);
    box.appendChild(list);
    box.appendChild(input);
    box.appendChild(status);
    input.classList.add("picker-file");
    if (!input.id) input.id = "picker-" + Math.random().toString(36).slice(2);

    var add = document.createElement("label");
    add.className = "picker-add";
    add.setAttribute("for", input.id);
    add.innerHTML = "<b aria-hidden=\"true\">＋</b><span></span>";
    add.querySelector("span").textContent = count > 1 ? "添加照片" : "选择照片";

    function sync() {
      var dt = new DataTransfer();
      chosen.forEach(function (item) { dt.items.add(item.file); });
      input.files = dt.files;
      input.dataset.uploadBytes = String(chosen.reduce(function (s, item) { return s + item.file.size; }, 0));
      render();
    }

    function render() {
      list.textContent = "";
      chosen.forEach(function (item, i) {
        var cell = document.createElement("div");
        cell.className = "picker-item";
        if (/^image\//.test(item.file.type) && item.preview) {
          var img = document.createElement("img");
          img.src = item.preview;
          img.alt = "已选照片" + (i + 1);
          cell.appendChild(img);
        } else {
          cell.classList.add("ph-none", "ph-t1");
          var label = document.createElement("span");
          label.textContent = (item.file.name || "文件").slice(-12);
          cell.appendChild(label);
        }
        var size = document.createElement("span");
        size.className = "picker-size";
        size.textContent = mb(item.file.size);
        cell.appendChild(size);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "picker-remove";
        remove.setAttribute("aria-label", "移除第" + (i + 1) + "个文件");
        remove.innerHTML = "<span aria-hidden=\"true\">×</span>";
        remove.addEventListener("click", function () {
          if (item.preview) URL.revokeObjectURL(item.preview);
          chosen.splice(chosen.indexOf(item), 1);
          sync();
          say("");
        });
        cell.appendChild(remove);
        list.appendChild(cell);
      });
      if (chosen.length < count) list.appendChild(add);
    }

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", !!isError);
    }

    input.addEventListener("change", function () {
      var fresh = Array.prototype.slice.call(input.files || []);
      if (!fresh.length) { sync(); return; }
      // the browser replaced the FileList with the new choice: put the kept ones back after processing
      if (count === 1) chosen = [];  // a single photo: choosing again replaces it
      var room = count - chosen.length;
      var problems = [];
      if (fresh.length > room) {
        problems.push("最多只能选择" + count + "个文件");
        fresh = fresh.slice(0, Math.max(0, room));
      }
      pending += fresh.length;
      say("正在压缩照片…");
      Promise.all(fresh.map(function (file) { return shrink(file, side, quality); })).then(function (files) {
        files.forEach(function (file, i) {
          if (file.size > max) {
            problems.push("「" + fresh[i].name + "」压缩后仍有" + mb(file.size) + "，超过" + mb(max) + "，请换一张");
            return;
          }
          if (!file.size) { problems.push("「" + fresh[i].name + "」是空文件"); return; }
          chosen.push({ file: file, preview: /^image\//.test(file.type) ? URL.createObjectURL(file) : "" });
        });
        pending -= fresh.length;
        sync();
        var total = chosen.reduce(function (s, item) { return s + item.file.size; }, 0);
        if (problems.length) say(problems.join("；"), true);
        else say(chosen.length ? "已选" + chosen.length + "个，共" + mb(total) : "");
        if (!pending && waiting && input.form) {
          var button = waiting;
          waiting = null;
          if (problems.length) return;  // let the worker see what was left out before sending
          if (input.form.requestSubmit) input.form.requestSubmit(button === true ? undefined : button);
          else input.form.submit();
        }
      });
    });

    var form = input.form;
    if (form) {
      form.addEventListener("submit", function (event) {
        if (pending > 0) {
          // send once the photos are ready, as if the button were pressed again
          event.preventDefault();
          waiting = event.submitter || true;
          say("正在压缩照片，完成后自动提交…");
        }
      });
    }
    render();
  }

  function init(root) {
    (root || document).querySelectorAll("input[type=file][data-photo-picker]").forEach(picker);
  }

  window.gonghuiPhotos = { init: init, shrink: shrink };
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
