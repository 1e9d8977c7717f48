/* Type-ahead over GET /api/suggest?q=...&lang=... on this origin (ARIA 1.2 combobox with a
 * listbox popup): the one module behind the site search and the entity pickers. It attaches to
 * every element with data-suggest (window.amkgSuggest.attach(el) does it for one added later):
 *
 * - on a <form> (the site search): the form's search or text input gets the suggestions and the
 *   popup goes inside the form. Without JavaScript the form still submits to /zoeken.
 * - on an <input> (the pickers of /pad and /queries/<name>): the input is wrapped in a
 *   <div class="picker"> that holds the popup. Without JavaScript the field takes a name,
 *   prefixed name or IRI and the server resolves it.
 *
 * data-suggest="navigate" (or empty): choosing a suggestion opens the entity's page.
 * data-suggest="fill": choosing one does not navigate; it fills the field with the entity's
 *   label, and when the form is sent while the field still holds that label (data-label) it sends
 *   the entity's IRI (data-iri) instead. data-suggest-types="A|B" offers only entities whose type
 *   label is one of those (the class of a query parameter and its sub-classes).
 * data-no-results and data-results ("{n}": the count) on the same element are what the status
 *   line says. Arrow keys move, Enter takes the highlighted suggestion, Escape closes (and, in
 *   navigate mode, empties the field when nothing is open). */
(function () {
  "use strict";

  var DELAY_MS = 120;
  var SHOWN = 12;          /* suggestions a picker shows */
  var FILTER_POOL = 50;    /* asked for when a type filter will drop some */
  var count = 0;

  /* Fill mode: a form sends the chosen entities' IRIs, not their (maybe shared) labels. */
  function sendIris(form) {
    if (form.hasAttribute("data-suggest-bound")) { return; }
    form.setAttribute("data-suggest-bound", "");
    form.addEventListener("submit", function () {
      var inputs = form.querySelectorAll("input[data-suggest=fill]");
      for (var k = 0; k < inputs.length; k++) {
        var iri = inputs[k].getAttribute("data-iri");
        if (iri && inputs[k].value === inputs[k].getAttribute("data-label")) {
          inputs[k].value = iri;
        }
      }
    });
  }

  function attach(host) {
    var isForm = host.tagName === "FORM";
    var input = isForm ? host.querySelector("input[type=search], input[type=text]") : host;
    if (!input || input.hasAttribute("aria-controls")) { return; }
    var fill = host.getAttribute("data-suggest") === "fill";
    var types = (host.getAttribute("data-suggest-types") || "").split("|").filter(Boolean);
    var form = input.form;
    var lang = document.documentElement.getAttribute("lang") || "nl";
    var listId = (input.id || "suggest-" + count++) + "-listbox";
    var list = document.createElement("ul");
    var live = document.createElement("p");
    var timer = null, serial = 0, items = [], active = -1;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var labelEl = form ? form.querySelector("label[for='" + input.id + "']") : null;
    if (labelEl) {
      if (!labelEl.id) { labelEl.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", labelEl.id);
    }
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    if (isForm) {
      host.classList.add("has-suggest");
      input.insertAdjacentElement("afterend", list);
      host.appendChild(live);
    } else {
      var wrap = document.createElement("div");
      wrap.className = "picker";
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      wrap.appendChild(list);
      wrap.appendChild(live);
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    if (fill && form) { sendIris(form); }

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
      if (i < 0) { input.removeAttribute("aria-activedescendant"); }
    }

    function choose(i) {
      var item = items[i];
      if (!item) { return; }
      if (!fill) {
        if (item.url) { window.location.assign(item.url); }
        return;
      }
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
        live.textContent = host.getAttribute("data-no-results") || "";
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
        name.textContent = r.label;            /* text, never HTML */
        type.className = "suggestion-type";
        type.textContent = r.type + (r.match && !fill ? " · " + r.match : "");
        li.appendChild(name);
        li.appendChild(type);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      var one = results.length === 1 && host.getAttribute("data-result-one");
      live.textContent = one || (host.getAttribute("data-results") || "{n}").replace("{n}", String(results.length));
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      var mine = ++serial;
      if (!q) { render([]); live.textContent = ""; return; }
      var url = "/api/suggest?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang);
      if (fill) { url += "&limit=" + (types.length ? FILTER_POOL : SHOWN); }
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.json() : []; })
        .then(function (data) {
          if (mine !== serial) { return; }
          var found = Array.isArray(data) ? data : [];
          if (types.length) {
            found = found.filter(function (r) { return types.indexOf(r.type) !== -1; });
          }
          render(fill ? found.slice(0, SHOWN) : found);
        })
        .catch(function () { if (mine === serial) { render([]); } });
    }

    input.addEventListener("input", function () {
      if (fill) { input.removeAttribute("data-iri"); }
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden && items.length > 0;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (!open) { if (items.length && !fill) { render(items); } else { fetchSuggestions(); } return; }
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (ev.key === "ArrowUp") {
        if (!open) { return; }
        ev.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (ev.key === "Enter") {
        if (open && active >= 0) { ev.preventDefault(); choose(active); }
      } else if (ev.key === "Escape") {
        if (open) { ev.preventDefault(); close(); } else if (!fill) { input.value = ""; }
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    if (!fill) {
      input.addEventListener("focus", function () { if (items.length && input.value.trim()) { render(items); } });
    }
  }

  function init() {
    var hosts = document.querySelectorAll("[data-suggest]");
    for (var i = 0; i < hosts.length; i++) { attach(hosts[i]); }
  }

  window.amkgSuggest = { attach: attach };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
