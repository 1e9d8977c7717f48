/* The compact navigation on small screens: a disclosure button that shows or hides the list.
   Without this script the button stays hidden and the whole list shows (site.css folds the
   list only when the nav carries .nav-ready). */
(function () {
  "use strict";
  function init() {
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
