/*
  kimedition: optional enhancements of the HTML edition. Nothing depends on this file:
  every page works, and every tooltip opens on hover and on keyboard focus, without it.

  1. Escape closes an open tooltip (WCAG 1.4.13, "dismissible") until the pointer or the
     focus moves on.
  2. A tooltip that would leave the window is moved sideways into it.
*/
(function () {
  "use strict";
  var root = document.documentElement;
  var HOSTS = "a.name, .date, .name-ref";

  function place(target) {
    var host = target && target.closest ? target.closest(HOSTS) : null;
    if (!host) {
      return;
    }
    var tip = host.querySelector(":scope > .tip");
    if (!tip) {
      return;
    }
    host.style.removeProperty("--tip-shift");
    var box = tip.getBoundingClientRect();
    var limit = root.clientWidth - 8;
    var shift = 0;
    if (box.right > limit) {
      shift = limit - box.right;
    }
    if (box.left + shift < 8) {
      shift = 8 - box.left;
    }
    if (shift !== 0) {
      host.style.setProperty("--tip-shift", Math.round(shift) + "px");
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      root.classList.add("tips-dismissed");
    }
  });
  document.addEventListener("focusin", function (event) {
    root.classList.remove("tips-dismissed");
    place(event.target);
  });
  document.addEventListener("mouseover", function (event) {
    root.classList.remove("tips-dismissed");
    place(event.target);
  });
})();
