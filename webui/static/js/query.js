/* Sortable result tables: every <table data-sortable> gets a button in each column header.
 * A click sorts by that column (numbers as numbers, text in the page's language), a second
 * click reverses; aria-sort tells assistive technology. Also used by the SPARQL editor
 * (window.AMKGSort.makeSortable). */
(function () {
  "use strict";

  var lang = document.documentElement.getAttribute("lang") || "nl";
  var collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });

  function cellValue(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function asNumber(text) {
    if (!/^[-+]?[0-9.,]+%?$/.test(text)) { return null; }
    var n = Number(text.replace(/%$/, ""));
    return isNaN(n) ? null : n;
  }

  function sortBy(table, index, button) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var th = button.closest("th");
    var descending = th.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var nx = asNumber(x), ny = asNumber(y);
      var order = (nx !== null && ny !== null) ? nx - ny : collator.compare(x, y);
      return descending ? -order : order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    var heads = table.tHead.rows[0].cells;
    for (var k = 0; k < heads.length; k++) { heads[k].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function makeSortable(table) {
    if (!table.tHead || table.hasAttribute("data-sortable-ready")) { return; }
    table.setAttribute("data-sortable-ready", "");
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      var icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
  }

  window.AMKGSort = { makeSortable: makeSortable };

  function init() {
    var tables = document.querySelectorAll("table[data-sortable]");
    for (var i = 0; i < tables.length; i++) { makeSortable(tables[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
