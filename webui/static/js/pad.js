/* Entity pickers: type-ahead over GET /api/suggest for <input data-picker>.
 * Used by the path finder (/pad) and by the IRI parameters of /queries/<name>.
 * Unlike the site search (suggest.js) choosing a suggestion does not navigate: it fills the
 * field with the entity's label, and the form sends the entity's IRI. An input with
 * data-types="A|B" only offers entities whose type label is one of those (the class of the
 * parameter and its sub-classes). Without JavaScript the field takes a name, prefixed name
 * or IRI and the server resolves it. ARIA 1.2 combobox with a listbox popup. */
(function () {
  "use strict";

  var DELAY_MS = 120;

  function setup(input, index) {
    var form = input.form;
    var lang = document.documentElement.getAttribute("lang") || "nl";
    var types = (input.getAttribute("data-types") || "").split("|").filter(Boolean);
    var listId = (input.id || "picker-" + index) + "-listbox";
    var wrap = document.createElement("div");
    var list = document.createElement("ul");
    var live = document.createElement("p");
    var timer = null, serial = 0, items = [], active = -1;

    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = form ? form.querySelector("label[for='" + input.id + "']") : null;
    if (label) {
      if (!label.id) { label.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    wrap.appendChild(list);
    wrap.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      active = i;
      for (var k = 0; k < options.length; k++) {
        var on = k === i;
        options[k].setAttribute("aria-selected", on ? "true" : "false");
        options[k].classList.toggle("active", on);
        if (on) {
          input.setAttribute("aria-activedescendant", options[k].id);
          options[k].scrollIntoView({ block: "nearest" });
        }
      }
    }

    function choose(i) {
      var item = items[i];
      if (!item) { return; }
      input.value = item.label;
      input.setAttribute("data-iri", item.iri);
      input.setAttribute("data-label", item.label);
      close();
      live.textContent = item.label;
    }

    function render(results) {
      items = results;
      list.textContent = "";
      active = -1;
      if (!results.length) {
        close();
        live.textContent = input.getAttribute("data-no-results") || "";
        return;
      }
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        var type = document.createElement("span");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        name.className = "suggestion-label";
        name.textContent = r.label;
        type.className = "suggestion-type";
        type.textContent = r.type;
        li.appendChild(name);
        li.appendChild(type);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = String(results.length);
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      var mine = ++serial;
      if (!q) { render([]); return; }
      var url = "/api/suggest?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang) +
        "&limit=" + (types.length ? "50" : "12");
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.json() : []; })
        .then(function (data) {
          if (mine !== serial) { return; }
          var found = Array.isArray(data) ? data : [];
          if (types.length) {
            found = found.filter(function (r) { return types.indexOf(r.type) !== -1; });
          }
          render(found.slice(0, 12));
        })
        .catch(function () { if (mine === serial) { render([]); } });
    }

    input.addEventListener("input", function () {
      input.removeAttribute("data-iri");
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden && items.length > 0;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (!open) { fetchSuggestions(); return; }
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (ev.key === "ArrowUp") {
        if (!open) { return; }
        ev.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (ev.key === "Enter") {
        if (open && active >= 0) { ev.preventDefault(); choose(active); }
      } else if (ev.key === "Escape") {
        if (open) { ev.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });

    if (form && !form.hasAttribute("data-picker-bound")) {
      form.setAttribute("data-picker-bound", "");
      form.addEventListener("submit", function () {
        var inputs = form.querySelectorAll("input[data-picker]");
        for (var k = 0; k < inputs.length; k++) {
          var iri = inputs[k].getAttribute("data-iri");
          if (iri && inputs[k].value === inputs[k].getAttribute("data-label")) {
            inputs[k].value = iri;   /* send the chosen entity, not its (maybe shared) label */
          }
        }
      });
    }
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-picker]");
    for (var i = 0; i < inputs.length; i++) { setup(inputs[i], i); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
