/* agent-catalog: a Web Worker stand-in for pages opened from disk (file://), where browsers
 * refuse to start workers. It runs the worker script in a hidden same-document iframe and
 * relays messages, so Material's search works offline with no script from outside the site.
 * Written for this project; the file name contains "iframe-worker" so that Material's offline
 * plugin sees a shim is present and does not add one from a CDN. */
(function () {
  "use strict";
  if (location.protocol !== "file:" || typeof window.Worker === "undefined") return;

  var bridges = (window.__acWorkerBridges = window.__acWorkerBridges || {});
  var counter = 0;

  // Here the "worker" runs on the page's own thread, so Material building its search index
  // (seconds with thousands of agents) would freeze the page right after it loads. Messages
  // wait until the search box has been used and left alone for a moment; meanwhile the quick
  // agent search of agent-catalog.js answers what is typed.
  var IDLE_MS = 700;
  var released = false;
  var waiting = [];
  var idle = null;
  function release() {
    // Not while search is closed: a shared ?q= link opens and closes it on load.
    var toggle = document.getElementById("__search");
    if (released || (toggle && !toggle.checked)) return;
    released = true;
    waiting.splice(0).forEach(function (send) { send(); });
  }
  function searchBox(target) {
    return target && target.matches && target.matches("input.md-search__input");
  }
  function arm(event) {
    if (released || !searchBox(event.target)) return;
    clearTimeout(idle);
    idle = setTimeout(release, IDLE_MS);
  }
  document.addEventListener("focusin", arm, true);
  document.addEventListener("input", arm, true);
  document.addEventListener("keyup", arm, true);
  function whenReleased(send) {
    if (released) send();
    else waiting.push(send);
  }

  function IFrameWorker(url) {
    var self = this;
    var id = "w" + ++counter;
    var target = new EventTarget();
    var queue = [];
    var ready = false;
    var deliver = null;

    self.onmessage = null;
    self.onerror = null;
    self.addEventListener = target.addEventListener.bind(target);
    self.removeEventListener = target.removeEventListener.bind(target);
    self.dispatchEvent = target.dispatchEvent.bind(target);

    bridges[id] = {
      emit: function (data) {
        var event = new MessageEvent("message", { data: data });
        target.dispatchEvent(event);
        if (typeof self.onmessage === "function") self.onmessage(event);
      },
      fail: function (message) {
        var event = new ErrorEvent("error", { message: String(message) });
        target.dispatchEvent(event);
        if (typeof self.onerror === "function") self.onerror(event);
      },
      attach: function (fn) {
        deliver = fn;
        ready = true;
        queue.splice(0).forEach(fn);
      }
    };

    var src = new URL(url, document.baseURI).href;
    var frame = document.createElement("iframe");
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    frame.style.display = "none";
    document.body.appendChild(frame);
    var doc = frame.contentWindow.document;
    var boot =
      "<script>(function(){var b=parent.__acWorkerBridges[" + JSON.stringify(id) + "];" +
      "self.postMessage=function(d){b.emit(d)};" +
      "self.importScripts=function(){throw new Error('importScripts is not available offline')};" +
      "self.addEventListener('error',function(e){b.fail(e.message)});" +
      "})();<\/script>" +
      "<script src=" + JSON.stringify(src) + "><\/script>" +
      // Parser-inserted scripts run in order: messages flow once the worker script is in.
      "<script>parent.__acWorkerBridges[" + JSON.stringify(id) + "].attach(" +
      "function(d){self.dispatchEvent(new MessageEvent('message',{data:d}))});<\/script>";
    doc.open();
    doc.write(boot);
    doc.close();

    self.postMessage = function (data) {
      whenReleased(function () {
        if (ready) deliver(data);
        else queue.push(data);
      });
    };
    self.terminate = function () {
      frame.remove();
      delete bridges[id];
    };
  }

  // From disk every worker is refused (origin "null"), so all of them run in frames.
  window.Worker = IFrameWorker;
})();
