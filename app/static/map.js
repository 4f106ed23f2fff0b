// Zoom and drag-to-pan for the process map; without this script the map still scrolls.
(function () {
  "use strict";
  var controls = document.querySelector("[data-map-controls]");
  var viewport = document.querySelector(".map-viewport");
  var svg = viewport && viewport.querySelector("svg");
  if (!controls || !svg) return;
  var width = parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width;
  var height = parseFloat(svg.getAttribute("height")) || svg.getBoundingClientRect().height;
  var scale = 1;
  function apply() {
    svg.style.width = width * scale + "px";
    svg.style.height = height * scale + "px";
  }
  function fit() {
    scale = Math.max(0.2, Math.min(1, viewport.clientWidth / width));
    apply();
  }
  controls.hidden = false;
  controls.addEventListener("click", function (event) {
    var button = event.target.closest("[data-zoom]");
    if (!button) return;
    var action = button.getAttribute("data-zoom");
    if (action === "in") scale = Math.min(4, scale * 1.25);
    else if (action === "out") scale = Math.max(0.2, scale / 1.25);
    else return fit();
    apply();
  });
  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.setPointerCapture(event.pointerId);
  });
  viewport.addEventListener("pointermove", function (event) {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (event.clientX - drag.x);
    viewport.scrollTop = drag.top - (event.clientY - drag.y);
  });
  viewport.addEventListener("pointerup", function () { drag = null; });
  apply();
})();
