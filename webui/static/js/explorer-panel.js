/* The graph explorer's side panel and its expansion in place; used by explorer.js, which
 * passes its context (strings, the vis DataSets, helpers). Everything from the graph is put
 * into the DOM as text (textContent); links are built as elements, never as HTML. */
(function () {
  "use strict";

  window.amkgExplorerPanel = function (ctx) {
    var S = ctx.S, el = ctx.el, fmt = ctx.fmt, clear = ctx.clear, langArg = ctx.langArg;
    var root = ctx.root, container = ctx.container;
    var panel = document.getElementById("amkg-panel");
    var panelBody = document.getElementById("amkg-panel-body");
    var panelSerial = 0;

    function setPanel(open) {
      if (panel.hidden !== open) { return; }
      panel.hidden = !open;
      root.classList.toggle("panel-open", open);
    }
    function closePanel() { setPanel(false); }
    document.getElementById("amkg-panel-close").addEventListener("click", function () {
      closePanel();
      var canvas = container.querySelector(".vis-network");
      if (canvas) { canvas.focus({ preventScroll: true }); }
    });
    function section(title) {
      var s = el("section", "panel-section");
      s.appendChild(el("h3", "", title));
      panelBody.appendChild(s);
      return s;
    }
    function openPanel(id) {
      var n = ctx.nodes().get(id);
      if (!n) { return; }
      setPanel(true);
      reveal(id);
      document.getElementById("amkg-panel-title").textContent = n.full || n.label;
      document.getElementById("amkg-panel-type").textContent = "";
      clear(panelBody);
      panelBody.appendChild(el("p", "muted", S.loading));
      var mine = ++panelSerial;
      fetch("/api/graph/node?id=" + encodeURIComponent(id) + langArg(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) { if (mine === panelSerial && !d.error) { fillPanel(d); } });
    }
    // Leads with what the element is (its kind, name and description) and its source (slide
    // and quote); then what to do with it; then its links by relation, folded; then the rest.
    var LEAD = { "dcterms:description": 1, "amkg:overviewText": 1, "amkg:effectText": 1, "amkg:leverPhrase": 1 };
    function fillPanel(d) {
      clear(panelBody);
      document.getElementById("amkg-panel-title").textContent = d.label;
      document.getElementById("amkg-panel-type").textContent = d.cls_label;
      var rest = [];
      d.properties.forEach(function (p) {
        if (LEAD[p.predicate]) {
          p.values.forEach(function (v) {
            var lead = el("p", "panel-lead", v);
            lead.setAttribute("lang", "nl");
            panelBody.appendChild(lead);
          });
        } else { rest.push(p); }
      });
      var ps = section(S.provenance);
      if (!d.provenance.length) { ps.appendChild(el("p", "muted", S.no_provenance)); }
      d.provenance.forEach(function (c) {
        var fig = el("figure", "citation");
        var q = el("blockquote", "", c.quote);
        q.setAttribute("lang", "nl");
        fig.appendChild(q);
        var where = S.slide + (c.slide_index ? " " + c.slide_index : "") + ": " + c.slide + (c.section ? " · " + c.section : "");
        fig.appendChild(el("figcaption", "", where));
        ps.appendChild(fig);
      });
      var actions = el("p", "panel-actions");
      if (d.url) {
        var a = el("a", "button", S.open_page);
        a.href = d.url;
        actions.appendChild(a);
      }
      var here = el("a", "button button-secondary", S.show_here);
      here.href = "/graph?focus=" + encodeURIComponent(d.ref) + langArg();
      actions.appendChild(here);
      var ex = el("button", "button button-secondary", S.expand);
      ex.type = "button";
      ex.addEventListener("click", function () { expandNode(d.ref); });
      actions.appendChild(ex);
      panelBody.appendChild(actions);
      if (d.link_groups && d.link_groups.length) {
        var ls = section(fmt(S.links_count || S.links, { n: d.links_total }));
        d.link_groups.forEach(function (g) {
          var box = el("details", "panel-group");
          if (d.link_groups.length === 1 || g.count <= 2) { box.open = true; }
          var sum = el("summary", "", (g.direction === "out" ? "→ " : "← ") + g.label + " (" + g.count + ")");
          box.appendChild(sum);
          var ul = el("ul", "panel-links");
          g.links.forEach(function (l) {
            var li = el("li", l.inferred ? "link-inferred" : "");
            var target;
            if (ctx.nodes().get(l.ref)) {
              target = el("button", "link-target", l.target);
              target.type = "button";
              target.addEventListener("click", function () { openPanel(l.ref); ctx.centre(l.ref); });
            } else {
              target = el("a", "link-target", l.target);
              target.href = "/graph?focus=" + encodeURIComponent(l.ref) + langArg();
            }
            li.appendChild(target);
            if (l.inferred) { li.appendChild(el("span", "link-pred", " (" + S.inferred_word + ")")); }
            ul.appendChild(li);
          });
          box.appendChild(ul);
          if (g.count > g.links.length) { box.appendChild(el("p", "muted", fmt(S.links_more, { n: g.count - g.links.length }))); }
          ls.appendChild(box);
        });
      }
      if (rest.length) {
        var more = el("details", "panel-group");
        more.appendChild(el("summary", "", S.properties + " (" + rest.length + ")"));
        var dl = el("dl", "panel-props");
        rest.forEach(function (p) {
          dl.appendChild(el("dt", "", p.label));
          p.values.forEach(function (v) { dl.appendChild(el("dd", "", v)); });
        });
        more.appendChild(dl);
        panelBody.appendChild(more);
      }
      panelBody.appendChild(el("p", "panel-ref", d.ref));
    }

    // The panel lies over the right of the canvas: move the picture so that the node it
    // describes stays in view, left of the panel.
    function reveal(id) {
      var net = ctx.network();
      var pos = net.getPositions([id])[id];
      if (!pos || panel.hidden || getComputedStyle(panel).position !== "absolute") { return; }
      var dom = net.canvasToDOM(pos);
      var box = container.getBoundingClientRect();
      var covered = box.left + dom.x > panel.getBoundingClientRect().left - 24;
      if (!covered) { return; }
      var free = panel.getBoundingClientRect().left - box.left;
      net.moveTo({ position: pos, scale: net.getScale(), offset: { x: free / 2 - box.width / 2, y: dom.y - box.height / 2 } });
    }

    function expandNode(id) {
      var n = ctx.nodes().get(id);
      if (!n) { return; }
      var pos = ctx.network().getPositions([id])[id];
      var q = new URLSearchParams({ id: id, x: String(Math.round(pos.x)), y: String(Math.round(pos.y)) });
      if (ctx.state().hideChanged) { q.set("hide", ctx.state().hide.join(",")); }
      var lang = new URLSearchParams(location.search).get("lang");
      if (lang) { q.set("lang", lang); }
      fetch("/api/graph/expand?" + q.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.error) { return; }
          var room = ctx.cap - ctx.nodes().length;
          var fresh = d.nodes.filter(function (x) { return !ctx.nodes().get(x.id); }).slice(0, Math.max(room, 0));
          ctx.nodes().add(fresh);
          var newEdges = d.edges.filter(function (e) { return !ctx.edges().get(e.id) && ctx.nodes().get(e.from) && ctx.nodes().get(e.to); });
          ctx.edges().add(newEdges);
          var present = d.nodes.filter(function (x) { return ctx.nodes().get(x.id); }).length;
          var left = Math.max(d.total - present, 0);
          if (!left) { // every neighbour is drawn now: back to the plain border of its group
            var g = ctx.view().options.groups[n.group] || {};
            ctx.nodes().update({ id: id, more: 0, borderWidth: 1, shapeProperties: { borderDashes: false },
              color: g.color || {} });
          }
          ctx.grown(fresh.length || !left ? fmt(S.expanded, { n: fresh.length })
            : fmt(S.cap_reached, { cap: ctx.cap }));
        });
    }

    return { open: openPanel, close: closePanel, expand: expandNode };
  };
}());
