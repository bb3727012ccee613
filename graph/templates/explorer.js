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
    progress.textContent = "This graph has no entities.";
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

  // ---- filters ------------------------------------------------------------
  var hiddenClasses = new Set();
  var hiddenPredicates = new Set();
  var minConfidence = 0;
  var showIsolated = true;
  var nodeHidden = {};
  var edgeHidden = {};

  function applyFilters() {
    var nu = [];
    var eu = [];
    DATA.nodes.forEach(function (n) {
      var hid = hiddenClasses.has(n.group) || (n.kg_isolated === true && !showIsolated);
      if ((nodeHidden[n.id] === true) !== hid) { nodeHidden[n.id] = hid; nu.push({ id: n.id, hidden: hid }); }
    });
    DATA.edges.forEach(function (e) {
      var hid = hiddenPredicates.has(e.kg_predicate) || e.kg_confidence < minConfidence ||
        nodeHidden[e.from] === true || nodeHidden[e.to] === true;
      if ((edgeHidden[e.id] === true) !== hid) { edgeHidden[e.id] = hid; eu.push({ id: e.id, hidden: hid }); }
    });
    if (nu.length) nodes.update(nu);
    if (eu.length) edges.update(eu);
    var shownNodes = DATA.nodes.filter(function (n) { return !nodeHidden[n.id]; }).length;
    var shownEdges = DATA.edges.filter(function (e) { return !edgeHidden[e.id]; }).length;
    $("kg-status").textContent = plural(shownNodes, "entity", "entities") + " and " +
      plural(shownEdges, "relation", "relations") + " shown" +
      (shownNodes < DATA.nodes.length || shownEdges < DATA.edges.length
        ? " (of " + DATA.nodes.length.toLocaleString("en") + " and " +
          DATA.edges.length.toLocaleString("en") + ")" : "");
  }

  document.querySelectorAll("#kg-classes input[data-class]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hiddenClasses.delete(box.dataset.class);
      else hiddenClasses.add(box.dataset.class);
      applyFilters();
    });
  });
  document.querySelectorAll("#kg-predicates input[data-predicate]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hiddenPredicates.delete(box.dataset.predicate);
      else hiddenPredicates.add(box.dataset.predicate);
      applyFilters();
    });
  });
  var isolatedBox = $("kg-isolated");
  if (isolatedBox) {
    isolatedBox.addEventListener("change", function () { showIsolated = isolatedBox.checked; applyFilters(); });
  }
  var slider = $("kg-confidence");
  var pending = false;
  slider.addEventListener("input", function () {
    minConfidence = parseFloat(slider.value) || 0;
    $("kg-confidence-value").textContent = fmt(minConfidence);
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; applyFilters(); });
  });
  $("kg-reset").addEventListener("click", function () {
    document.querySelectorAll("#kg-controls input[type=checkbox][data-class], " +
      "#kg-controls input[type=checkbox][data-predicate]").forEach(function (b) { b.checked = true; });
    hiddenClasses.clear();
    hiddenPredicates.clear();
    if (isolatedBox) isolatedBox.checked = true;
    showIsolated = true;
    slider.value = "0";
    minConfidence = 0;
    $("kg-confidence-value").textContent = fmt(0);
    applyFilters();
  });
  function reveal(n) {
    if (n.kg_isolated && !showIsolated) {
      showIsolated = true;
      if (isolatedBox) isolatedBox.checked = true;
      applyFilters();
    }
    showClass(n.group);
  }
  function showClass(cls) {
    if (!hiddenClasses.has(cls)) return;
    hiddenClasses.delete(cls);
    document.querySelectorAll("#kg-classes input[data-class]").forEach(function (b) {
      if (b.dataset.class === cls) b.checked = true;
    });
    applyFilters();
  }

  $("kg-edge-labels").addEventListener("change", function (ev) {
    var on = ev.target.checked;
    edges.update(DATA.edges.map(function (e) { return { id: e.id, label: on ? e.kg_predicate : " " }; }));
  });

  // ---- details panel --------------------------------------------------------
  var panel = $("kg-details");
  var body = $("kg-details-body");

  function swatch(type) {
    var box = document.querySelector("#kg-classes input[data-class='" + CSS.escape(type) + "']");
    var svg = box && box.parentNode.querySelector("svg");
    return svg ? svg.cloneNode(true) : null;
  }
  function entityLink(id) {
    return h("button", { type: "button", class: "kg-link", title: "Show " + ENT[id].names[0],
      onclick: function () { focusNode(id); } }, ENT[id].names[0]);
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
  }
  $("kg-close").addEventListener("click", closePanel);

  function showEntity(id) {
    var e = ENT[id];
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
    open([
      h("p", { class: "kg-kind" }, swatch(e.type), " ", e.type),
      h("h2", { class: "kg-heading", text: e.names[0] }),
      h("h3", { text: e.names.length > 1 ? "Names" : "Name" }),
      h("ul", { class: "kg-names" }, e.names.map(function (n, i) {
        return h("li", null, n, i === 0 ? h("small", { text: " (label)" }) : null);
      })),
      h("p", { class: "kg-wikidata" }, "Wikidata: ", qid
        ? h("a", { href: "https://www.wikidata.org/wiki/" + qid, target: "_blank",
          rel: "noopener noreferrer external", text: qid })
        : h("span", { class: "kg-muted", text: "not known" })),
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
            return h("li", { class: edgeHidden[a.rid] ? "kg-filtered" : null,
              title: edgeHidden[a.rid] ? "hidden by the filters" : null },
              entityLink(a.other), " ",
              h("button", { type: "button", class: "kg-evidence-link",
                onclick: function () { showRelation(a.rid); } },
                "confidence " + fmt(r.confidence) + " · " +
                plural(r.evidence.length + r.more_evidence, "source", "sources")));
          })));
      }) : h("p", { class: "kg-muted", text: "No relations on this page." }),
      e.degree > shown ? h("p", { class: "kg-muted", text: plural(e.degree - shown, "more relation", "more relations") +
        " with entities left out of this page." }) : null,
    ]);
  }

  function showRelation(rid) {
    var r = REL[rid];
    var rules = [];
    r.evidence.forEach(function (ev) { if (rules.indexOf(ev.rule) < 0) rules.push(ev.rule); });
    var q = r.qualifiers || {};
    var total = r.evidence.length + r.more_evidence;
    network.selectEdges([rid]);
    open([
      h("p", { class: "kg-kind", text: "Relation" }),
      h("h2", { class: "kg-heading" }, entityLink(r.subject), " ",
        h("span", { class: "kg-predicate", text: r.predicate }), " ", entityLink(r.object)),
      h("dl", { class: "kg-facts" },
        h("dt", { text: "Predicate" }), h("dd", { text: r.predicate }),
        h("dt", { text: "Confidence" }), h("dd", { text: fmt(r.confidence) }),
        h("dt", { text: rules.length > 1 ? "Rules" : "Rule" }),
        h("dd", null, rules.map(function (x, i) { return [i ? ", " : "", h("code", { text: x })]; })),
        Object.keys(q).sort().map(function (k) { return [h("dt", { text: k }), h("dd", { text: q[k] })]; })),
      h("h3", { text: "Evidence (" + total + ")" }),
      h("ol", { class: "kg-evidence" }, r.evidence.map(function (ev) {
        return h("li", null,
          h("blockquote", { text: ev.sentence }),
          h("p", { class: "kg-source" }, h("span", { class: "kg-doc", text: ev.doc }),
            " · rule ", h("code", { text: ev.rule }), " · confidence " + fmt(ev.confidence) +
            " · characters " + ev.start + "–" + ev.end));
      })),
      r.more_evidence ? h("p", { class: "kg-muted", text: plural(r.more_evidence, "more sentence", "more sentences") +
        " not included in this page." }) : null,
    ]);
  }

  function focusNode(id) {
    var n = nodes.get(id);
    if (!n) return;
    reveal(n);
    network.selectNodes([id]);
    showEntity(id);
    // the panel covers the right of the canvas: centre the entity in what is left
    var cover = panel.hidden ? 0 : Math.min(panel.offsetWidth, $("mynetwork").clientWidth / 2);
    network.focus(id, { scale: Math.max(1.1, network.getScale()), offset: { x: -cover / 2, y: 0 },
      animation: { duration: 450, easingFunction: "easeInOutQuad" } });
  }

  network.on("click", function (p) {
    if (p.nodes.length) showEntity(p.nodes[0]);
    else if (p.edges.length) showRelation(p.edges[0]);
    else closePanel();
  });

  // ---- search -------------------------------------------------------------
  function norm(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  var INDEX = [];
  Object.keys(ENT).forEach(function (id) {
    var e = ENT[id];
    e.names.forEach(function (name) {
      INDEX.push({ id: id, name: name, key: norm(name), label: e.names[0], type: e.type, degree: e.degree });
    });
  });
  DATA.omitted.listed.forEach(function (o, i) {
    o.names.forEach(function (name) {
      INDEX.push({ id: null, omitted: i, name: name, key: norm(name), label: o.label, type: o.type, degree: o.degree });
    });
  });

  /** Entities with a name containing q: exact name, then prefix, word start, anywhere. */
  function search(q) {
    var k = norm(q);
    if (!k) return [];
    var best = new Map();
    INDEX.forEach(function (it) {
      var pos = it.key.indexOf(k);
      if (pos < 0) return;
      var rank = it.key === k ? 0 : pos === 0 ? 1 : /[\s\W]/.test(it.key.charAt(pos - 1)) ? 2 : 3;
      var key = it.id !== null ? it.id : "omitted:" + it.omitted;
      var prev = best.get(key);
      if (!prev || rank < prev.rank || (rank === prev.rank && it.name === it.label && prev.name !== prev.label)) {
        best.set(key, Object.assign({ rank: rank }, it));
      }
    });
    return Array.from(best.values()).sort(function (a, b) {
      return a.rank - b.rank || (a.id === null) - (b.id === null) || b.degree - a.degree ||
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
      list.append(h("li", { id: "kg-result-" + i, role: "option", "aria-selected": String(i === active),
        class: "kg-result" + (i === active ? " kg-active" : "") + (r.id === null ? " kg-omitted" : ""),
        onmousedown: function (ev) { ev.preventDefault(); choose(i); } },
        swatch(r.type), " ", h("span", { class: "kg-result-label", text: r.label }),
        r.name !== r.label ? h("span", { class: "kg-alias", text: " “" + r.name + "”" }) : null,
        r.id === null ? h("small", { text: " not on this page" }) : null));
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
  function choose(i) {
    var r = results[i];
    if (!r) return;
    results = [];
    active = -1;
    list.replaceChildren();
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    if (r.id !== null) { focusNode(r.id); return; }
    var o = DATA.omitted.listed[r.omitted];
    network.unselectAll();
    open([
      h("p", { class: "kg-kind" }, swatch(o.type), " ", o.type),
      h("h2", { class: "kg-heading", text: o.label }),
      h("p", { text: "Left out of this page: it has " + plural(o.degree, "relation", "relations") +
        ", fewer than the entities shown. Build the page with a higher --max-nodes to see it." }),
      h("ul", { class: "kg-names" }, o.names.map(function (n) { return h("li", { text: n }); })),
    ]);
  }
  input.addEventListener("input", function () { results = search(input.value); active = results.length ? 0 : -1; renderResults(); });
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
      results = [];
      active = -1;
      renderResults();
    }
  });
  input.addEventListener("blur", function () { list.hidden = true; input.setAttribute("aria-expanded", "false"); });
  input.addEventListener("focus", function () { if (results.length) renderResults(); });

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (ev.key === "/" && !typing) { ev.preventDefault(); input.focus(); input.select(); }
    else if (ev.key === "Escape" && !typing && !panel.hidden) closePanel();
  });

  applyFilters();
  window.kgExplorer = {
    network: network, nodes: nodes, edges: edges, data: DATA, timings: timings,
    search: search, focusNode: focusNode, showEntity: showEntity, showRelation: showRelation,
    applyFilters: applyFilters, setFrozen: setFrozen,
    isFrozen: function () { return frozen; },
  };
})();
