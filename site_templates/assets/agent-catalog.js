/* agent-catalog: progressive enhancements for catalog pages. Written for this project. */
(function () {
  "use strict";

  // This script is assets/agent-catalog.js of the catalog: its address gives the catalog's.
  var here = document.currentScript && document.currentScript.src;
  var catalogRoot = here ? here.replace(/assets\/agent-catalog\.js(\?.*)?$/, "") : null;

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

  function setUpCopyButtons() {
    // The button names the element that holds the raw file (it is in the page: a page opened
    // from disk may not fetch the download).
    document.querySelectorAll("button[data-ac-copy]").forEach(function (button) {
      if (button.dataset.acReady) return;
      button.dataset.acReady = "1";
      button.hidden = false;
      var label = button.textContent;
      var restore = null;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.acCopy);
        clearTimeout(restore);
        (source ? copyText(source.textContent) : Promise.reject(new Error("no file")))
          .then(function () { button.textContent = "Copied"; })
          .catch(function () { button.textContent = "Copy failed: use Download"; })
          .finally(function () { restore = setTimeout(function () { button.textContent = label; }, 1600); });
      });
    });
  }

  function setUpDownloads() {
    // A page opened from disk (file://) is an origin of its own: the browser ignores the
    // link's download attribute and shows the file as text. The file is in the page, so it
    // is saved from a blob: address of this page, under the link's name, wherever it is read.
    document.querySelectorAll("a[data-ac-download]").forEach(function (link) {
      if (link.dataset.acReady) return;
      link.dataset.acReady = "1";
      link.addEventListener("click", function (event) {
        var source = document.getElementById(link.dataset.acDownload);
        if (!source || !window.Blob || !window.URL || !URL.createObjectURL) return; // the plain link
        event.preventDefault();
        var blob = new Blob([source.textContent], { type: "text/markdown;charset=utf-8" });
        var address = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = address;
        save.download = link.getAttribute("download") || "agent.md";
        save.hidden = true;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(address); }, 10000);
      });
    });
  }

  // --- quick agent search ---------------------------------------------------------------
  // Material's search builds a full-text index in the browser before its first answer: seconds
  // with thousands of agents. As soon as something is typed into its box, the agents whose
  // name, summary, tags, tools or example dialogues hold every word are listed above its
  // results, from the catalog's data (catalog-data.js, then its parts: scripts, so this works
  // from file:// too), loaded on the first focus of the box.
  var QUICK_LIMIT = 8;
  var loading = null; // the script elements while the data loads
  // What to do once it has, by purpose: for the quick search, only the latest query's answer.
  var whenLoaded = {};

  // Whether the data holds every row: its head, then each of its parts, have run.
  function catalogDataReady() {
    var data = window.__agentCatalog;
    return !!data && Array.isArray(data.agents) && data.agents.length === data.total;
  }

  // Run these scripts of the catalog one after the other, then done() (or failed(), once).
  function addScripts(addresses, done, failed) {
    var left = addresses.length;
    loading = addresses.map(function (address) {
      var script = document.createElement("script");
      script.async = false; // run in the order added
      script.src = catalogRoot + address;
      script.addEventListener("load", function () { if (--left === 0) done(); });
      script.addEventListener("error", function () {
        if (!loading) return;
        loading.forEach(function (added) { added.remove(); });
        loading = null;
        failed();
      });
      document.head.appendChild(script);
      return script;
    });
    if (!left) done();
  }

  function loadCatalogData(then, purpose) {
    if (catalogDataReady()) return then();
    if (!catalogRoot) return;
    whenLoaded[purpose || "quick"] = then;
    if (loading) return;
    function finished() {
      loading = null;
      if (!catalogDataReady()) return; // tried again on the next call
      var waiting = whenLoaded;
      whenLoaded = {};
      Object.keys(waiting).forEach(function (key) { waiting[key](); });
    }
    function parts() {
      var data = window.__agentCatalog;
      if (!data || !Array.isArray(data.parts)) return finished();
      data.agents = []; // every part again, in order (a page may have run some)
      addScripts(data.parts, finished, function () {});
    }
    // The head says which parts there are; a page may have run it already.
    if (window.__agentCatalog) parts();
    else addScripts(["assets/catalog-data.js"], parts, function () {});
  }
  // For the filter (agent-filter.js), on a page whose template loads the head alone.
  window.__agentCatalogLoad = loadCatalogData;

  function quickMatches(data, query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return { total: 0, rows: [] };
    var phrase = words.join(" ");
    var ranked = [];
    data.agents.forEach(function (row, index) {
      var text = row[1];
      for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return;
      var title = String(row[3] || row[0]).toLowerCase();
      var slug = row[0];
      // Its own page first when its name is typed; then names holding the words; then the rest.
      var rank = slug === words.join("-") || title === phrase ? 0
        : title.indexOf(phrase) === 0 || slug.indexOf(words.join("-")) === 0 ? 1
        : words.every(function (w) { return title.indexOf(w) >= 0 || slug.indexOf(w) >= 0; }) ? 2 : 3;
      ranked.push([rank, index, row]);
    });
    ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return { total: ranked.length, named: ranked.length > 0 && ranked[0][0] === 0,
             rows: ranked.slice(0, QUICK_LIMIT).map(function (r) { return r[2]; }) };
  }

  // Material's keyboard handling takes up the links inside its search result: the arrow keys
  // move through them, and Enter in the box opens the result whose article scores highest.
  // The agent whose whole name was typed scores above any of Material's results; the other
  // quick results score below them (one is opened only when Material has none yet).
  function quickItem(row, score) {
    var item = document.createElement("li");
    item.className = "ac-quick__item";
    var link = document.createElement("a");
    link.className = "ac-quick__link";
    link.href = catalogRoot + row[4];
    link.tabIndex = -1;
    link.setAttribute("data-agent", row[0]);
    var article = document.createElement("article");
    article.className = "ac-quick__article md-typeset";
    article.setAttribute("data-md-score", String(score));
    var title = document.createElement("h1");
    title.textContent = row[3] || row[0];
    if (row[6]) {
      // Where it comes from: four agents may share a name.
      var origin = document.createElement("span");
      origin.className = "ac-quick__origin";
      origin.textContent = row[6];
      title.appendChild(document.createTextNode(" "));
      title.appendChild(origin);
    }
    var summary = document.createElement("p");
    summary.textContent = row[5] || "";
    article.appendChild(title);
    article.appendChild(summary);
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  function setUpQuickSearch() {
    var input = document.querySelector("input.md-search__input");
    var result = document.querySelector("[data-md-component='search-result']");
    var materialMeta = result && result.querySelector(".md-search-result__meta");
    if (!input || !materialMeta || !catalogRoot || input.dataset.acQuick) return;
    input.dataset.acQuick = "1";
    var box = document.createElement("div");
    box.className = "ac-quick";
    box.setAttribute("data-ac-quick", "");
    box.hidden = true;
    var meta = document.createElement("div");
    meta.className = "ac-quick__meta";
    var list = document.createElement("ol");
    list.className = "ac-quick__list";
    var more = document.createElement("a");
    more.className = "ac-quick__more";
    more.tabIndex = -1;
    // A link Material's Enter looks at needs an element child with a score.
    var moreText = document.createElement("span");
    moreText.setAttribute("data-md-score", "-Infinity");
    more.appendChild(moreText);
    box.appendChild(meta);
    box.appendChild(list);
    box.appendChild(more);
    result.insertBefore(box, materialMeta);

    var shown = null;
    function update() {
      var query = input.value.trim();
      if (query === shown) return;
      shown = query;
      loadCatalogData(function () {
        if (input.value.trim() !== query) return;
        var found = quickMatches(window.__agentCatalog, query);
        list.textContent = "";
        found.rows.forEach(function (row, index) {
          list.appendChild(quickItem(row, index === 0 && found.named ? "Infinity" : "-Infinity"));
        });
        box.hidden = found.total === 0;
        meta.textContent = found.total === 1 ? "1 agent matches"
          : found.total > QUICK_LIMIT ? found.total + " agents match, the first " + QUICK_LIMIT + " here"
          : found.total + " agents match";
        more.hidden = found.total <= QUICK_LIMIT;
        // The overview: index.html beside the agents' folder, or the folder itself with
        // directory URLs (an agent's address then ends in "/").
        var overview = found.rows.length && /\/$/.test(found.rows[0][4]) ? catalogRoot : catalogRoot + "index.html";
        more.href = overview + "?q=" + encodeURIComponent(query) + "#all-agents";
        moreText.textContent = "All " + found.total + " in the overview's filter";
      });
    }
    // Material's reset button empties the box without an input event, then focuses it.
    input.addEventListener("focus", function () { setTimeout(update, 1); });
    input.addEventListener("input", update);
    input.addEventListener("keyup", update);
    if (input.value) update();
  }

  // --- similar agents -------------------------------------------------------------------
  // An agent page's "Similar agents": scored here, from every agent's terms (the last field
  // of its row in catalog-data.js), so that no page holds another agent's text and editing
  // one agent rewrites no other page. The arithmetic is catalog/overlap.py's, step for step
  // and in the same order (README: "Which agents compete"); the data is text, shown with
  // textContent only.
  var OVERLAP = { threshold: 0.25, limit: 5, commonShare: 0.1, commonFrom: 50, sharedWords: 2 };

  function parseTerms(text) {
    var terms = new Map();
    String(text || "").split(/\s+/).forEach(function (term) {
      if (!term) return;
      var colon = term.indexOf(":");
      var word = colon < 0 ? term : term.slice(0, colon);
      var count = colon < 0 ? "" : term.slice(colon + 1);
      terms.set(word, /^[0-9]+$/.test(count) && parseInt(count, 10) > 0 ? parseInt(count, 10) : 1);
    });
    return terms;
  }

  function overlapIndex(rows) {
    var total = rows.length;
    var counts = rows.map(function (row) { return parseTerms(row[7]); });
    var usedBy = new Map();
    counts.forEach(function (terms) {
      terms.forEach(function (n, word) { usedBy.set(word, (usedBy.get(word) || 0) + 1); });
    });
    var common = total >= OVERLAP.commonFrom ? OVERLAP.commonShare * total : total;
    var weights = counts.map(function (terms) {
      var weighed = new Map();
      terms.forEach(function (n, word) {
        var df = usedBy.get(word);
        if (df <= common) weighed.set(word, (1 + Math.log(n)) * (1 + Math.log((1 + total) / (1 + df))));
      });
      return weighed;
    });
    var lengths = weights.map(function (weighed) {
      var squares = 0;
      weighed.forEach(function (weight) { squares += weight * weight; });
      return Math.sqrt(squares);
    });
    return { weights: weights, lengths: lengths };
  }

  function overlapScore(index, first, second) {
    var one = index.weights[first], other = index.weights[second];
    var shared = [];
    one.forEach(function (weight, word) { if (other.has(word)) shared.push(word); });
    if (shared.length < OVERLAP.sharedWords) return 0;
    shared.sort(); // code point order: the words are ASCII
    var dot = 0;
    shared.forEach(function (word) { dot += one.get(word) * other.get(word); });
    return dot / (index.lengths[first] * index.lengths[second]);
  }

  function similarRows(rows, slug) {
    var self = -1;
    for (var i = 0; i < rows.length; i++) if (rows[i][0] === slug) { self = i; break; }
    if (self < 0) return null;
    var index = overlapIndex(rows);
    var found = [];
    rows.forEach(function (row, other) {
      if (other === self) return;
      var score = Math.floor(Math.min(overlapScore(index, self, other), 1) * 100 + 0.5) / 100;
      if (score >= OVERLAP.threshold) found.push({ row: row, score: score });
    });
    found.sort(function (a, b) {
      return b.score - a.score || (a.row[0] < b.row[0] ? -1 : a.row[0] > b.row[0] ? 1 : 0);
    });
    return found.slice(0, OVERLAP.limit);
  }

  function setUpSimilar() {
    var box = document.querySelector("[data-ac-similar]");
    if (!box || box.dataset.acReady || !catalogRoot) return;
    box.dataset.acReady = "1";
    var status = box.querySelector(".ac-similar__status");
    var list = box.querySelector(".ac-similar__list");
    // The data of every agent (megabytes in a catalog of thousands) is loaded only when the
    // list comes into view, not for every page that is opened.
    if (window.IntersectionObserver) {
      var watching = new IntersectionObserver(function (entries) {
        if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
        watching.disconnect();
        fillSimilar(box, status, list);
      }, { rootMargin: "300px" });
      watching.observe(box);
    } else {
      fillSimilar(box, status, list);
    }
  }

  function fillSimilar(box, status, list) {
    if (status) status.textContent = "Scoring the agents of this catalog\u2026";
    loadCatalogData(function () {
      var data = window.__agentCatalog;
      var found = data && Array.isArray(data.agents) ? similarRows(data.agents, box.dataset.acSimilar) : null;
      if (!found || !list) {
        if (status) status.textContent = "This agent is not in the catalog's data: nothing to compare.";
        return;
      }
      list.textContent = "";
      found.forEach(function (near) {
        var item = document.createElement("li");
        item.className = "ac-similar__item";
        item.setAttribute("data-agent", near.row[0]);
        // The score first: the scores make a column, however long the names.
        var score = document.createElement("span");
        score.className = "ac-similar__score";
        score.title = "overlap score";
        score.textContent = near.score.toFixed(2);
        item.appendChild(score);
        var link = document.createElement("a");
        link.className = "ac-similar__link";
        link.href = catalogRoot + near.row[4];
        link.textContent = near.row[3] || near.row[0];
        item.appendChild(document.createTextNode(" "));
        item.appendChild(link);
        if (near.row[6]) {
          var where = document.createElement("span");
          where.className = "ac-similar__where";
          where.textContent = near.row[6];
          item.appendChild(document.createTextNode(" "));
          item.appendChild(where);
        }
        list.appendChild(item);
      });
      list.hidden = found.length === 0;
      if (status) {
        status.textContent = found.length ? "" : "No other agent of this catalog scores "
          + OVERLAP.threshold.toFixed(2) + " or more.";
        status.hidden = found.length > 0;
      }
    }, "similar");
  }

  function setUp() {
    setUpCopyButtons();
    setUpDownloads();
    setUpQuickSearch();
    setUpSimilar();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
