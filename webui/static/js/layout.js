/* Layout helpers on every page.
   1. The compact navigation on small screens: a disclosure button that shows or hides the list.
      Without this script the button stays hidden and the whole list shows (site.css folds the
      list only when the nav carries .nav-ready).
   2. A box that scrolls sideways (a wide table or chart) becomes reachable by keyboard: it gets
      tabindex=0, role=region and the name of its table caption or section heading, only while
      its content is wider than the box. */
(function () {
  "use strict";
  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  // The box's name: its table caption, else its columns, else its section heading; never the
  // same name as the section around it (two landmarks with one name confuse a screen reader).
  function named(box) {
    var section = box.closest("section, figure");
    var around = text(section && section.querySelector("h2, h3, figcaption"));
    var caption = text(box.querySelector("caption"));
    if (caption && caption !== around) return caption;
    var heads = box.querySelectorAll("thead th");
    if (heads.length) return Array.prototype.map.call(heads, text).join(", ");
    return around;
  }
  function scrollables() {
    var boxes = document.querySelectorAll(".table-wrap, .chart-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var name = named(box);
        if (name) box.setAttribute("aria-label", name);
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  function init() {
    scrollables();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(scrollables, 150);
    });
    document.addEventListener("amkg:content", scrollables);
    var nav = document.querySelector(".site-nav");
    if (!nav) return;
    var button = nav.querySelector(".nav-toggle");
    if (!button) return;
    button.hidden = false;
    nav.classList.add("nav-ready");
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("nav-open", open);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
