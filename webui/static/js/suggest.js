/* Search suggestions as you type (ARIA 1.2 combobox with a listbox popup).
 * Any <form data-suggest> with a text input gets it. Suggestions come from
 * GET /api/suggest?q=...&lang=... on this origin. Arrow keys move, Enter opens,
 * Escape closes. Without JavaScript the form still submits to /zoeken. */
(function () {
  "use strict";

  var DELAY_MS = 120;

  function setup(form, index) {
    var input = form.querySelector("input[type=search], input[type=text]");
    if (!input) { return; }
    var lang = document.documentElement.getAttribute("lang") || "nl";
    var listId = (input.id || "q-" + index) + "-listbox";
    var list = document.createElement("ul");
    var live = document.createElement("p");
    var timer = null;
    var serial = 0;
    var items = [];
    var active = -1;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var labelEl = form.querySelector("label[for='" + input.id + "']");
    if (labelEl) {
      if (!labelEl.id) { labelEl.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", labelEl.id);
    }
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    form.classList.add("has-suggest");
    input.insertAdjacentElement("afterend", list);
    form.appendChild(live);

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
      if (i < 0) { input.removeAttribute("aria-activedescendant"); }
    }

    function go(i) {
      if (items[i] && items[i].url) { window.location.assign(items[i].url); }
    }

    function render(results) {
      items = results;
      list.textContent = "";
      active = -1;
      if (!results.length) {
        close();
        live.textContent = form.getAttribute("data-no-results") || "";
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
        type.textContent = r.type + (r.match ? " · " + r.match : "");
        li.appendChild(name);
        li.appendChild(type);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { go(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = (form.getAttribute("data-results") || "{n}").replace("{n}", String(results.length));
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      var mine = ++serial;
      if (!q) { render([]); live.textContent = ""; return; }
      var url = "/api/suggest?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.json() : []; })
        .then(function (data) { if (mine === serial) { render(Array.isArray(data) ? data : []); } })
        .catch(function () { if (mine === serial) { render([]); } });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden && items.length > 0;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (!open) { if (items.length) { render(items); } else { fetchSuggestions(); } return; }
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (ev.key === "ArrowUp") {
        if (!open) { return; }
        ev.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (ev.key === "Enter") {
        if (open && active >= 0) { ev.preventDefault(); go(active); }
      } else if (ev.key === "Escape") {
        if (open) { ev.preventDefault(); close(); } else { input.value = ""; }
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("focus", function () { if (items.length && input.value.trim()) { render(items); } });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-suggest]");
    for (var i = 0; i < forms.length; i++) { setup(forms[i], i); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
