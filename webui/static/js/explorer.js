/* The graph explorer (/graph): draws the view the server laid out, with vis-network.
 *
 * The first view comes in the page as a JSON data block; later views (filters, layout,
 * legend, back/forward) from /api/graph with the same query arguments as the page URL, which
 * always holds the whole view state. Every label from the graph goes into the DOM with
 * textContent (never innerHTML); vis-network draws labels on a canvas and shows string
 * tooltips as text. Exposes window.amkgNetwork (the vis.Network) and window.amkgExplorer. */
(function () {
  "use strict";

  var root = document.getElementById("amkg-explorer");
  if (!root || typeof vis === "undefined") { return; }
  var t0 = performance.now();
  var timings = { start: t0 };
  window.amkgTimings = timings;

  var S = JSON.parse(document.getElementById("amkg-strings").textContent);
  var view = JSON.parse(document.getElementById("amkg-graph-data").textContent);
  var cap = parseInt(root.getAttribute("data-cap"), 10) || 500;
  var container = document.getElementById("amkg-graph");
  var statusBox = document.getElementById("amkg-status");
  var legendList = document.getElementById("amkg-legend");
  var controls = document.getElementById("amkg-controls");
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var network = null;
  var state = null;
  var total = 0;
  var serial = 0;
  var SVGNS = "http://www.w3.org/2000/svg";

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } }

  /* ---- URL state ------------------------------------------------------------------ */
  function queryOf(st) {
    var q = new URLSearchParams();
    if (st.focus) { q.set("focus", st.focus); q.set("hops", String(st.hops)); }
    st.tracks.forEach(function (x) { q.append("track", x); });
    st.ministries.forEach(function (x) { q.append("ministry", x); });
    if (st.hideChanged) { q.set("hide", st.hide.slice().sort().join(",")); }
    if (st.layoutChosen) { q.set("layout", st.layout); }
    if (st.physics) { q.set("physics", "1"); }
    var lang = new URLSearchParams(location.search).get("lang");
    if (lang) { q.set("lang", lang); }
    return q.toString();
  }
  function stateFromView(v) {
    var st = v.meta.state;
    var q = new URLSearchParams(location.search);
    return { focus: st.focus, hops: st.hops, hide: st.hide.slice(), tracks: st.tracks.slice(),
      ministries: st.ministries.slice(), layout: st.layout, physics: st.physics,
      hideChanged: q.has("hide"), layoutChosen: q.has("layout") };
  }
  function pushState(replace) {
    var q = queryOf(state);
    var url = location.pathname + (q ? "?" + q : "");
    if (replace) { history.replaceState(null, "", url); } else { history.pushState(null, "", url); }
  }

  /* ---- drawing -------------------------------------------------------------------- */
  function hiddenClasses() {
    var h = {};
    state.hide.forEach(function (c) { h[c] = true; });
    return h;
  }
  function render(v, keepPanel) {
    document.documentElement.removeAttribute("data-graph-ready");
    view = v;
    state = stateFromView(v);
    total = v.meta.total;
    var hidden = hiddenClasses();
    v.nodes.forEach(function (n) { n.hidden = !!hidden[n.group] && n.id !== (v.meta.focus && v.meta.focus.ref); });
    timings.dataLoaded = performance.now() - t0;
    var drawnOnce = false;
    if (!network) {
      nodes = new vis.DataSet(v.nodes);
      edges = new vis.DataSet(v.edges);
      network = new vis.Network(container, { nodes: nodes, edges: edges }, v.options);
      window.amkgNetwork = network;
      bindNetwork();
    } else {
      network.setOptions(v.options);
      nodes = new vis.DataSet(v.nodes);
      edges = new vis.DataSet(v.edges);
      network.setData({ nodes: nodes, edges: edges });
      labelled = [];
    }
    timings.networkCreated = performance.now() - t0;
    network.once("afterDrawing", function () {
      if (drawnOnce) { return; }
      drawnOnce = true;
      timings.firstDraw = performance.now() - t0;
      readableOnPhone();
      if (!state.physics) { settled(); }
    });
    if (!keepPanel) { closePanel(); }
    syncControls();
    buildLegend();
    updateStatus();
    showLoose(v.meta);
    fillSearchList();
    container.setAttribute("data-nodes", String(nodes.length));
  }
  /* Nodes without a link in the view are not drawn: the line under the status says how many,
   * with a link to the same view that draws them too. */
  function showLoose(meta) {
    var box = document.getElementById("amkg-loose");
    if (!box) { return; }
    clear(box);
    box.hidden = !meta.loose;
    if (!meta.loose) { return; }
    box.appendChild(document.createTextNode(fmt(S.loose, { n: meta.loose }) + " "));
    var a = el("a", "", S.loose_show);
    var q = new URLSearchParams(queryOf(state));
    q.set("loose", "1");
    a.href = "/graph?" + q.toString();
    box.appendChild(a);
  }
  /* The links of the selected node carry their relation as a label; others only on hover. */
  var labelled = [];
  function labelLinks(id) {
    var off = labelled.filter(function (e) { return edges.get(e); }).map(function (e) { return { id: e, label: "" }; });
    labelled = id ? network.getConnectedEdges(id) : [];
    var on = labelled.map(function (e) { var x = edges.get(e); return x ? { id: e, label: x.title } : null; })
      .filter(Boolean);
    edges.update(off.concat(on));
  }
  /* A phone's canvas is narrow: the whole picture would make every label too small to read
   * (vis-network then leaves them out). Start at a readable zoom on the first node in reading
   * order instead; "Fit" shows the whole, the text view lists it. */
  function readableOnPhone() {
    if (container.clientWidth >= 600 || network.getScale() >= 0.6) { return; }
    var scale = 0.75;
    var focusId = view.meta.focus && view.meta.focus.ref;
    if (focusId && nodes.get(focusId)) {
      network.moveTo({ position: network.getPositions([focusId])[focusId], scale: scale });
      return;
    }
    var pos = network.getPositions(visibleNodes().map(function (n) { return n.id; }));
    var ids = Object.keys(pos);
    if (!ids.length) { return; }
    var left = Math.min.apply(null, ids.map(function (k) { return pos[k].x; })) - 110;
    var top = Math.min.apply(null, ids.map(function (k) { return pos[k].y; })) - 30;
    network.moveTo({ position: { x: left + container.clientWidth / (2 * scale), y: top + container.clientHeight / (2 * scale) }, scale: scale });
  }
  function settled() {
    timings.settled = performance.now() - t0;
    document.documentElement.setAttribute("data-graph-ready", "1");
    root.dispatchEvent(new CustomEvent("amkg:settled", { detail: timings }));
  }

  // Keyboard: with the canvas focused, the arrow keys walk the visible nodes in reading order
  // (top to bottom, left to right), Home/End jump to the first/last, Enter opens the panel of
  // the selected node; the status line says which node is selected.
  var cursor = -1;
  function readingOrder() {
    var ids = visibleNodes().map(function (n) { return n.id; });
    var pos = network.getPositions(ids);
    return ids.sort(function (a, b) {
      var pa = pos[a] || { x: 0, y: 0 }, pb = pos[b] || { x: 0, y: 0 };
      return Math.round(pa.y / 40) - Math.round(pb.y / 40) || pa.x - pb.x || (a < b ? -1 : 1);
    });
  }
  function bindKeyboard() {
    container.addEventListener("keydown", function (event) {
      var keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: 0, End: 0 };
      if (event.key === "Enter") {
        var chosen = network.getSelectedNodes();
        if (chosen.length) { event.preventDefault(); openPanel(chosen[0]); }
        return;
      }
      if (!(event.key in keys)) { return; }
      event.preventDefault();
      var order = readingOrder();
      if (!order.length) { return; }
      var current = network.getSelectedNodes()[0];
      cursor = current ? order.indexOf(current) : -1;
      if (event.key === "Home") { cursor = 0; }
      else if (event.key === "End") { cursor = order.length - 1; }
      else { cursor = (cursor + keys[event.key] + order.length) % order.length; }
      var id = order[cursor];
      network.selectNodes([id]);
      labelLinks(id);
      network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: false });
      var node = nodes.get(id);
      updateStatus(fmt(S.kb_selected || "{label} ({n}/{m})", { label: node.full || node.label || id, n: cursor + 1, m: order.length }));
    });
  }

  function bindNetwork() {
    bindKeyboard();
    network.on("stabilized", function () {
      if (state.physics) { timings.stabilized = performance.now() - t0; settled(); }
    });
    network.on("click", function (p) {
      if (p.nodes.length) { openPanel(p.nodes[0]); }
      labelLinks(p.nodes[0]);
    });
    network.on("doubleClick", function (p) {
      if (p.nodes.length) { expandNode(p.nodes[0]); }
    });
    network.on("hoverEdge", function (p) {
      var e = edges.get(p.edge);
      if (e) { edges.update({ id: e.id, label: e.title }); }
    });
    network.on("blurEdge", function (p) {
      if (edges.get(p.edge) && labelled.indexOf(p.edge) < 0) { edges.update({ id: p.edge, label: "" }); }
    });
  }

  function swatch(shape, colour) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    var shapes = {
      square: ["rect", { x: 3, y: 3, width: 14, height: 14 }],
      diamond: ["polygon", { points: "10,1 19,10 10,19 1,10" }],
      hexagon: ["polygon", { points: "5,2 15,2 19,10 15,18 5,18 1,10" }],
      triangle: ["polygon", { points: "10,2 19,18 1,18" }],
      triangleDown: ["polygon", { points: "1,2 19,2 10,18" }],
      star: ["polygon", { points: "10,1 12.6,7.2 19,7.6 14,11.8 15.6,18.5 10,14.8 4.4,18.5 6,11.8 1,7.6 7.4,7.2" }],
      dot: ["circle", { cx: 10, cy: 10, r: 7 }]
    };
    var spec = shapes[shape] || shapes.dot;
    var s = document.createElementNS(SVGNS, spec[0]);
    Object.keys(spec[1]).forEach(function (k) { s.setAttribute(k, String(spec[1][k])); });
    s.setAttribute("fill", /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : "#999");
    svg.appendChild(s);
    return svg;
  }
  function buildLegend() {
    clear(legendList);
    view.legend.forEach(function (item) {
      var li = el("li");
      var b = el("button", "legend-item");
      b.type = "button";
      b.setAttribute("aria-pressed", item.hidden ? "false" : "true");
      b.setAttribute("data-cls", item.cls);
      b.appendChild(swatch(item.shape, item.color));
      b.appendChild(el("span", "legend-label", item.label));
      b.appendChild(el("span", "legend-count", item.total));
      b.addEventListener("click", function () { toggleClass(item.cls); });
      li.appendChild(b);
      legendList.appendChild(li);
    });
  }
  function toggleClass(cls) {
    var i = state.hide.indexOf(cls);
    var present = nodes.get({ filter: function (n) { return n.group === cls; } });
    state.hideChanged = true;
    if (i < 0) {
      state.hide.push(cls);
    } else {
      state.hide.splice(i, 1);
      if (!present.length) { pushState(false); load(); return; } // not drawn yet: ask the server
    }
    var hide = i < 0;
    var focusId = view.meta.focus && view.meta.focus.ref;
    nodes.update(present.map(function (n) { return { id: n.id, hidden: hide && n.id !== focusId }; }));
    view.legend.forEach(function (item) { if (item.cls === cls) { item.hidden = hide; } });
    pushState(false);
    buildLegend();
    updateStatus();
    fillSearchList();
    var btn = legendList.querySelector("button[data-cls='" + cls.replace(/'/g, "") + "']");
    if (btn) { btn.focus(); }
  }
  function visibleNodes() { return nodes.get({ filter: function (n) { return !n.hidden; } }); }

  function updateStatus(extra) {
    clear(statusBox);
    var m = view.meta;
    if (m.focus) { statusBox.appendChild(el("p", "", fmt(S.focus_on, { label: m.focus.label, hops: m.state.hops }))); }
    var p = el("p", "", fmt(S.status, { shown: visibleNodes().length, total: total }));
    var notShown = total - nodes.length;
    if (notShown > 0) {
      p.appendChild(document.createTextNode(" "));
      p.appendChild(el("strong", "explorer-hidden", fmt(S.status_hidden, { hidden: notShown, cap: cap })));
    }
    statusBox.appendChild(p);
    if (extra) { statusBox.appendChild(el("p", "explorer-note", extra)); }
  }
  function syncControls() {
    controls.elements.focus.value = state.focus;
    controls.elements.hops.value = String(state.hops);
    controls.elements.track.value = state.tracks[0] || "";
    controls.elements.ministry.value = state.ministries[0] || "";
    controls.elements.layout.value = state.layout;
    controls.elements.physics.checked = state.physics;
    controls.elements.hide.value = state.hide.join(",");
  }
  function fillSearchList() {
    var list = document.getElementById("amkg-search-list");
    clear(list);
    visibleNodes().slice(0, 600).forEach(function (n) {
      var o = document.createElement("option");
      o.value = n.full || n.label;
      list.appendChild(o);
    });
  }

  /* ---- loading a view ------------------------------------------------------------- */
  function load() {
    var mine = ++serial;
    document.documentElement.removeAttribute("data-graph-ready");
    statusBox.setAttribute("aria-busy", "true");
    var q = queryOf(state);
    return fetch("/api/graph" + (q ? "?" + q : ""), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (mine !== serial) { return; }
        statusBox.removeAttribute("aria-busy");
        if (!res.ok) { throw new Error(res.body && res.body.error ? res.body.error.reason : "?"); }
        render(res.body, false);
      })
      .catch(function (err) {
        statusBox.removeAttribute("aria-busy");
        clear(statusBox);
        statusBox.appendChild(el("p", "explorer-error", fmt(S.error, { reason: err.message })));
      });
  }
  function fromControls() {
    var f = controls.elements;
    state.focus = f.focus.value.trim();
    state.hops = parseInt(f.hops.value, 10) || 2;
    state.tracks = f.track.value ? [f.track.value] : [];
    state.ministries = f.ministry.value ? [f.ministry.value] : [];
    if (f.layout.value !== state.layout) { state.layoutChosen = true; }
    state.layout = f.layout.value;
  }
  controls.addEventListener("submit", function (e) {
    e.preventDefault();
    fromControls();
    pushState(false);
    load();
  });
  ["hops", "track", "ministry", "layout"].forEach(function (name) {
    controls.elements[name].addEventListener("change", function () {
      fromControls();
      pushState(false);
      load();
    });
  });
  controls.elements.physics.addEventListener("change", function () {
    state.physics = controls.elements.physics.checked;
    pushState(true);
    nodes.update(nodes.getIds().map(function (id) { return { id: id, physics: state.physics }; }));
    network.setOptions({ physics: { enabled: state.physics, stabilization: { enabled: state.physics } } });
    if (state.physics) { network.stabilize(150); }
  });
  window.addEventListener("popstate", function () {
    var q = new URLSearchParams(location.search);
    state = { focus: q.get("focus") || "", hops: parseInt(q.get("hops"), 10) || 2,
      hide: q.has("hide") ? q.get("hide").split(",").filter(Boolean) : [],
      tracks: q.getAll("track"), ministries: q.getAll("ministry"), layout: q.get("layout") || "",
      physics: q.get("physics") === "1", hideChanged: q.has("hide"), layoutChosen: q.has("layout") };
    load();
  });

  /* ---- search, fit, PNG ------------------------------------------------------------ */
  function fold(s) { return String(s).toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").trim(); }
  document.getElementById("amkg-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = fold(document.getElementById("amkg-search-input").value);
    if (!q) { return; }
    var all = visibleNodes();
    var name = function (n) { return fold(n.full || n.label); };
    var hit = all.filter(function (n) { return name(n) === q || fold(n.id) === q; })[0] ||
      all.filter(function (n) { return name(n).indexOf(q) === 0; })[0] ||
      all.filter(function (n) { return name(n).indexOf(q) >= 0; })[0];
    if (!hit) { searchElsewhere(document.getElementById("amkg-search-input").value); return; }
    openPanel(hit.id);
    centre(hit.id);
    updateStatus(fmt(S.found, { label: hit.full || hit.label }));
  });
  /* Not drawn here: ask the site's search, and if it knows the element, refocus on it. */
  var KG_NS = "https://w3id.org/amkg/id/";
  function searchElsewhere(typed) {
    var params = new URLSearchParams({ q: typed, limit: "1" });
    var lang = new URLSearchParams(location.search).get("lang");
    if (lang) { params.set("lang", lang); }
    fetch("/api/suggest?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        var first = found && found[0];
        var id = first && first.iri.indexOf(KG_NS) === 0 ? "kg:" + first.iri.slice(KG_NS.length) : null;
        if (!id) { updateStatus(fmt(S.not_found, { q: typed })); return; }
        state.focus = id;
        syncControls();
        pushState(false);
        return load().then(function () {
          if (nodes.get(id)) { openPanel(id); centre(id); }
          updateStatus(fmt(S.found_elsewhere, { label: first.label }));
        });
      })
      .catch(function () { updateStatus(fmt(S.not_found, { q: typed })); });
  }
  function centre(id) {
    network.selectNodes([id]);
    labelLinks(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 350 } });
  }
  document.getElementById("amkg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });
  document.getElementById("amkg-png").addEventListener("click", function () {
    var src = container.querySelector("canvas");
    var c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height;
    var ctx = c.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(src, 0, 0);
    var a = document.createElement("a");
    a.href = c.toDataURL("image/png");
    a.download = S.png_name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  /* ---- side panel and expansion (explorer-panel.js) ---------------------------------- */
  var parts = window.amkgExplorerPanel({
    S: S, cap: cap, root: root, container: container, el: el, fmt: fmt, clear: clear,
    centre: centre, langArg: langArg,
    nodes: function () { return nodes; },
    edges: function () { return edges; },
    network: function () { return network; },
    view: function () { return view; },
    state: function () { return state; },
    grown: function (message) {
      total = Math.max(total, nodes.length);
      updateStatus(message);
      fillSearchList();
      container.setAttribute("data-nodes", String(nodes.length));
    }
  });
  var openPanel = parts.open;
  var closePanel = parts.close;
  var expandNode = parts.expand;
  function langArg() {
    var lang = new URLSearchParams(location.search).get("lang");
    return lang ? "&lang=" + encodeURIComponent(lang) : "";
  }

  window.amkgExplorer = {
    nodes: function () { return nodes; },
    edges: function () { return edges; },
    visibleNodeIds: function () { return visibleNodes().map(function (n) { return n.id; }); },
    timings: timings,
    expand: expandNode,
    open: openPanel
  };

  // The filters fold away on a small screen; on a wide one they are open.
  var more = document.getElementById("amkg-more");
  if (more && window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) { more.open = true; }

  if (view) { render(view, false); }
}());
