/* agent-catalog: progressive enhancements for catalog pages. Written for this project. */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try {
        document.execCommand("copy") ? resolve() : reject(new Error("copy refused"));
      } catch (error) {
        reject(error);
      } finally {
        area.remove();
      }
    });
  }

  function rawFileText(button) {
    var link = button.parentElement && button.parentElement.querySelector("a[download]");
    var source = document.getElementById("ac-raw-text");
    if (source) return Promise.resolve(source.textContent);
    if (!link) return Promise.reject(new Error("no file"));
    return fetch(link.href).then(function (response) { return response.text(); });
  }

  function setUpCopyButtons() {
    document.querySelectorAll("button[data-ac-copy]").forEach(function (button) {
      if (button.dataset.acReady) return;
      button.dataset.acReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var label = button.textContent;
        rawFileText(button)
          .then(copyText)
          .then(function () { button.textContent = "Copied"; })
          .catch(function () { button.textContent = "Copy failed: use Download"; })
          .finally(function () { setTimeout(function () { button.textContent = label; }, 1600); });
      });
    });
  }

  function setUp() {
    setUpCopyButtons();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
