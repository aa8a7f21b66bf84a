/* agent-catalog: faceted browsing of the overview's agent list. Written for this project.
 *
 * The data comes from catalog-data.js and its parts (scripts beside this one, loaded before
 * it), never fetched, so filtering works from file:// too. The state lives in the URL query: one
 * parameter per facet (values joined by commas) and `q` for the text, so a filtered view can
 * be shared and the back button works. Without JavaScript the full list is still there.
 *
 * A category's or a collection's page has the same filter over its own agents: the element
 * says its scope (data-ac-scope="category", data-ac-scope-value="<key>"); that facet is then
 * not offered, and the other facets offer the values its agents have.
 */
(function () {
  "use strict";

  var FACETS = [
    ["category", "Category"],
    ["collection", "Collection"],
    ["format", "Format"],
    ["model", "Model"],
    ["tools", "Tools"],
    ["color", "Color"]
  ];

  function figure(n) {
    return n.toLocaleString("en-US"); // 1,425 as the overview's figures write it
  }

  function setUp() {
    var data = window.__agentCatalog;
    var root = document.getElementById("ac-filter");
    var list = document.querySelector(".ac-agent-list[data-ac-all]");
    if (!data || !root || !list || root.dataset.acReady) return;
    if (data.agents.length !== data.total) {
      // The page ran the data's head, not all its parts (a template of one's own that loads
      // catalog-data.js alone, as before it had parts): agent-catalog.js loads them.
      if (window.__agentCatalogLoad) window.__agentCatalogLoad(setUp, "filter");
      return;
    }
    root.dataset.acReady = "1";

    // Every lookup keyed by agent data has no prototype: a category named "constructor",
    // "toString" or "__proto__" is a key like any other, not Object.prototype's.
    var items = Object.create(null);
    list.querySelectorAll("li[data-agent]").forEach(function (li) {
      items[li.getAttribute("data-agent")] = li;
    });
    var scope = root.dataset.acScope || null;
    var scopeValue = root.dataset.acScopeValue || "";
    var agents = data.agents.map(function (row) {
      // row: [slug, search text (lowercase), {facet: [value keys]}, ...]
      return { slug: row[0], text: row[1], facets: row[2], el: items[row[0]] || null };
    }).filter(function (agent) {
      return !scope || (agent.facets[scope] || []).indexOf(scopeValue) >= 0;
    });
    // The values each facet offers: those the agents in scope have.
    var present = Object.create(null);
    agents.forEach(function (agent) {
      Object.keys(agent.facets).forEach(function (name) {
        present[name] = present[name] || Object.create(null);
        agent.facets[name].forEach(function (key) { present[name][key] = true; });
      });
    });
    var offered = Object.create(null);
    FACETS.forEach(function (f) {
      offered[f[0]] = (data.facets[f[0]] || []).filter(function (pair) {
        return present[f[0]] && present[f[0]][pair[0]];
      });
    });
    var facets = FACETS.filter(function (f) {
      return f[0] !== scope && offered[f[0]].length > 1;
    });

    // --- the controls -------------------------------------------------------------------
    root.hidden = false;
    var search = document.createElement("input");
    search.type = "search";
    search.className = "ac-filter__query md-input";
    search.placeholder = "Filter " + figure(agents.length) + " agent" + (agents.length === 1 ? "" : "s");
    search.title = "Matches names, summaries, tags, tools and example dialogue text";
    search.setAttribute("aria-label", "Filter agents");
    var status = document.createElement("p");
    status.className = "ac-filter__status";
    status.setAttribute("aria-live", "polite");
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "md-button ac-filter__clear";
    clear.textContent = "Clear filters";
    var groups = document.createElement("div");
    groups.className = "ac-filter__facets";
    var boxes = Object.create(null);
    var chosen = Object.create(null); // facet -> the element saying how many of its values are ticked
    // Every facet starts closed, so the list starts on the first screen; one open at a time,
    // spanning the filter's width below the row of facet names (agent-catalog.css).
    facets.forEach(function (facet) {
      var name = facet[0];
      var details = document.createElement("details");
      details.className = "ac-facet";
      details.addEventListener("toggle", function () {
        if (!details.open) return;
        groups.querySelectorAll("details.ac-facet[open]").forEach(function (other) {
          if (other !== details) other.open = false;
        });
      });
      var summary = document.createElement("summary");
      summary.textContent = facet[1] + " ";
      chosen[name] = document.createElement("span");
      chosen[name].className = "ac-facet__chosen";
      summary.appendChild(chosen[name]);
      var chevron = document.createElement("span");
      chevron.className = "ac-facet__chevron";
      chevron.setAttribute("aria-hidden", "true");
      chevron.textContent = "\u25BE";
      summary.appendChild(chevron);
      details.appendChild(summary);
      var options = document.createElement("div");
      options.className = "ac-facet__options";
      details.appendChild(options);
      boxes[name] = Object.create(null);
      offered[name].forEach(function (pair) {
        var label = document.createElement("label");
        label.className = "ac-facet__option";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.value = pair[0];
        box.dataset.facet = name;
        var text = document.createElement("span");
        text.textContent = pair[1];
        var count = document.createElement("span");
        count.className = "ac-facet__count";
        label.appendChild(box);
        label.appendChild(text);
        label.appendChild(count);
        options.appendChild(label);
        boxes[name][pair[0]] = { box: box, count: count, label: label };
      });
      groups.appendChild(details);
    });
    var bar = document.createElement("div");
    bar.className = "ac-filter__bar";
    bar.appendChild(search);
    bar.appendChild(clear);
    bar.appendChild(status);
    root.appendChild(bar);
    root.appendChild(groups);

    // --- state <-> URL ------------------------------------------------------------------
    function readState() {
      var params = new URLSearchParams(location.search);
      var state = { q: params.get("q") || "", facets: {} };
      facets.forEach(function (f) {
        var raw = params.get(f[0]);
        state.facets[f[0]] = raw ? raw.split(",").filter(Boolean) : [];
      });
      return state;
    }

    function currentState() {
      var state = { q: search.value, facets: {} };
      facets.forEach(function (f) {
        var name = f[0];
        state.facets[name] = Object.keys(boxes[name]).filter(function (key) {
          return boxes[name][key].box.checked;
        });
      });
      return state;
    }

    function toQuery(state) {
      var params = new URLSearchParams(location.search);
      facets.forEach(function (f) {
        var values = state.facets[f[0]];
        if (values.length) params.set(f[0], values.join(","));
        else params.delete(f[0]);
      });
      if (state.q.trim()) params.set("q", state.q);
      else params.delete("q");
      var query = params.toString().replace(/%2C/g, ",");
      return query ? "?" + query : "";
    }

    function showState(state) {
      search.value = state.q;
      facets.forEach(function (f) {
        var name = f[0];
        Object.keys(boxes[name]).forEach(function (key) {
          boxes[name][key].box.checked = state.facets[name].indexOf(key) >= 0;
        });
      });
    }

    // --- filtering ----------------------------------------------------------------------
    function matches(agent, state, skip) {
      for (var i = 0; i < facets.length; i++) {
        var name = facets[i][0];
        var wanted = state.facets[name];
        if (name === skip || !wanted.length) continue;
        var have = agent.facets[name] || [];
        var any = false;
        for (var j = 0; j < have.length && !any; j++) any = wanted.indexOf(have[j]) >= 0;
        if (!any) return false;
      }
      return true;
    }

    // Hiding or showing thousands of entries costs the browser a style and layout pass that
    // grows with their number (150 ms for 4,500 of 5,000 here, 10-20 ms for 150). The first entries, those a
    // reader sees, change at once; the rest follow in small batches, one per frame, so a
    // keystroke never waits for them. A newer change cancels the batches still waiting.
    var BATCH = 150;
    var pending = null;
    function showChanges(changes) {
      if (pending !== null) {
        cancelAnimationFrame(pending.frame);
        // Entries of the cancelled batches were never toggled: nothing to undo.
        pending = null;
      }
      var flip = function (el) { el.hidden = !el.hidden; };
      changes.slice(0, BATCH).forEach(flip);
      var rest = changes.slice(BATCH);
      root.dataset.acSettled = rest.length ? "" : "1";
      if (!rest.length) return;
      pending = { frame: 0 };
      var step = function () {
        rest.splice(0, BATCH).forEach(flip);
        pending = rest.length ? { frame: requestAnimationFrame(step) } : null;
        if (!pending) root.dataset.acSettled = "1";
      };
      pending.frame = requestAnimationFrame(step);
    }

    function apply(state) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      var textOk = agents.map(function (agent) {
        for (var i = 0; i < words.length; i++) if (agent.text.indexOf(words[i]) < 0) return false;
        return true;
      });
      var shown = 0;
      var changes = [];
      agents.forEach(function (agent, index) {
        var visible = textOk[index] && matches(agent, state, null);
        if (visible) shown++;
        if (agent.el && agent.el.hidden === visible) changes.push(agent.el);
      });
      showChanges(changes);
      // Counts: what each value would show, with the other facets and the text applied.
      facets.forEach(function (f) {
        var name = f[0];
        var counts = Object.create(null);
        agents.forEach(function (agent, index) {
          if (!textOk[index] || !matches(agent, state, name)) return;
          (agent.facets[name] || []).forEach(function (key) {
            counts[key] = (counts[key] || 0) + 1;
          });
        });
        var ticked = state.facets[name].length;
        chosen[name].textContent = ticked ? "(" + ticked + ")" : "";
        Object.keys(boxes[name]).forEach(function (key) {
          var n = counts[key] || 0;
          boxes[name][key].count.textContent = String(n);
          boxes[name][key].label.classList.toggle("ac-facet__option--empty", n === 0);
        });
      });
      var filtered = words.length || facets.some(function (f) { return state.facets[f[0]].length; });
      clear.hidden = !filtered; // agent-catalog.css keeps [hidden] above Material's .md-button
      status.textContent = filtered ? figure(shown) + " of " + figure(agents.length) + " agents"
      : figure(agents.length) + " agent" + (agents.length === 1 ? "" : "s");
      root.dataset.acShown = String(shown);
    }

    var typing = null;
    function changed(push) {
      var state = currentState();
      apply(state);
      writeUrl(state, push);
    }

    function writeUrl(state, push) {
      var query = toQuery(state);
      if (query !== location.search) {
        var url = location.pathname + query + location.hash;
        try {
          if (push) history.pushState(null, "", url);
          else history.replaceState(null, "", url);
        } catch (error) {
          /* some browsers refuse history changes on file:// pages; the filter still works */
        }
      }
    }

    search.addEventListener("input", function () {
      apply(currentState());
      // One history entry per pause in typing, not per keystroke.
      clearTimeout(typing);
      typing = setTimeout(function () { writeUrl(currentState(), false); }, 400);
    });
    groups.addEventListener("change", function () { changed(true); });
    clear.addEventListener("click", function () {
      showState({ q: "", facets: facets.reduce(function (all, f) { all[f[0]] = []; return all; }, {}) });
      changed(true);
    });
    window.addEventListener("popstate", function () {
      if (!root.isConnected) return; // a page swapped out by Material's instant navigation
      var state = readState();
      showState(state);
      apply(state);
    });

    var initial = readState();
    showState(initial);
    apply(initial);

    // Material's search reads `q` too: it opens itself over this page for a shared
    // `?q=...`, and drops `q` from the URL whenever it closes. Here `q` is the filter's.
    var toggle = document.getElementById("__search");
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (!toggle.checked && root.isConnected) writeUrl(currentState(), false);
      });
      if (initial.q && toggle.checked) {
        var query = document.querySelector("input.md-search__input");
        if (query && query.value === initial.q) {
          query.value = "";
          query.blur();
          toggle.click();
        }
      }
    }
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
