/* Trace matrix: when a cell has focus or the pointer, its column header and row header are
 * highlighted too, so a wide table stays readable. Pure enhancement; the table works without. */
(function () {
  "use strict";

  function mark(cell, on) {
    var row = cell.parentNode;
    var table = row.closest("table");
    var head = cell.getAttribute("headers");
    var th = head ? document.getElementById(head) : null;
    if (th) { th.classList.toggle("is-current", on); }
    var rowHead = row.querySelector("th[scope=row]");
    if (rowHead) { rowHead.classList.toggle("is-current", on); }
    if (table) { cell.classList.toggle("is-current", on); }
  }

  function init() {
    var cells = document.querySelectorAll("table.matrix td.cell");
    Array.prototype.forEach.call(cells, function (cell) {
      cell.addEventListener("mouseenter", function () { mark(cell, true); });
      cell.addEventListener("mouseleave", function () { mark(cell, false); });
      cell.addEventListener("focusin", function () { mark(cell, true); });
      cell.addEventListener("focusout", function () { mark(cell, false); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
