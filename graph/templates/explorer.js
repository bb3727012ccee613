/* entity-kg explorer: draws the graph with vis-network and wires the search
 * box, the filters and the details panel.
 *
 * Every string that comes from the graph reaches the page through
 * textContent / append(string) (never innerHTML), or through vis-network,
 * which draws labels on the canvas and sets tooltips with innerText.
 */
(function () {
  "use strict";

  var T0 = performance.now();
  var $ = function (id) { return document.getElementById(id); };
  var DATA = JSON.parse($("kg-data").textContent);
  var ENT = DATA.entities;
  var REL = DATA.relations;
  var CFG = DATA.config;
  var QID = /^Q[1-9][0-9]*$/;
  var SERVER = DATA.server || null;  // the page kg serve serves: what is not here is asked of the store
  var root = document.documentElement;
  root.dataset.kgState = "loading";

  /** Make an element: h("p", {class: "x", text: "..."}, child, "text", ...). */
  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null || v === false) return;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.append(child instanceof Node ? child : String(child));  // strings become text nodes
  }
  function fmt(x) { return Number(x).toFixed(2); }
  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); }

  // ---- colours: light or dark, from the reader's system setting -------------
  var DARK = !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  var INK = DARK ? { fg: "#e3e8ee", halo: "#15191e", edge: "#7d8a97", edgeFont: "#c3ccd5" }
    : { fg: "#1d2329", halo: "#ffffff", edge: "#8a96a3", edgeFont: "#4a5560" };
  if (DARK) {
    DATA.options.nodes.font.color = INK.fg;
    DATA.options.nodes.font.strokeColor = INK.halo;
    DATA.options.edges.font.color = INK.edgeFont;
    DATA.options.edges.font.strokeColor = INK.halo;
    DATA.options.edges.color.color = INK.edge;
  }
  var EDGE_COLOUR = Object.assign({}, DATA.options.edges.color);
  var DIM_EDGE = Object.assign({}, EDGE_COLOUR, { opacity: 0.1 });
  root.dataset.kgTheme = DARK ? "dark" : "light";

  // ---- the network ------------------------------------------------------
  var nodes = new vis.DataSet(DATA.nodes.map(function (n) { return Object.assign({}, n); }));
  var edges = new vis.DataSet(DATA.edges.map(function (e) {
    var copy = Object.assign({}, e);
    if (!CFG.edgeLabels) delete copy.label;
    return copy;
  }));
  var network = new vis.Network($("mynetwork"), { nodes: nodes, edges: edges }, DATA.options);
  var timings = { script: T0, network: performance.now(), drawn: null, settled: null, iterations: null,
    draws: 0, lastDraw: null, drawsAfterSettled: 0 };
  network.on("afterDrawing", function () {
    timings.draws++;
    timings.lastDraw = performance.now();
    if (timings.settled !== null) timings.drawsAfterSettled++;
  });

  // adjacency for the details panel: entity id -> [{rid, out, other}]
  var ADJ = {};
  Object.keys(ENT).forEach(function (id) { ADJ[id] = []; });
  Object.keys(REL).forEach(function (rid) {
    var r = REL[rid];
    ADJ[r.subject].push({ rid: rid, out: true, other: r.object });
    if (r.object !== r.subject) ADJ[r.object].push({ rid: rid, out: false, other: r.subject });
  });

  // ---- layout: progress, ready state, freeze ------------------------------
  // States (on <html data-kg-state>): "loading" until the first drawing,
  // "ready" once drawn and usable (a big layout may still be moving), then
  // "settled" once the layout has stopped, been frozen and tidied.
  var progress = $("kg-progress");
  var frozen = false;
  var settled = false;
  var settleTimer = null;
  var userMoved = false;
  function drawn() {
    if (root.dataset.kgState !== "loading") return;
    timings.drawn = performance.now();
    timings.iterations = network.physics.stabilizationIterations;
    root.dataset.kgState = "ready";
    if (network.physics.stabilized || !(CFG.settleMs > 0)) { settle(); return; }
    progress.textContent = "Still settling the layout… (“Freeze layout” stops it)";
    network.once("stabilized", settle);
    settleTimer = setTimeout(settle, CFG.settleMs);
  }
  /** Freeze the layout, so what we tidy stays put ("Resume layout" restarts it).
   *  Every position the tidying changes is applied in one DataSet update, so the
   *  settled page redraws once or twice, not once per entity. */
  function settle() {
    if (settled) return;
    settled = true;
    clearTimeout(settleTimer);
    setFrozen(true, true);
    progress.hidden = true;
    network.redraw();  // brings the label bounding boxes up to date
    var moves = {};
    var extent = extents();
    if (DATA.nodes.length <= CFG.separateLabelsMax) separateLabels(moves);
    arrangeIsolated(moves);
    var batch = Object.keys(moves).map(function (id) { return { id: id, x: moves[id].x, y: moves[id].y }; });
    if (batch.length) nodes.update(batch);
    timings.settled = performance.now();
    if (!userMoved) fitView(false, extent);
    root.dataset.kgState = "settled";
    root.dispatchEvent(new Event("kg-settled"));  // the view in the URL fragment is restored now
  }
  /** Each node's drawn box relative to its position (what a move keeps). */
  function extents() {
    var out = {};
    var pos = network.getPositions();
    nodes.getIds().forEach(function (id) {
      var b = network.getBoundingBox(id), p = pos[id];
      if (b && p) out[id] = { l: b.left - p.x, r: b.right - p.x, t: b.top - p.y, b: b.bottom - p.y };
    });
    return out;
  }
  /** Fit the drawing to the window with a margin, in one view change. */
  function fitView(animate, extent, only) {
    extent = extent || extents();
    var ids = only || nodes.getIds({ filter: function (n) { return !n.hidden; } });
    if (!ids.length) ids = nodes.getIds();
    var pos = network.getPositions(ids);
    var box = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
    ids.forEach(function (id) {
      var e = extent[id], p = pos[id];
      if (!e || !p) return;
      var b = { left: p.x + e.l, right: p.x + e.r, top: p.y + e.t, bottom: p.y + e.b };
      box.left = Math.min(box.left, b.left); box.right = Math.max(box.right, b.right);
      box.top = Math.min(box.top, b.top); box.bottom = Math.max(box.bottom, b.bottom);
    });
    if (!isFinite(box.left)) return;
    var el = $("mynetwork");
    var w = el.clientWidth || 800, hh = el.clientHeight || 600;
    var scale = 0.95 * Math.min(w / Math.max(box.right - box.left, 1), hh / Math.max(box.bottom - box.top, 1));
    scale = Math.min(scale, 1.6);
    network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale: scale,
      animation: animate ? { duration: 400, easingFunction: "easeInOutQuad" } : false });
  }
  network.on("dragStart", function () { userMoved = true; });
  network.on("zoom", function () { userMoved = true; });

  /** Push apart nodes whose boxes (shape and label) overlap, a little at a time. */
  function separateLabels(moves) {
    var PAD = 6;
    var items = DATA.nodes.filter(function (n) { return !n.kg_isolated; }).map(function (n) {
      var b = network.getBoundingBox(n.id);
      var p = network.getPositions([n.id])[n.id];
      return { id: n.id, x: p.x, y: p.y, l: b.left - p.x, r: b.right - p.x, t: b.top - p.y, b: b.bottom - p.y };
    });
    var moved = false;
    for (var iter = 0; iter < 80; iter++) {
      var any = false;
      for (var i = 0; i < items.length; i++) {
        var a = items[i];
        for (var j = i + 1; j < items.length; j++) {
          var c = items[j];
          var ox = Math.min(a.x + a.r, c.x + c.r) - Math.max(a.x + a.l, c.x + c.l) + PAD;
          if (ox <= 0) continue;
          var oy = Math.min(a.y + a.b, c.y + c.b) - Math.max(a.y + a.t, c.y + c.t) + PAD;
          if (oy <= 0) continue;
          any = true;
          if (oy <= ox) {  // move apart vertically, half each (ties: by order)
            var dy = (a.y + (a.t + a.b) / 2 <= c.y + (c.t + c.b) / 2 ? -1 : 1) * Math.min(oy, 40) / 2;
            a.y += dy; c.y -= dy;
          } else {
            var dx = (a.x + (a.l + a.r) / 2 <= c.x + (c.l + c.r) / 2 ? -1 : 1) * Math.min(ox, 40) / 2;
            a.x += dx; c.x -= dx;
          }
        }
      }
      if (!any) break;
      moved = true;
    }
    if (moved) items.forEach(function (it) { moves[it.id] = { x: it.x, y: it.y }; });
  }

  /** Line up the entities without relations (kept out of the simulation) under or
   *  beside the graph, whichever lets the whole drawing fit the window at a larger scale. */
  function arrangeIsolated(moves) {
    var iso = DATA.nodes.filter(function (n) { return n.kg_isolated; });
    if (!iso.length) return;
    var ids = DATA.nodes.filter(function (n) { return !n.kg_isolated; }).map(function (n) { return n.id; });
    var box = { left: 0, right: 0, top: -120, bottom: -120 };
    if (ids.length) {
      box = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
      ids.forEach(function (id) {
        var b = network.getBoundingBox(id);
        box.left = Math.min(box.left, b.left); box.right = Math.max(box.right, b.right);
        box.top = Math.min(box.top, b.top); box.bottom = Math.max(box.bottom, b.bottom);
      });
    }
    iso.sort(function (a, b) {
      return a.group < b.group ? -1 : a.group > b.group ? 1 : a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
    });
    var ROW = 64, GAP = 90;
    var items = iso.map(function (n) { return { id: n.id, w: Math.max(40, n.label.length * 8.5) + 26 }; });
    var W = Math.max(box.right - box.left, 1), H = Math.max(box.bottom - box.top, 1);
    var el = $("mynetwork");
    var aspect = (el.clientWidth || 800) / (el.clientHeight || 600);
    function scale(w, h) { return Math.min(aspect / w, 1 / h); }  // relative fit scale

    // below: rows as wide as the graph
    var rowWidth = Math.max(W, 640, Math.sqrt(items.length) * 150);
    var rows = [[]], used = 0;
    items.forEach(function (c) {
      if (used + c.w > rowWidth && rows[rows.length - 1].length) { rows.push([]); used = 0; }
      rows[rows.length - 1].push(c); used += c.w;
    });
    var belowW = Math.max(W, Math.max.apply(null, rows.map(function (r) {
      return r.reduce(function (s, c) { return s + c.w; }, 0); })));
    var belowScale = scale(belowW, H + GAP + rows.length * ROW);

    // beside: columns as tall as the graph
    var perCol = Math.max(3, Math.floor(H / ROW));
    var cols = [];
    for (var i = 0; i < items.length; i += perCol) cols.push(items.slice(i, i + perCol));
    var colWidths = cols.map(function (c) { return Math.max.apply(null, c.map(function (x) { return x.w; })); });
    var besideW = W + GAP + colWidths.reduce(function (s, w) { return s + w; }, 0);
    var besideScale = scale(besideW, Math.max(H, perCol * ROW));

    if (ids.length && besideScale > belowScale) {
      var x = box.right + GAP;
      cols.forEach(function (col, k) {
        col.forEach(function (c, r) { moves[c.id] = { x: x + colWidths[k] / 2, y: box.top + ROW / 2 + r * ROW }; });
        x += colWidths[k];
      });
    } else {
      var centre = (box.left + box.right) / 2;
      rows.forEach(function (row, r) {
        var total = row.reduce(function (s, c) { return s + c.w; }, 0);
        var x0 = centre - total / 2;
        row.forEach(function (c) { moves[c.id] = { x: x0 + c.w / 2, y: box.bottom + GAP + r * ROW }; x0 += c.w; });
      });
    }
  }
  network.on("stabilizationProgress", function (p) {
    progress.textContent = "Laying out " + plural(DATA.nodes.length, "entity", "entities") +
      "… " + Math.round((100 * p.iterations) / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", drawn);
  if (DATA.nodes.length === 0) {
    progress.textContent = SERVER ? "" : "This graph has no entities.";
    progress.hidden = !!SERVER;
    settled = true;
    root.dataset.kgState = "settled";
  } else if (DATA.edges.length === 0) {
    setTimeout(drawn, 0);  // nothing to simulate: vis-network runs no stabilisation
  }

  function setFrozen(f, auto) {
    frozen = f;
    network.setOptions({ physics: { enabled: !f } });
    var b = $("kg-freeze");
    b.textContent = f ? "Resume layout" : "Freeze layout";
    b.setAttribute("aria-pressed", String(f));
    b.classList.toggle("kg-auto", !!auto);  // frozen by the page, not the user: not highlighted
  }
  $("kg-freeze").addEventListener("click", function () {
    if (!settled && root.dataset.kgState === "ready") settle();
    else setFrozen(!frozen);
  });
  $("kg-fit").addEventListener("click", function () {
    fitView(true);
  });

  // ---- view state: filters, time range, focus ------------------------------
  // One function (render) turns the state into the drawing: each node and edge
  // is "h" (hidden), "d" (dimmed: outside the focus) or "n" (normal), and only
  // the ones whose look changes go into one DataSet update each.
  var DOCS = DATA.documents;
  var DATES = DATA.dates || [];
  var state = {
    hiddenClasses: new Set(), hiddenPredicates: new Set(), minConfidence: 0, showIsolated: true,
    from: 0, to: Math.max(0, DATES.length - 1),  // indexes into DATES
    focus: null, ring: 1, only: false,  // focus mode
    path: null,  // {ids: [...], rids: [...]} of the paths found
  };
  var look = {};  // id -> "h" | "d" | "n" (nodes), "e:" + id for edges
  var added = {};  // entities brought into view (id -> true)

  function timeHidden(r) {
    if (!DATES.length || (state.from === 0 && state.to === DATES.length - 1) || !r.dates || !r.dates.length) return false;
    var lo = DATES[state.from], hi = DATES[state.to];
    return !r.dates.some(function (d) { return d >= lo && d <= hi; });
  }
  function edgeFiltered(e) {
    var r = REL[e.id];
    return state.hiddenPredicates.has(e.kg_predicate) || e.kg_confidence < state.minConfidence || timeHidden(r);
  }
  function nodeFiltered(n) {
    return state.hiddenClasses.has(n.group) || (n.kg_isolated === true && !state.showIsolated);
  }
  /** The entities within state.ring relations of the focus (over the relations not filtered out). */
  function neighbourhood() {
    if (state.path) return { nodes: new Set(state.path.ids), edges: new Set(state.path.rids) };
    if (!state.focus) return null;
    var seen = new Set([state.focus]), edgesIn = new Set(), frontier = [state.focus];
    for (var k = 0; k < state.ring; k++) {
      var next = [];
      frontier.forEach(function (id) {
        (ADJ[id] || []).forEach(function (a) {
          var e = edgeById[a.rid];
          if (!e || edgeFiltered(e)) return;
          edgesIn.add(a.rid);
          if (!seen.has(a.other)) { seen.add(a.other); next.push(a.other); }
        });
      });
      frontier = next;
    }
    // relations among the entities in view are part of it too
    seen.forEach(function (id) {
      (ADJ[id] || []).forEach(function (a) { if (seen.has(a.other)) edgesIn.add(a.rid); });
    });
    return { nodes: seen, edges: edgesIn };
  }
  var edgeById = {};
  function allNodes() { return nodes.get(); }
  function render() {
    var hood = neighbourhood();
    var nu = [], eu = [], shownNodes = 0, shownEdges = 0, nodeLook = {};
    allNodes().forEach(function (n) {
      var v = nodeFiltered(n) ? "h" : hood && !hood.nodes.has(n.id) ? (state.only ? "h" : "d") : "n";
      if (hood && hood.nodes.has(n.id)) v = "n";  // what the focus or a path shows is never filtered away
      nodeLook[n.id] = v;
      if (v !== "h") shownNodes++;
      if (look[n.id] === v) return;
      var nup = { id: n.id, hidden: v === "h" };
      if (v !== "h" || look[n.id] === "d") {
        nup.opacity = v === "d" ? 0.18 : 1;
        nup.font = { color: v === "d" ? (DARK ? "rgba(227,232,238,0.25)" : "rgba(29,35,41,0.25)") : INK.fg };
      }
      look[n.id] = v;
      nu.push(nup);
    });
    edges.get().forEach(function (e) {
      var v = edgeFiltered(e) && !(hood && hood.edges.has(e.id)) ? "h" : "n";
      if (nodeLook[e.from] === "h" || nodeLook[e.to] === "h") v = "h";
      else if (v === "n" && hood && !hood.edges.has(e.id)) v = state.only ? "h" : "d";
      if (v !== "h") shownEdges++;
      if (look["e:" + e.id] === v) return;
      look["e:" + e.id] = v;
      var up = { id: e.id, hidden: v === "h" };
      if (v !== "h") up.color = v === "d" ? DIM_EDGE : EDGE_COLOUR;  // a hidden edge keeps its look
      if (v !== "h" && labelsOn) {  // a label is only drawn when the labels are on
        up.font = v === "d" ? { color: "rgba(0,0,0,0)", strokeColor: "rgba(0,0,0,0)" }
          : { color: INK.edgeFont, strokeColor: INK.halo };
      }
      eu.push(up);
    });
    if (nu.length) nodes.update(nu);
    if (eu.length) edges.update(eu);
    var total = [nodes.length, edges.length];
    $("kg-status").textContent = plural(shownNodes, "entity", "entities") + " and " +
      plural(shownEdges, "relation", "relations") + " shown" +
      (shownNodes < total[0] || shownEdges < total[1]
        ? " (of " + total[0].toLocaleString("en") + " and " + total[1].toLocaleString("en") + ")" : "");
    renderFocusBar();
    saveState();
  }
  var applyFilters = render;  // the name tests and older code use

  document.querySelectorAll("#kg-classes input[data-class]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) state.hiddenClasses.delete(box.dataset.class);
      else state.hiddenClasses.add(box.dataset.class);
      render();
    });
  });
  document.querySelectorAll("#kg-predicates input[data-predicate]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) state.hiddenPredicates.delete(box.dataset.predicate);
      else state.hiddenPredicates.add(box.dataset.predicate);
      render();
    });
  });
  var isolatedBox = $("kg-isolated");
  if (isolatedBox) {
    isolatedBox.addEventListener("change", function () { state.showIsolated = isolatedBox.checked; render(); });
  }
  var slider = $("kg-confidence");
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); });
  }
  slider.addEventListener("input", function () {
    state.minConfidence = parseFloat(slider.value) || 0;
    $("kg-confidence-value").textContent = fmt(state.minConfidence);
    later();
  });
  // the time range: two sliders over the article dates
  var fromBox = $("kg-from"), toBox = $("kg-to");
  function showRange() {
    if (!fromBox) return;
    fromBox.value = String(state.from);
    toBox.value = String(state.to);
    $("kg-time-value").textContent = DATES.length ? DATES[state.from] + " – " + DATES[state.to] : "";
  }
  if (fromBox) {
    fromBox.addEventListener("input", function () {
      state.from = Math.min(parseInt(fromBox.value, 10) || 0, state.to);
      showRange();
      later();
    });
    toBox.addEventListener("input", function () {
      state.to = Math.max(parseInt(toBox.value, 10) || 0, state.from);
      showRange();
      later();
    });
  }
  function resetFilters() {
    document.querySelectorAll("#kg-controls input[type=checkbox][data-class], " +
      "#kg-controls input[type=checkbox][data-predicate]").forEach(function (b) { b.checked = true; });
    state.hiddenClasses.clear();
    state.hiddenPredicates.clear();
    if (isolatedBox) isolatedBox.checked = true;
    state.showIsolated = true;
    slider.value = "0";
    state.minConfidence = 0;
    $("kg-confidence-value").textContent = fmt(0);
    state.from = 0;
    state.to = Math.max(0, DATES.length - 1);
    showRange();
  }
  $("kg-reset").addEventListener("click", function () { resetFilters(); render(); });
  function reveal(n) {
    if (n.kg_isolated && !state.showIsolated) {
      state.showIsolated = true;
      if (isolatedBox) isolatedBox.checked = true;
    }
    if (state.hiddenClasses.has(n.group)) {
      state.hiddenClasses.delete(n.group);
      document.querySelectorAll("#kg-classes input[data-class]").forEach(function (b) {
        if (b.dataset.class === n.group) b.checked = true;
      });
    }
  }

  var labelsOn = !!CFG.edgeLabels;
  $("kg-edge-labels").addEventListener("change", function (ev) {
    var on = labelsOn = ev.target.checked;
    edges.update(edges.get().map(function (e) {
      var up = { id: e.id, label: on ? e.kg_predicate : " " };
      if (on) up.font = look["e:" + e.id] === "d" ? { color: "rgba(0,0,0,0)", strokeColor: "rgba(0,0,0,0)" }
        : { color: INK.edgeFont, strokeColor: INK.halo };
      return up;
    }));
  });

  // ---- focus mode -------------------------------------------------------------
  var focusBar = $("kg-focus-bar");
  function renderFocusBar() {
    var on = !!(state.focus || state.path);
    focusBar.hidden = !on;
    if (!on) return;
    $("kg-focus-text").textContent = state.path
      ? "Path: " + nameOf(state.path.ids[0]) + " → " + nameOf(state.path.ids[state.path.ids.length - 1])
      : "Focus: " + nameOf(state.focus) + " · " + plural(state.ring, "step", "steps");
    $("kg-expand").hidden = !!state.path;
    var only = $("kg-only");
    only.setAttribute("aria-pressed", String(state.only));
    only.textContent = state.only ? "Show the rest" : "Show only this";
  }
  function setFocus(id) {
    state.focus = id;
    state.path = null;
    state.ring = 1;
    render();
  }
  function clearFocus() {
    state.focus = null;
    state.path = null;
    state.ring = 1;
    state.only = false;
    render();
  }
  $("kg-expand").addEventListener("click", function () {
    if (!state.focus) return;
    if (!SERVER) { state.ring++; render(); return; }
    var ids = Array.from(neighbourhood().nodes);
    loadLinks(ids).then(function () {
      ids.forEach(function (x) { bringIntoView(x, true); });
      state.ring++;
      render();
    }, failed);
  });
  $("kg-only").addEventListener("click", function () { state.only = !state.only; render(); });
  $("kg-unfocus").addEventListener("click", function () { clearFocus(); });

  // ---- details panel --------------------------------------------------------
  var panel = $("kg-details");
  var body = $("kg-details-body");

  function nameOf(id) {
    var e = ENT[id] || OTHERS[id];
    return e ? e.names[0] : id;
  }
  function typeOf(id) {
    var e = ENT[id] || OTHERS[id];
    return e ? e.type : "";
  }
  function swatch(type) {
    var box = document.querySelector("#kg-classes input[data-class='" + CSS.escape(type) + "']");
    var svg = box && box.parentNode.querySelector("svg");
    return svg ? svg.cloneNode(true) : null;
  }
  function entityLink(id) {
    return h("button", { type: "button", class: "kg-link", title: "Show " + nameOf(id),
      onclick: function () { if (nodes.get(id)) focusNode(id); else showOther(id); } }, nameOf(id));
  }
  function open(children) {
    body.replaceChildren();
    add(body, children);
    panel.hidden = false;
    body.scrollTop = 0;
  }
  function closePanel() {
    panel.hidden = true;
    body.replaceChildren();
    network.unselectAll();
    selection = null;
    saveState();
  }
  $("kg-close").addEventListener("click", closePanel);
  var selection = null;  // what the panel shows: "e:<id>", "r:<rid>", "p:<a>,<b>"

  function countText(r) {
    return plural(r.articles, "article", "articles") +
      (r.sentences === null || r.sentences === undefined ? "" : ", " + plural(r.sentences, "sentence", "sentences"));
  }
  function heading(text) {
    // the panel's heading takes the keyboard focus, so it does not fall back to <body>
    return h("h2", { class: "kg-heading", tabindex: "-1", text: text });
  }
  function focusHeading() {
    var hd = body.querySelector(".kg-heading");
    if (hd && document.activeElement !== $("kg-search")) hd.focus({ preventScroll: true });
  }

  function showEntity(id) {
    var e = ENT[id];
    if (!e) { showOther(id); return; }
    if (SERVER && !LOADED[id]) { loadLinks([id]).then(function () { showEntity(id); }, failed); return; }
    selection = "e:" + id;
    var groups = {};
    var order = [];
    ADJ[id].forEach(function (a) {
      var key = (a.out ? "0" : "1") + REL[a.rid].predicate;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(a);
    });
    order.sort();
    var shown = ADJ[id].length;
    var qid = e.wikidata && QID.test(e.wikidata) ? e.wikidata : null;
    var hidden = LINKS_OF[id] ? LINKS_OF[id].filter(function (l) { return !l.drawn; }) : [];
    open([
      h("p", { class: "kg-kind" }, swatch(e.type), " ", e.type),
      heading(e.names[0]),
      h("div", { class: "kg-actions" },
        h("button", { type: "button", class: "kg-action", onclick: function () { setFocus(id); } }, "Focus"),
        h("button", { type: "button", class: "kg-action", onclick: function () { pathFrom(id); } }, "Path from here…")),
      h("h3", { text: e.names.length > 1 ? "Names" : "Name" }),
      h("ul", { class: "kg-names" }, e.names.map(function (n, i) {
        return h("li", null, n, i === 0 ? h("small", { text: " (label)" }) : null);
      })),
      qid ? h("p", { class: "kg-wikidata" }, "Wikidata: ",
        h("a", { href: "https://www.wikidata.org/wiki/" + qid, target: "_blank",
          rel: "noopener noreferrer external", text: qid })) : null,
      h("h3", { text: "Relations (" + shown + ")" }),
      order.length ? order.map(function (key) {
        var list = groups[key];
        var pred = REL[list[0].rid].predicate;
        var out = key.charAt(0) === "0";
        return h("section", { class: "kg-group" },
          h("h4", { title: out ? e.names[0] + " " + pred + " …" : "… " + pred + " " + e.names[0] },
            out ? pred + " →" : "← " + pred, h("span", { class: "kg-count", text: String(list.length) })),
          h("ul", null, list.map(function (a) {
            var r = REL[a.rid];
            var off = look["e:" + a.rid] === "h";
            return h("li", { class: off ? "kg-filtered" : null, title: off ? "hidden by the filters" : null },
              entityLink(a.other), " ",
              h("button", { type: "button", class: "kg-evidence-link",
                onclick: function () { showRelation(a.rid); } },
                "confidence " + fmt(r.confidence) + " · " + countText(r)));
          })));
      }) : h("p", { class: "kg-muted", text: "No relations on this page." }),
      hidden.length ? [h("h3", { text: "With entities left out of the drawing (" + hidden.length + ")" }),
        linkList(hidden, id)] : null,
      moreLinks(id, function () { showEntity(id); }),
    ]);
    saveState();
  }

  /** Relations of the compact form: "predicate → other" with counts (served: a page at a time, with evidence). */
  function linkList(list, id) {
    var ul = h("ul", { class: "kg-links" });
    function item(l) {
      var out = l.s === id, other = out ? l.o : l.s;
      var counts = " · confidence " + fmt(l.c) + " · " + plural(l.a, "article", "articles") +
        (l.n === null || l.n === undefined ? "" : ", " + plural(l.n, "sentence", "sentences"));
      return h("li", null, out ? l.p + " → " : "← " + l.p + " ", entityLink(other),
        SERVER ? [" ", h("button", { type: "button", class: "kg-evidence-link",
          onclick: function () { showRelation(ensureRel(l)); } }, counts.slice(3) + " · evidence")]
          : h("small", { class: "kg-muted", text: counts }));
    }
    var shown = 0;
    function more() {
      var next = list.slice(shown, shown + LINKS_PAGE);
      shown += next.length;
      var old = ul.querySelector(".kg-more-links");
      if (old) old.remove();
      next.forEach(function (l) { ul.append(item(l)); });
      if (shown < list.length) {
        ul.append(h("li", { class: "kg-more-links" }, h("button", { type: "button", class: "kg-action kg-more",
          onclick: more }, "Show " + Math.min(LINKS_PAGE, list.length - shown) + " more of " +
          (list.length - shown).toLocaleString("en"))));
      }
    }
    more();
    return ul;
  }
  var LINKS_PAGE = SERVER ? 50 : Infinity;

  /** An entity left out of the drawing: its relations from the compact form, and a way in. */
  function showOther(id) {
    var o = OTHERS[id];
    if (!o) return;
    if (SERVER && !LOADED[id]) {
      open([h("p", { class: "kg-kind", text: o.type }), heading(o.names[0]), h("p", { class: "kg-muted", text: "Loading…" })]);
      loadLinks([id]).then(function () { showOther(id); }, failed);
      return;
    }
    selection = "e:" + id;
    network.unselectAll();
    var list = LINKS_OF[id] || [];
    open([
      h("p", { class: "kg-kind" }, swatch(o.type), " ", o.type),
      heading(o.names[0]),
      h("p", { class: "kg-muted", text: SERVER ? "Not drawn yet: " + plural(list.length, "relation", "relations") +
        (MORE[id] !== undefined ? " so far (the most reported first)" : " in the store") + "."
        : "Left out of the drawing: it has " + plural(o.degree, "relation", "relations") +
        ", fewer than the entities drawn." }),
      h("div", { class: "kg-actions" },
        h("button", { type: "button", class: "kg-action kg-bring", onclick: function () { bringIntoView(id); } },
          "Bring into view"),
        h("button", { type: "button", class: "kg-action", onclick: function () { pathFrom(id); } }, "Path from here…")),
      h("h3", { text: o.names.length > 1 ? "Names" : "Name" }),
      h("ul", { class: "kg-names" }, o.names.map(function (n) { return h("li", { text: n }); })),
      h("h3", { text: "Relations (" + list.length + ")" }),
      list.length ? linkList(list, id) : h("p", { class: "kg-muted", text: "No relations." }),
      moreLinks(id, function () { showOther(id); }),
    ]);
    saveState();
  }

  function articleLine(docId) {
    var d = DOCS[docId] || { name: docId };
    var url = d.url && /^https?:\/\//i.test(d.url) ? d.url : null;
    var title = d.title || d.name;
    return h("p", { class: "kg-source" },
      url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer external", class: "kg-article",
        text: title }) : h("span", { class: "kg-article", text: title }),
      d.date ? [" · ", h("time", { datetime: d.date, text: d.date })] : null,
      d.title ? [" · ", h("span", { class: "kg-doc", text: d.name })] : null);
  }

  function evidenceRow(ev) {
    return h("li", null,
      h("blockquote", { text: ev.sentence }),
      articleLine(ev.doc),
      h("p", { class: "kg-rule" }, ev.rules.length > 1 ? "rules " : "rule ",
        ev.rules.map(function (x, i) { return [i ? ", " : "", h("code", { text: x })]; }),
        " · confidence " + fmt(ev.confidence) + " · characters " + ev.start + "–" + ev.end));
  }

  function showRelation(rid) {
    var r = REL[rid];
    selection = "r:" + rid;
    var q = r.qualifiers || {};
    var rules = [];
    (r.evidence || []).forEach(function (ev) {
      ev.rules.forEach(function (x) { if (rules.indexOf(x) < 0) rules.push(x); });
    });
    if (nodes.get(r.subject) && edges.get(rid)) network.selectEdges([rid]);
    open([
      h("p", { class: "kg-kind", text: "Relation" }),
      h("h2", { class: "kg-heading", tabindex: "-1" }, entityLink(r.subject), " ",
        h("span", { class: "kg-predicate", text: r.predicate }), " ", entityLink(r.object)),
      h("dl", { class: "kg-facts" },
        h("dt", { text: "Predicate" }), h("dd", { text: r.predicate }),
        h("dt", { text: "Confidence" }), h("dd", { text: fmt(r.confidence) }),
        rules.length ? [h("dt", { text: rules.length > 1 ? "Rules" : "Rule" }),
          h("dd", null, rules.map(function (x, i) { return [i ? ", " : "", h("code", { text: x })]; }))] : null,
        r.dates && r.dates.length ? [h("dt", { text: "Dates" }),
          h("dd", { text: r.dates.length > 1 ? r.dates[0] + " – " + r.dates[r.dates.length - 1] : r.dates[0] })] : null,
        Object.keys(q).sort().map(function (k) { return [h("dt", { text: k }), h("dd", { text: q[k] })]; })),
      h("h3", { class: "kg-evidence-count", text: "Evidence: " + countText(r) }),
      (r.evidence || []).length ? h("ol", { class: "kg-evidence" }, r.evidence.map(evidenceRow))
        : SERVER ? null : (r.docs || []).map(articleLine),
      r.more_evidence && !SERVER ? h("p", { class: "kg-muted", text: plural(r.more_evidence, "more sentence", "more sentences") +
        " not included in this page." }) : null,
    ]);
    if (SERVER && r.assertion) evidencePages(r, body.querySelector(".kg-evidence-count"));
    saveState();
  }

  function focusNode(id, keepRing) {
    var n = nodes.get(id);
    if (!n) { showOther(id); return; }
    reveal(n);
    network.selectNodes([id]);
    if (!keepRing) { state.focus = id; state.path = null; state.ring = 1; }
    render();
    showEntity(id);
    // the panel covers the right of the canvas (or, on a narrow screen, its lower part):
    // centre the entity in what is left
    var el = $("mynetwork"), sheet = !panel.hidden && panel.offsetWidth >= 0.9 * el.clientWidth;
    var dx = panel.hidden || sheet ? 0 : Math.min(panel.offsetWidth, el.clientWidth / 2) / 2;
    var dy = sheet ? Math.min(panel.offsetHeight, el.clientHeight * 0.7) / 2 : 0;
    network.focus(id, { scale: Math.max(1.1, network.getScale()), offset: { x: -dx, y: -dy },
      animation: { duration: 450, easingFunction: "easeInOutQuad" } });
  }

  network.on("click", function (p) {
    if (p.nodes.length) { setFocus(p.nodes[0]); showEntity(p.nodes[0]); }
    else if (p.edges.length) showRelation(p.edges[0]);
    else { closePanel(); if (state.focus && !state.only) clearFocus(); }
  });

  // ---- every entity's relations (compact form) and "bring into view" --------
  var OTHERS = DATA.others || {};
  var LINKS_OF = {};  // entity id -> [{s, p, o, c, a, n, dates, docs, drawn}]
  function addLink(l) {
    [l.s, l.o].forEach(function (id, k) {
      if (k === 1 && l.o === l.s) return;
      (LINKS_OF[id] = LINKS_OF[id] || []).push(l);
    });
  }
  Object.keys(REL).forEach(function (rid) {
    var r = REL[rid];
    addLink({ s: r.subject, p: r.predicate, o: r.object, c: r.confidence, a: r.articles, n: r.sentences,
      dates: r.dates, rid: rid, drawn: true });
  });
  (DATA.links || []).forEach(function (x) {
    addLink({ s: x[0], p: x[1], o: x[2], c: x[3], a: x[4], n: x[5], dates: x[6], docs: x[7], drawn: false });
  });

  function bringIntoView(id, quiet) {
    var ids = [id];
    (LINKS_OF[id] || []).forEach(function (l) { ids.push(l.s === id ? l.o : l.s); });
    var fresh = ids.filter(function (x, i) { return ids.indexOf(x) === i && !nodes.get(x); });
    if (SERVER) fresh = fresh.slice(0, SERVER.maxBring);  // a hub's neighbours, the most reported first
    var anchor = ids.filter(function (x) { return nodes.get(x); });
    var pos = network.getPositions(anchor);
    var cx = 0, cy = 0;
    if (anchor.length) {
      anchor.forEach(function (x) { cx += pos[x].x; cy += pos[x].y; });
      cx /= anchor.length; cy /= anchor.length;
      cx += 140;
    } else {
      var all = network.getPositions(), xs = Object.keys(all).map(function (k) { return all[k].x; });
      cx = xs.length ? Math.max.apply(null, xs) + 250 : 0;
    }
    var newNodes = fresh.map(function (x, i) {
      var o = OTHERS[x], ang = (2 * Math.PI * i) / Math.max(1, fresh.length);
      var rad = x === id ? 0 : 90 + 12 * fresh.length;
      added[x] = true;
      ENT[x] = { type: o.type, names: o.names, wikidata: null, degree: o.degree };
      ADJ[x] = ADJ[x] || [];
      return { id: x, label: o.names[0].length > 40 ? o.names[0].slice(0, 39) + "…" : o.names[0],
        group: o.type, shape: (DATA.options.groups[o.type] || {}).shape || "dot", value: 1, physics: !!SERVER,
        title: o.names[0] + "\n" + o.type + " · " + plural(o.degree, "relation", "relations"),
        x: cx + rad * Math.cos(ang), y: cy + rad * Math.sin(ang), kg_added: true };
    });
    var newEdges = [];
    fresh.forEach(function (x) {
      (LINKS_OF[x] || []).forEach(function (l) {
        if (l.drawn) return;
        var other = l.s === x ? l.o : l.s;
        if (!nodes.get(other) && fresh.indexOf(other) < 0) return;
        var rid = ensureRel(l);
        l.drawn = true;
        ADJ[l.s] = ADJ[l.s] || [];
        ADJ[l.o] = ADJ[l.o] || [];
        ADJ[l.s].push({ rid: rid, out: true, other: l.o });
        if (l.o !== l.s) ADJ[l.o].push({ rid: rid, out: false, other: l.s });
        var e = { id: rid, from: l.s, to: l.o, arrows: "to", kg_predicate: l.p, kg_confidence: l.c,
          width: Math.round((0.8 + 2.2 * l.c) * 1000) / 1000, dashes: l.c < 0.5, physics: !!SERVER,
          title: nameOf(l.s) + " " + l.p + " " + nameOf(l.o) };
        if (CFG.edgeLabels) e.label = l.p;
        edgeById[rid] = e;
        newEdges.push(e);
      });
    });
    if (newNodes.length) nodes.add(newNodes);
    if (newEdges.length) edges.add(newEdges);
    if (!quiet) focusNode(id);
  }
  /** The relation entry (REL) of a compact-form relation, made on first use. */
  function ensureRel(l) {
    if (l.rid) return l.rid;
    var rid = "x" + Object.keys(REL).length;
    l.rid = rid;
    REL[rid] = { subject: l.s, predicate: l.p, object: l.o, confidence: l.c, qualifiers: {}, evidence: [],
      more_evidence: l.n, articles: l.a, sentences: l.n, dates: l.dates, docs: l.docs, assertion: l.assertion };
    return rid;
  }

  // ---- path finder ------------------------------------------------------------
  /** Every shortest path (up to `max`) between two entities over all relations, either direction. */
  function shortestPaths(a, b, max) {
    if (a === b) return [[a]];
    var dist = {}, preds = {}, queue = [a];
    dist[a] = 0;
    for (var qi = 0; qi < queue.length; qi++) {
      var u = queue[qi];
      if (dist[b] !== undefined && dist[u] >= dist[b]) break;
      (LINKS_OF[u] || []).forEach(function (l) {
        var v = l.s === u ? l.o : l.s;
        if (dist[v] === undefined) { dist[v] = dist[u] + 1; preds[v] = []; queue.push(v); }
        if (dist[v] === dist[u] + 1) preds[v].push({ from: u, link: l });
      });
    }
    if (dist[b] === undefined) return [];
    var out = [];
    (function walk(v, tail) {
      if (out.length >= max) return;
      if (v === a) { out.push([a].concat(tail)); return; }
      preds[v].forEach(function (p) { walk(p.from, [p.link, v].concat(tail)); });
    })(b, []);
    return out;  // each: [a, link, id, link, id, ..., b]
  }
  var pathStart = null;
  function pathFrom(id) {
    pathStart = id;
    $("kg-path-from").value = nameOf(id);
    $("kg-path-to").focus();
  }
  function findEntity(text) {
    var hits = search(text);
    return hits.length ? hits[0].id : null;
  }
  function showPaths(a, b) {
    var paths = shortestPaths(a, b, 5);
    selection = "p:" + a + "," + b;
    var ids = new Set(), links = [];
    paths.forEach(function (p) { p.forEach(function (x, i) { if (i % 2) links.push(x); else ids.add(x); }); });
    // bring every entity of the paths into view, then draw only the paths' relations highlighted
    Array.from(ids).forEach(function (x) { if (!nodes.get(x) && OTHERS[x]) bringIntoView(x); });
    var rids = links.map(function (l) { return l.rid; }).filter(Boolean);
    state.focus = null;
    state.path = paths.length ? { ids: Array.from(ids), rids: rids } : null;
    render();
    if (paths.length) {
      network.selectNodes(Array.from(ids).filter(function (x) { return nodes.get(x); }));
      fitView(true, null, Array.from(ids).filter(function (x) { return nodes.get(x); }));
    }
    open([
      h("p", { class: "kg-kind", text: "Path" }),
      h("h2", { class: "kg-heading", tabindex: "-1" }, entityLink(a), " → ", entityLink(b)),
      paths.length ? [
        h("p", { class: "kg-muted", text: plural(paths.length, "shortest path", "shortest paths") + " of " +
          plural((paths[0].length - 1) / 2, "relation", "relations") + (paths.length === 5 ? " (the first 5)" : "") }),
        h("ol", { class: "kg-paths" }, paths.map(function (p) {
          var parts = [entityLink(p[0])];
          for (var i = 1; i < p.length; i += 2) {
            var l = p[i], fwd = l.s === p[i - 1];
            parts.push(h("span", { class: "kg-predicate", text: fwd ? " —" + l.p + "→ " : " ←" + l.p + "— " }));
            parts.push(entityLink(p[i + 1]));
          }
          return h("li", null, parts);
        }))]
        : h("p", { class: "kg-muted", text: "No chain of relations joins them." }),
    ]);
    saveState();
  }
  $("kg-path-go").addEventListener("click", function () {
    if (SERVER) { serverPaths(); return; }
    var a = pathStart && nameOf(pathStart) === $("kg-path-from").value ? pathStart : findEntity($("kg-path-from").value);
    var b = findEntity($("kg-path-to").value);
    $("kg-path-status").textContent = !a ? "No entity named “" + $("kg-path-from").value + "”"
      : !b ? "No entity named “" + $("kg-path-to").value + "”" : "";
    if (a && b) showPaths(a, b);
  });
  ["kg-path-from", "kg-path-to"].forEach(function (x) {
    $(x).addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); $("kg-path-go").click(); }
    });
  });

  // ---- search -------------------------------------------------------------
  function norm(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  var INDEX = [];
  function indexEntity(id, e, drawn) {
    e.names.forEach(function (name) {
      INDEX.push({ id: id, name: name, key: norm(name), label: e.names[0], type: e.type, degree: e.degree, drawn: drawn });
    });
  }
  Object.keys(ENT).forEach(function (id) { indexEntity(id, ENT[id], true); });
  Object.keys(OTHERS).forEach(function (id) { indexEntity(id, OTHERS[id], false); });

  /** Entities with a name containing q: exact name, then prefix, word start, anywhere. */
  function search(q) {
    var k = norm(q);
    if (!k) return [];
    var best = new Map();
    INDEX.forEach(function (it) {
      var pos = it.key.indexOf(k);
      if (pos < 0) return;
      var rank = it.key === k ? 0 : pos === 0 ? 1 : /[\s\W]/.test(it.key.charAt(pos - 1)) ? 2 : 3;
      var prev = best.get(it.id);
      if (!prev || rank < prev.rank || (rank === prev.rank && it.name === it.label && prev.name !== prev.label)) {
        best.set(it.id, Object.assign({ rank: rank }, it));
      }
    });
    return Array.from(best.values()).sort(function (a, b) {
      var da = !!nodes.get(a.id), db = !!nodes.get(b.id);
      return a.rank - b.rank || (db - da) || b.degree - a.degree ||
        (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
    }).slice(0, 12);
  }

  var input = $("kg-search");
  var list = $("kg-results");
  var results = [];
  var active = -1;

  function renderResults() {
    list.replaceChildren();
    results.forEach(function (r, i) {
      var off = !nodes.get(r.id);
      list.append(h("li", { id: "kg-result-" + i, role: "option", "aria-selected": String(i === active),
        class: "kg-result" + (i === active ? " kg-active" : "") + (off ? " kg-omitted" : ""),
        onmousedown: function (ev) { ev.preventDefault(); choose(i); } },
        swatch(r.type), " ", h("span", { class: "kg-result-label", text: r.label }),
        r.name !== r.label ? h("span", { class: "kg-alias", text: " “" + r.name + "”" }) : null,
        off ? h("small", { text: " not drawn" }) : null));
    });
    if (!results.length && input.value.trim()) {
      list.append(h("li", { class: "kg-result kg-none", text: "No entity has a name containing “" + input.value.trim() + "”" }));
    }
    var expanded = list.childElementCount > 0;
    list.hidden = !expanded;
    input.setAttribute("aria-expanded", String(expanded));
    if (active >= 0) input.setAttribute("aria-activedescendant", "kg-result-" + active);
    else input.removeAttribute("aria-activedescendant");
  }
  function closeResults() {
    results = [];
    active = -1;
    list.replaceChildren();
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function choose(i) {
    var r = results[i];
    if (!r) return;
    closeResults();
    if (nodes.get(r.id)) focusNode(r.id);
    else showOther(r.id);
  }
  input.addEventListener("input", function () {
    results = search(input.value);
    active = results.length ? 0 : -1;
    renderResults();
    if (SERVER) askSearch(input.value);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!results.length) return;
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
      renderResults();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (!results.length) { results = search(input.value); active = results.length ? 0 : -1; }
      choose(active < 0 ? 0 : active);
    } else if (ev.key === "Escape") {
      if (!list.hidden && list.childElementCount) closeResults();
      else escape();
    }
  });
  input.addEventListener("blur", function () { list.hidden = true; input.setAttribute("aria-expanded", "false"); });
  input.addEventListener("focus", function () { if (results.length) renderResults(); });

  /** Esc: close the panel and leave focus mode. */
  function escape() {
    if (!panel.hidden) closePanel();
    if (state.focus || state.path) clearFocus();
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (ev.key === "/" && !typing) { ev.preventDefault(); input.focus(); input.select(); }
    else if (ev.key === "Escape" && (!typing || t !== input)) escape();
  });
  panel.addEventListener("click", function (ev) {
    // after a link in the panel replaced its content, the keyboard focus stays in the panel
    if (ev.target.closest && ev.target.closest("button.kg-link, button.kg-evidence-link")) focusHeading();
  });

  // ---- export: PNG of the view, CSV of the visible relations -----------------
  function download(name, href) {
    var a = h("a", { href: href, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
  }
  function pngDataUrl() {
    var src = document.querySelector("#mynetwork canvas");
    var c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height;
    var ctx = c.getContext("2d");
    ctx.fillStyle = DARK ? "#15191e" : "#ffffff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(src, 0, 0);
    return c.toDataURL("image/png");
  }
  /** A CSV cell: quoted, and text a spreadsheet would run as a formula made inert with a leading '. */
  function cell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return '"' + s.replace(/"/g, '""') + '"';
  }
  function csvText() {
    var rows = [["subject", "predicate", "object", "confidence", "articles", "sentences",
      "article", "date", "url", "sentence", "rules"]];
    edges.get().forEach(function (e) {
      if (look["e:" + e.id] === "h") return;
      var r = REL[e.id];
      var base = [nameOf(r.subject), r.predicate, nameOf(r.object), fmt(r.confidence), r.articles, r.sentences];
      var evs = r.evidence && r.evidence.length ? r.evidence : (r.docs || []).map(function (d) { return { doc: d }; });
      if (!evs.length) rows.push(base.concat(["", "", "", "", ""]));
      evs.forEach(function (ev) {
        var d = DOCS[ev.doc] || { name: ev.doc };
        rows.push(base.concat([d.title || d.name, d.date || "", d.url || "", ev.sentence || "",
          (ev.rules || []).join(" ")]));
      });
    });
    return rows.map(function (r) { return r.map(cell).join(","); }).join("\r\n") + "\r\n";
  }
  $("kg-png").addEventListener("click", function () { download("graph.png", pngDataUrl()); });
  $("kg-csv").addEventListener("click", function () {
    var url = URL.createObjectURL(new Blob(["\ufeff" + csvText()], { type: "text/csv;charset=utf-8" }));
    download("relations.csv", url);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  });

  // ---- the view in the URL fragment ---------------------------------------------
  var restoring = false;
  function saveState() {
    if (restoring || root.dataset.kgState !== "settled") return;
    var p = new URLSearchParams();
    if (selection) p.set("sel", selection);
    if (state.focus) p.set("focus", state.focus);
    if (state.ring > 1) p.set("ring", String(state.ring));
    if (state.only) p.set("only", "1");
    if (state.hiddenClasses.size) p.set("hide", Array.from(state.hiddenClasses).sort().join(","));
    if (state.hiddenPredicates.size) p.set("hidep", Array.from(state.hiddenPredicates).sort().join(","));
    if (state.minConfidence) p.set("conf", fmt(state.minConfidence));
    if (DATES.length && state.from > 0) p.set("from", DATES[state.from]);
    if (DATES.length && state.to < DATES.length - 1) p.set("to", DATES[state.to]);
    Object.keys(added).sort().forEach(function (x) { p.append("add", x); });
    var hash = p.toString();
    if (hash !== location.hash.slice(1)) {
      try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); }
      catch (err) { /* a page opened from a sandbox may refuse: the view still works */ }
    }
  }
  function restoreState() {
    var p = new URLSearchParams(location.hash.slice(1));
    if (!location.hash || location.hash.length < 2) return;
    restoring = true;
    try {
      p.getAll("add").forEach(function (x) { if (OTHERS[x] && !nodes.get(x)) bringIntoView(x); });
      (p.get("hide") || "").split(",").filter(Boolean).forEach(function (c) {
        var b = document.querySelector("#kg-classes input[data-class='" + CSS.escape(c) + "']");
        if (b) { b.checked = false; state.hiddenClasses.add(c); }
      });
      (p.get("hidep") || "").split(",").filter(Boolean).forEach(function (c) {
        var b = document.querySelector("#kg-predicates input[data-predicate='" + CSS.escape(c) + "']");
        if (b) { b.checked = false; state.hiddenPredicates.add(c); }
      });
      var conf = parseFloat(p.get("conf") || "0");
      if (conf > 0 && conf <= 1) {
        state.minConfidence = conf;
        slider.value = String(conf);
        $("kg-confidence-value").textContent = fmt(conf);
      }
      if (DATES.length) {
        var f = DATES.indexOf(p.get("from")), t = DATES.indexOf(p.get("to"));
        if (f >= 0) state.from = f;
        if (t >= 0 && t >= state.from) state.to = t;
        showRange();
      }
      var focus = p.get("focus");
      if (focus && nodes.get(focus)) { state.focus = focus; state.ring = Math.max(1, parseInt(p.get("ring") || "1", 10) || 1); }
      state.only = p.get("only") === "1" && !!state.focus;
      render();
      var sel = p.get("sel") || "";
      if (sel.slice(0, 2) === "e:") {
        var id = sel.slice(2);
        if (nodes.get(id)) { network.selectNodes([id]); showEntity(id); } else if (OTHERS[id]) showOther(id);
      } else if (sel.slice(0, 2) === "r:" && REL[sel.slice(2)]) showRelation(sel.slice(2));
      else if (sel.slice(0, 2) === "p:") {
        var ab = sel.slice(2).split(",");
        if (ab.length === 2 && (ENT[ab[0]] || OTHERS[ab[0]]) && (ENT[ab[1]] || OTHERS[ab[1]])) showPaths(ab[0], ab[1]);
      }
    } finally {
      restoring = false;
    }
    saveState();
  }
  window.addEventListener("hashchange", function () { if (!restoring) (SERVER ? restoreServed : restoreState)(); });
  /** The served page: the entities the fragment names are asked of the store first, then the view restored. */
  function restoreServed() {
    var p = new URLSearchParams(location.hash.slice(1)), ids = p.getAll("add"), sel = p.get("sel") || "";
    if (sel.slice(0, 2) === "e:") ids.push(sel.slice(2));
    if (sel.slice(0, 2) === "p:") ids = ids.concat(sel.slice(2).split(","));
    if (p.get("focus")) ids.push(p.get("focus"));
    ids = ids.filter(function (x, i) { return x && ids.indexOf(x) === i; }).slice(0, 10 * SERVER.batchIds);
    restoring = true;  // the page keeps the fragment (saveState waits) until the store has answered
    (ids.length ? loadLinks(ids) : Promise.resolve()).then(function () { restoring = false; restoreState(); },
      function (err) { restoring = false; failed(err); });
  }

  // ---- the served page: what is not in the page is asked of the store ----------------
  // kg serve answers GET /explorer/api/NAME?... with one fixed SPARQL query (the values bound
  // as RDF terms there) as SPARQL JSON results; nothing else is fetched, from nowhere else.
  var LOADED = {};  // entity id -> its relations are in LINKS_OF
  var LINK_KEYS = {};  // "s p o" -> the link, so a relation met twice is one
  var busy = 0;
  function lid(iri) { return iri.indexOf(SERVER.base) === 0 ? iri.slice(SERVER.base.length) : iri; }
  function api(name, params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { [].concat(params[k]).forEach(function (v) { q.append(k, v); }); });
    busy++;
    root.dataset.kgBusy = String(busy);
    function done() { busy--; root.dataset.kgBusy = String(busy); }
    return fetch(SERVER.api + name + "?" + q.toString(), { headers: { Accept: "application/sparql-results+json" },
      credentials: "same-origin", cache: "no-store" }).then(function (resp) {
      if (!resp.ok) return resp.text().then(function (t) { throw new Error(t.trim() || "HTTP " + resp.status); });
      return resp.json();
    }).then(function (answer) {
      done();
      return answer.results.bindings.map(function (b) {
        var row = {};
        Object.keys(b).forEach(function (k) { row[k] = b[k].value; });
        return row;
      });
    }, function (err) { done(); throw err; });
  }
  function failed(err) {
    $("kg-status").textContent = "The store did not answer: " + (err && err.message ? err.message : String(err));
  }
  /** Remember an entity the store named (search hit, other end of a relation). */
  function learn(id, label, type) {
    if (!ENT[id] && !OTHERS[id]) {
      OTHERS[id] = { type: type, names: [label], degree: 0 };
      learnName(id, label);
    }
    return ENT[id] || OTHERS[id];
  }
  function learnName(id, name) {
    var e = ENT[id] || OTHERS[id];
    if (e.names.indexOf(name) < 0) e.names.push(name);
    if (INDEX.some(function (it) { return it.id === id && it.name === name; })) return;
    INDEX.push({ id: id, name: name, key: norm(name), label: e.names[0], type: e.type, degree: e.degree, drawn: false });
  }
  /** Load the first page of the relations of entities (those not loaded yet). */
  function loadLinks(ids) {
    var want = ids.filter(function (x, i) { return ids.indexOf(x) === i && !LOADED[x]; });
    if (want.length === 1) return linksPage(want[0], 0);
    var asks = [];  // several entities: one request per SERVER.batchIds (one query, not one each)
    for (var i = 0; i < want.length; i += SERVER.batchIds) asks.push(want.slice(i, i + SERVER.batchIds));
    return Promise.all(asks.map(function (chunk) {
      return api("links", { id: chunk }).then(function (rows) {
        addRows(rows.slice(0, SERVER.batchLinks));
        chunk.forEach(function (x) { loaded(x, rows.length > SERVER.batchLinks ? 0 : undefined); });
      });
    }));
  }
  var MORE = {};  // entity id -> the number of the next page of its relations, if the store has more
  function linksPage(x, page) {
    return api("links", { id: x, page: String(page) }).then(function (rows) {
      addRows(rows.slice(0, SERVER.linksPage));
      loaded(x, rows.length > SERVER.linksPage ? page + 1 : undefined);
    });
  }
  function loaded(x, next) {
    LOADED[x] = true;
    if (next === undefined) delete MORE[x]; else MORE[x] = next;
    var e = ENT[x] || OTHERS[x];
    if (e && next === undefined) e.degree = (LINKS_OF[x] || []).length;
  }
  function addRows(rows) {
    rows.forEach(function (r) {
      var s = lid(r.s), o = lid(r.o), p = r.p.slice(r.p.indexOf("#") + 1);
      learn(s, r.sLabel, r.sType);
      learn(o, r.oLabel, r.oType);
      var key = s + " " + p + " " + o;
      if (LINK_KEYS[key]) return;
      var l = { s: s, p: p, o: o, c: parseFloat(r.confidence), a: parseInt(r.articles, 10), n: null,
        dates: (r.dates || "").split(" ").filter(Boolean).sort(), docs: [], drawn: false, assertion: lid(r.a) };
      LINK_KEYS[key] = l;
      addLink(l);
    });
  }
  /** "Load more": the next page of an entity's relations from the store, then ``then()``. */
  function moreLinks(id, then) {
    if (!SERVER || MORE[id] === undefined) return null;
    return h("p", null, h("button", { type: "button", class: "kg-action kg-more-store", onclick: function () {
      linksPage(id, MORE[id]).then(then, failed);
    } }, "Load " + SERVER.linksPage + " more relations from the store"));
  }
  var searchTimer = null, searchSeq = 0;
  function askSearch(text) {
    clearTimeout(searchTimer);
    if (!text.trim()) return;
    searchTimer = setTimeout(function () {
      var seq = ++searchSeq;
      api("search", { q: text }).then(function (rows) {
        rows.forEach(function (r) {
          var id = lid(r.entity);
          learn(id, r.label, r.t.slice(r.t.indexOf("#") + 1));
          learnName(id, r.name);
        });
        if (seq !== searchSeq || input.value !== text) return;  // the user typed on
        results = search(text);
        active = results.length ? 0 : -1;
        renderResults();
        root.dataset.kgSearched = text;
      }, failed);
    }, 120);
  }
  /** A name to an entity: a name seen already, else the store's best match. */
  function resolve(text) {
    var known = findEntity(text);
    if (known || !text.trim()) return Promise.resolve(known);
    return api("search", { q: text }).then(function (rows) {
      rows.forEach(function (r) {
        var id = lid(r.entity);
        learn(id, r.label, r.t.slice(r.t.indexOf("#") + 1));
        learnName(id, r.name);
      });
      return findEntity(text);
    });
  }
  /** Shortest paths over the store: the relations of both ends, then of the first ring around
   *  each (at most SERVER.maxBring each, the most reported first), until a path is found. */
  function serverPaths() {
    var fromText = $("kg-path-from").value, toText = $("kg-path-to").value;
    var status = $("kg-path-status");
    status.textContent = "Looking…";
    Promise.all([pathStart && nameOf(pathStart) === fromText ? Promise.resolve(pathStart) : resolve(fromText),
      resolve(toText)]).then(function (ab) {
      var a = ab[0], b = ab[1];
      status.textContent = !a ? "No entity named “" + fromText + "”" : !b ? "No entity named “" + toText + "”" : "";
      if (!a || !b) return;
      function ring(id) {
        return (LINKS_OF[id] || []).slice(0, SERVER.maxBring).map(function (l) { return l.s === id ? l.o : l.s; });
      }
      var rounds = [function () { return [a, b]; }, function () { return ring(a); }, function () { return ring(b); }];
      (function step(k) {
        if (k >= rounds.length || (k > 0 && shortestPaths(a, b, 1).length)) { showPaths(a, b); return; }
        loadLinks(rounds[k]()).then(function () { step(k + 1); }, failed);
      })(0);
    }, failed);
  }
  /** A relation's evidence, a page at a time, after its heading. */
  function evidencePages(r, after) {
    var list = h("ol", { class: "kg-evidence" });
    var more = h("button", { type: "button", class: "kg-action kg-more", hidden: true }, "More evidence");
    var note = h("p", { class: "kg-muted", text: "Loading evidence…" });
    after.after(list, note, more);
    var page = 0;
    function next() {
      more.hidden = true;
      api("evidence", { a: r.assertion, page: String(page) }).then(function (rows) {
        note.textContent = "";
        rows.slice(0, SERVER.evidencePage).forEach(function (x) {
          var doc = lid(x.doc);
          if (!DOCS[doc]) {
            DOCS[doc] = { name: x.docLabel || doc };
            ["title", "date", "url"].forEach(function (k) { if (x[k]) DOCS[doc][k] = x[k]; });
          }
          list.append(evidenceRow({ sentence: x.sentence, doc: doc, rules: x.rules.split(" ").sort(),
            confidence: parseFloat(x.confidence), start: parseInt(x.charStart, 10), end: parseInt(x.charEnd, 10) }));
        });
        page++;
        more.hidden = rows.length <= SERVER.evidencePage;
        if (!list.childElementCount) note.textContent = "No evidence in the store.";
      }, function (err) { note.textContent = "The store did not answer: " + err.message; });
    }
    more.addEventListener("click", next);
    next();
  }
  /** The empty page: where to start. */
  function showStart() {
    open([
      h("p", { class: "kg-kind", text: "Start" }),
      heading("Browse " + plural(SERVER.entities, "entity", "entities") + " and " +
        plural(SERVER.relations, "relation", "relations")),
      SERVER.note ? h("p", { class: "kg-note", role: "status", text: SERVER.note }) : null,
      h("p", { class: "kg-muted", text: "Search for an entity (press /), or start from one of the most connected:" }),
      h("ul", { class: "kg-names kg-start" }, SERVER.start.map(function (e) {
        return h("li", null, entityLink(e.id), h("small", { class: "kg-muted",
          text: " " + e.type + " · " + plural(e.degree, "relation", "relations") }));
      })),
    ]);
  }
  if (SERVER) {
    root.dataset.kgBusy = "0";
    SERVER.start.forEach(function (e) { learn(e.id, e.label, e.type).degree = e.degree; });
    if (location.hash.length > 1) restoreServed();  // a view someone saved or shared
    showStart();
  }

  // ---- narrow windows: the controls fold away ------------------------------------
  var toggle = $("kg-controls-toggle");
  toggle.addEventListener("click", function () {
    var open = document.body.classList.toggle("kg-controls-open");
    toggle.setAttribute("aria-expanded", String(open));
  });

  DATA.edges.forEach(function (e) { edgeById[e.id] = e; look["e:" + e.id] = "n"; });
  DATA.nodes.forEach(function (n) { look[n.id] = "n"; });
  render();
  window.kgExplorer = {
    network: network, nodes: nodes, edges: edges, data: DATA, timings: timings, state: state,
    search: search, focusNode: focusNode, showEntity: showEntity, showRelation: showRelation, showOther: showOther,
    applyFilters: applyFilters, render: render, setFrozen: setFrozen, setFocus: setFocus, clearFocus: clearFocus,
    bringIntoView: bringIntoView, shortestPaths: shortestPaths, showPaths: showPaths,
    pngDataUrl: pngDataUrl, csvText: csvText, restoreState: restoreState,
    isFrozen: function () { return frozen; },
  };
  root.addEventListener("kg-settled", restoreState);
})();
