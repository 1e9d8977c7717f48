/* Completion in the SPARQL editor (issue 12): prefixes, the ontology's classes and properties
 * (from the form's data-vocabulary) and the graph's elements by name (from /api/suggest).
 *
 * Opens while typing a name (or with Ctrl+Space); Up/Down choose, Enter inserts, Escape
 * closes; Tab still leaves the editor. Announced as a list: the editor's input field says it
 * completes from a list (aria-autocomplete), points at the list (aria-controls) and at the
 * chosen option (aria-activedescendant); a status line says how many suggestions there are.
 * Every text from the graph goes into the DOM with textContent.
 * window.amkgComplete(cm, form) is called by editor.js once CodeMirror is up. */
(function () {
  "use strict";

  var KG = "https://w3id.org/amkg/id/";
  var WORD = /[A-Za-z_][\w.-]*:?[\w.-]*$|:[\w.-]*$/;
  var MAX = 12;

  window.amkgComplete = function (cm, form) {
    var msg = function (key) { return form.getAttribute("data-msg-" + key) || ""; };
    var prefixes = JSON.parse(form.getAttribute("data-prefixes") || "{}");
    var vocab = JSON.parse(form.getAttribute("data-vocabulary") || "[]");
    var list = document.getElementById("editor-complete");
    var status = document.getElementById("editor-complete-status");
    var field = cm.getInputField();
    var options = [];
    var active = -1;
    var from = null;
    var serial = 0;
    var lang = document.documentElement.getAttribute("lang") || "nl";

    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-describedby", "editor-complete-help");
    document.body.appendChild(list); // placed at the cursor, in page coordinates

    function word() {
      var cur = cm.getCursor();
      var before = cm.getLine(cur.line).slice(0, cur.ch);
      var m = WORD.exec(before);
      var text = m ? m[0] : "";
      return { text: text, from: { line: cur.line, ch: cur.ch - text.length }, to: cur, line: before };
    }

    function local(text) {
      var q = text.toLowerCase();
      var colon = q.indexOf(":");
      var out = [];
      if (colon < 0) {
        Object.keys(prefixes).forEach(function (p) {
          if (p.indexOf(q) === 0) { out.push({ insert: p + ":", name: p + ":", note: prefixes[p], kind: "prefix" }); }
        });
      }
      vocab.forEach(function (v) {
        var name = v.name.toLowerCase();
        var localName = name.slice(name.indexOf(":") + 1);
        var hit = colon >= 0 ? name.indexOf(q) === 0 : (localName.indexOf(q) === 0 || (q.length > 2 && v.label.toLowerCase().indexOf(q) >= 0));
        if (hit) { out.push({ insert: v.name, name: v.name, note: v.label, kind: v.kind }); }
      });
      return out;
    }

    function render() {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      options.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = "editor-complete-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        var name = document.createElement("span");
        name.className = "complete-name";
        name.textContent = o.name;
        li.appendChild(name);
        var note = document.createElement("span");
        note.className = "complete-note";
        note.textContent = " " + (msg("kind-" + o.kind) || o.kind) + (o.note ? " · " + o.note : "");
        li.appendChild(note);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (active >= 0) {
        field.setAttribute("aria-activedescendant", "editor-complete-" + active);
        var el = document.getElementById("editor-complete-" + active);
        if (el && el.scrollIntoView) { el.scrollIntoView({ block: "nearest" }); }
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    function place() {
      var at = cm.cursorCoords(from, "page");
      list.hidden = false;
      var width = list.offsetWidth;
      var left = Math.max(4, Math.min(at.left, document.documentElement.clientWidth - width - 8));
      list.style.left = left + "px";
      list.style.top = at.bottom + 2 + "px";
    }

    function open(found, start) {
      options = found.slice(0, MAX);
      from = start;
      if (!options.length) { close(msg("complete-none")); return; }
      active = 0;
      field.setAttribute("aria-controls", "editor-complete");
      render();
      place();
      cm.addKeyMap(keys);
      status.textContent = (options.length === 1 ? msg("complete-one") : msg("complete-count")).replace("{n}", String(options.length));
    }

    function close(say) {
      if (list.hidden && !options.length) { if (say) { status.textContent = say; } return; }
      options = [];
      active = -1;
      list.hidden = true;
      field.removeAttribute("aria-activedescendant");
      field.removeAttribute("aria-controls");
      cm.removeKeyMap(keys);
      status.textContent = say || "";
    }

    function choose(i) {
      var o = options[i];
      if (!o) { return; }
      var w = word();
      var text = o.insert;
      if (o.kind === "prefix" && /^\s*PREFIX\s+[\w-]*$/i.test(w.line)) { text = o.name + " <" + prefixes[o.name.slice(0, -1)] + ">"; }
      cm.replaceRange(text, w.from, w.to);
      close(msg("complete-inserted").replace("{name}", o.name));
      cm.focus();
    }

    function move(step) {
      if (!options.length) { return; }
      active = (active + step + options.length) % options.length;
      render();
    }

    var keys = {
      Up: function () { move(-1); },
      Down: function () { move(1); },
      Enter: function () { choose(active); },
      Esc: function () { close(msg("complete-closed")); },
      Tab: function () { close(); return window.CodeMirror.Pass; }
    };

    function suggest(force) {
      var w = word();
      var text = w.text;
      if (!force && (text.length < 2 || /^\d/.test(text))) { close(); return; }
      var found = local(text);
      var mine = ++serial;
      var colon = text.indexOf(":");
      var prefix = colon >= 0 ? text.slice(0, colon) : "";
      var rest = colon >= 0 ? text.slice(colon + 1) : text;
      var entities = (prefix === "kg" && rest.length >= 2) || (colon < 0 && text.length >= 3);
      open(found, w.from);
      if (!entities) { return; }
      var params = new URLSearchParams({ q: rest, limit: "8", lang: lang });
      fetch("/api/suggest?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) {
          if (mine !== serial) { return; }
          var more = (hits || []).filter(function (h) { return h.iri.indexOf(KG) === 0; }).map(function (h) {
            var name = "kg:" + h.iri.slice(KG.length);
            return { insert: /^[\w.-]+$/.test(h.iri.slice(KG.length)) ? name : "<" + h.iri + ">", name: name, note: h.label, kind: "entity" };
          });
          var again = word();
          if (again.text !== text) { return; }
          open(found.concat(more), again.from);
        })
        .catch(function () { /* no entity suggestions; the local ones stay */ });
    }

    cm.on("inputRead", function (_cm, change) {
      if (change.origin === "+input") { suggest(false); }
    });
    cm.on("change", function (_cm, change) {
      if (change.origin === "+delete" && options.length) { suggest(false); }
    });
    cm.on("blur", function () { close(); });
    cm.on("cursorActivity", function () {
      if (options.length && from && (cm.getCursor().line !== from.line || cm.getCursor().ch < from.ch)) { close(); }
    });
    cm.addKeyMap({ "Ctrl-Space": function () { suggest(true); } });
    window.addEventListener("resize", function () { if (options.length) { place(); } });
  };
}());
