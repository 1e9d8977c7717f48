/* Scenario page: save the current scenario under a name in this browser (localStorage; there
 * are no accounts, nothing is written on the server), list the saved ones with a link to open
 * each and to compare it with the current one, and delete them. Pure enhancement. */
(function () {
  "use strict";
  var KEY = "amkg.scenarios";

  function load() {
    try {
      var data = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(data) ? data : [];
    } catch (e) { return []; }
  }

  function store(list) { window.localStorage.setItem(KEY, JSON.stringify(list)); }

  function query(name, values) {
    return values.map(function (v) { return name + "=" + encodeURIComponent(v); }).join("&");
  }

  function render(form, list, current) {
    var ul = document.getElementById("saved-list");
    if (!ul) { return; }
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = form.dataset.msgNone;
      ul.appendChild(none);
      return;
    }
    list.forEach(function (item, index) {
      var li = document.createElement("li");
      var open = document.createElement("a");
      open.href = "/scenario?" + query("aan", item.aan);
      open.textContent = item.name;
      open.className = "saved-open";
      li.appendChild(open);
      if (current.length) {
        li.appendChild(document.createTextNode(" · "));
        var cmp = document.createElement("a");
        cmp.href = "/scenario?" + query("aan", current) + "&" + query("vergelijk", item.aan) + "#compare";
        cmp.textContent = form.dataset.msgCompare;
        cmp.className = "saved-compare";
        li.appendChild(cmp);
      }
      var del = document.createElement("button");
      del.type = "button";
      del.className = "button-small";
      del.textContent = form.dataset.msgDelete;
      del.setAttribute("aria-label", form.dataset.msgDelete + ": " + item.name);
      del.addEventListener("click", function () {
        var now = load();
        now.splice(index, 1);
        store(now);
        render(form, now, current);
      });
      li.appendChild(del);
      ul.appendChild(li);
    });
  }

  function init() {
    var form = document.getElementById("save-form");
    if (!form) { return; }
    var current = (form.dataset.aan || "").split(" ").filter(Boolean);
    render(form, load(), current);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = document.getElementById("save-status");
      var name = form.querySelector("input[name=naam]").value.trim();
      if (!name || !current.length) {
        status.textContent = form.dataset.msgEmpty;
        return;
      }
      var list = load().filter(function (item) { return item.name !== name; });
      list.push({ name: name, aan: current });
      store(list);
      status.textContent = form.dataset.msgSaved.replace("{name}", name);
      render(form, list, current);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
