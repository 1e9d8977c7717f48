/* The SPARQL editor: CodeMirror 5 (vendored, SPARQL mode) over the <textarea>, queries sent
 * to this app's /sparql endpoint, the answer shown as a sortable table (SELECT), a yes/no
 * (ASK) or text (CONSTRUCT/DESCRIBE). Errors of the endpoint are shown as it states them.
 * Tab leaves the editor (no keyboard trap); Ctrl+Enter (Cmd+Enter) runs the query. */
(function () {
  "use strict";

  var ID_BASE = "https://w3id.org/amkg/id/";
  var DEF_BASE = "https://w3id.org/amkg/def#";

  function init() {
    var form = document.getElementById("editor-form");
    var textarea = document.getElementById("sparql-query");
    if (!form || !textarea) { return; }
    var msg = function (key) { return form.getAttribute("data-msg-" + key) || ""; };
    var endpoint = form.getAttribute("data-endpoint") || "/sparql";
    var prefixes = JSON.parse(form.getAttribute("data-prefixes") || "{}");
    var status = document.getElementById("editor-status");
    var errorBox = document.getElementById("editor-error");
    var errorText = document.getElementById("editor-error-text");
    var results = document.getElementById("editor-results");
    var wrap = document.getElementById("results-wrap");
    var dlCsv = document.getElementById("dl-csv");
    var dlJson = document.getElementById("dl-json");
    var addPrefixes = document.getElementById("add-prefixes");
    var cm = null;

    if (window.CodeMirror) {
      cm = window.CodeMirror.fromTextArea(textarea, {
        mode: "application/sparql-query", lineNumbers: true, matchBrackets: true,
        indentUnit: 2, inputStyle: "contenteditable", lineWrapping: true,
        extraKeys: { "Tab": false, "Shift-Tab": false, "Ctrl-Enter": run, "Cmd-Enter": run }
      });
      var field = cm.getInputField();
      field.setAttribute("aria-label", document.querySelector("label[for=sparql-query]").textContent);
      // aria-multiline belongs to a textbox: CodeMirror's contenteditable field gets the role
      field.setAttribute("role", "textbox");
      field.setAttribute("aria-multiline", "true");
      document.querySelector("label[for=sparql-query]").addEventListener("click", function () { cm.focus(); });
      if (window.amkgComplete) { window.amkgComplete(cm, form); }
      // Resizable (drag its lower edge); it also grows to its query, up to most of the screen.
      resizer();
      fitHeight();
    }

    // The handle under the editor: drag it, or focus it and use the arrow keys (a window
    // splitter: its value is the editor's height in % of the window).
    function resizer() {
      var handle = document.getElementById("editor-resize");
      var wrapper = cm.getWrapperElement();
      if (!handle) { return; }
      handle.hidden = false;
      function setHeight(px) {
        var h = Math.max(160, Math.min(px, Math.round(window.innerHeight * 0.9)));
        wrapper.style.height = h + "px";
        handle.setAttribute("aria-valuenow", String(Math.round(100 * h / window.innerHeight)));
        cm.refresh();
      }
      handle.addEventListener("pointerdown", function (ev) {
        ev.preventDefault();
        var startY = ev.clientY, startH = wrapper.offsetHeight;
        handle.setPointerCapture(ev.pointerId);
        function move(e) { setHeight(startH + e.clientY - startY); }
        function up() { handle.removeEventListener("pointermove", move); handle.removeEventListener("pointerup", up); }
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", up);
      });
      handle.addEventListener("keydown", function (ev) {
        var step = { ArrowDown: 48, ArrowUp: -48, PageDown: 240, PageUp: -240 }[ev.key];
        if (step) { ev.preventDefault(); setHeight(wrapper.offsetHeight + step); }
      });
      cm.amkgSetHeight = setHeight;
    }

    function fitHeight() {
      if (!cm) { return; }
      var wrapper = cm.getWrapperElement();
      var lines = cm.lineCount() + 2;
      var want = Math.min(Math.max(lines * cm.defaultTextHeight() + 12, 288), Math.round(window.innerHeight * 0.7));
      if (want > wrapper.offsetHeight) { if (cm.amkgSetHeight) { cm.amkgSetHeight(want); } else { wrapper.style.height = want + "px"; cm.refresh(); } }
    }
    function text() { return cm ? cm.getValue() : textarea.value; }
    function setText(value) { if (cm) { cm.setValue(value); fitHeight(); cm.focus(); } else { textarea.value = value; } }

    function short(iri) {
      for (var p in prefixes) {
        if (Object.prototype.hasOwnProperty.call(prefixes, p) && iri.indexOf(prefixes[p]) === 0) {
          var local = iri.slice(prefixes[p].length);
          if (/^[A-Za-z0-9_.-]*$/.test(local)) { return p + ":" + local; }
        }
      }
      return iri;
    }

    function pageOf(iri) {
      if (iri.indexOf(ID_BASE) === 0 && iri.length > ID_BASE.length) { return "/id/" + iri.slice(ID_BASE.length); }
      if (iri.indexOf(DEF_BASE) === 0 && iri.length > DEF_BASE.length) { return "/def/" + iri.slice(DEF_BASE.length); }
      return null;
    }

    function cell(term) {
      var td = document.createElement("td");
      if (!term) { return td; }
      if (term.type === "uri") {
        var page = pageOf(term.value);
        var node = document.createElement(page ? "a" : "span");
        if (page) { node.href = page; }
        node.title = term.value;
        node.textContent = short(term.value);
        td.appendChild(node);
      } else {
        var span = document.createElement("span");
        span.textContent = term.value;
        if (term["xml:lang"]) { span.lang = term["xml:lang"]; }
        td.appendChild(span);
        var extra = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? short(term.datatype) : "");
        if (extra) {
          var small = document.createElement("span");
          small.className = "term-type";
          small.textContent = " " + extra;
          td.appendChild(small);
        }
      }
      return td;
    }

    function table(data) {
      var vars = (data.head && data.head.vars) || [];
      var rows = (data.results && data.results.bindings) || [];
      var t = document.createElement("table");
      t.className = "results-table";
      var head = t.createTHead().insertRow();
      vars.forEach(function (v) {
        var th = document.createElement("th");
        th.scope = "col";
        th.textContent = v;
        head.appendChild(th);
      });
      var body = t.createTBody();
      rows.forEach(function (b) {
        var tr = body.insertRow();
        vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      });
      return { table: t, count: rows.length };
    }

    function showError(message) {
      errorText.textContent = message;
      errorBox.hidden = false;
      results.hidden = true;
      status.textContent = msg("error");
    }

    function downloads(query) {
      dlCsv.href = endpoint + "?" + new URLSearchParams({ query: query, format: "csv" }).toString();
      dlJson.href = endpoint + "?" + new URLSearchParams({ query: query, format: "json" }).toString();
      dlCsv.hidden = false;
      dlJson.hidden = false;
    }

    function run() {
      var query = text();
      var started = Date.now();
      errorBox.hidden = true;
      status.textContent = msg("running");
      window.history.replaceState(null, "", "/sparql-editor?" + new URLSearchParams({ query: query }).toString());
      fetch(endpoint, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
        body: new URLSearchParams({ query: query }).toString()
      }).then(function (resp) {
        var type = resp.headers.get("Content-Type") || "";
        var truncated = resp.headers.get("X-AMKG-Truncated") === "true";
        var took = msg("time").replace("{ms}", String(Date.now() - started));
        if (!resp.ok) {
          return resp.text().then(function (body) {
            var reason = body;
            try { var e = JSON.parse(body).error; reason = e.status + " " + e.title + ": " + e.reason; } catch (ignore) { /* text */ }
            showError(reason);
          });
        }
        wrap.textContent = "";
        results.hidden = false;
        downloads(query);
        if (type.indexOf("json") !== -1) {
          return resp.json().then(function (data) {
            if (typeof data.boolean === "boolean") {
              var p = document.createElement("p");
              p.className = "ask-answer";
              p.textContent = data.boolean ? msg("true") : msg("false");
              wrap.appendChild(p);
              status.textContent = p.textContent + " · " + took;
              return;
            }
            var made = table(data);
            if (made.count) {
              wrap.appendChild(made.table);
              if (window.AMKGSort) { window.AMKGSort.makeSortable(made.table); }
            } else {
              var empty = document.createElement("p");
              empty.className = "empty";
              empty.textContent = msg("empty");
              wrap.appendChild(empty);
            }
            status.textContent = (made.count === 1 ? msg("row") : msg("rows")).replace("{n}", String(made.count)) + " · " + took +
              (truncated ? " · " + msg("truncated") : "");
          });
        }
        return resp.text().then(function (body) {
          var pre = document.createElement("pre");
          pre.className = "graph-text";
          pre.textContent = body;
          wrap.appendChild(pre);
          status.textContent = took + (truncated ? " · " + msg("truncated") : "");
        });
      }).catch(function () { showError(msg("network")); });
    }

    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });

    addPrefixes.hidden = false;
    addPrefixes.addEventListener("click", function () {
      var current = text();
      var missing = "";
      for (var p in prefixes) {
        if (Object.prototype.hasOwnProperty.call(prefixes, p) &&
            !new RegExp("PREFIX\\s+" + p + ":", "i").test(current)) {
          missing += "PREFIX " + p + ": <" + prefixes[p] + ">\n";
        }
      }
      setText(missing + current);
    });

    var examples = document.querySelectorAll("a[data-example]");
    Array.prototype.forEach.call(examples, function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var query = new URL(a.href, window.location.href).searchParams.get("query") || "";
        setText(query);
        status.textContent = a.textContent;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
