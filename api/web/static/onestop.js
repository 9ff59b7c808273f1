/* OneStop: the few things a page does in the browser. Everything works without it. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  /* The process diagram: fitted to the width, zoomable, the current step brought into view. */
  function zoomable(frame) {
    var svg = frame.querySelector("svg");
    var controls = frame.parentNode.querySelector(".zoom-controls");
    if (!svg || !controls) { return; }
    var natural = parseFloat(svg.getAttribute("data-width")) || 1000;
    var scale = 1;

    function showCurrent() {
      var current = svg.querySelector('[data-state="current"]');
      if (!current) { return; }
      var box = current.getBoundingClientRect(), area = frame.getBoundingClientRect();
      frame.scrollLeft += box.left - area.left - (area.width - box.width) / 2;
      frame.scrollTop += box.top - area.top - (area.height - box.height) / 2;
    }

    function apply(next) {
      scale = Math.min(Math.max(next, 1), 6);
      svg.style.width = (scale * 100) + "%";
      frame.classList.toggle("zoomed", scale > 1);
      showCurrent();
    }

    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-zoom]");
      if (!button) { return; }
      var how = button.getAttribute("data-zoom");
      apply(how === "in" ? scale * 1.5 : how === "out" ? scale / 1.5 : 1);
    });
    /* Fitted to the width; on a phone start at a readable size (text about 11 px) around the current step. */
    var readable = natural * 0.9 / frame.clientWidth;
    apply(frame.clientWidth < 700 && readable > 1.5 ? Math.min(readable, 4) : 1);
  }

  document.querySelectorAll(".diagram-frame").forEach(zoomable);
  document.querySelectorAll("details.diagram").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) { details.querySelectorAll(".diagram-frame").forEach(zoomable); }
    }, { once: true });
  });
})();

/* 常用意见: a chosen stock opinion goes into the opinion box (without script the server takes it). */
document.querySelectorAll("select[data-fills]").forEach(function (select) {
  select.addEventListener("change", function () {
    var box = document.getElementById(select.getAttribute("data-fills"));
    if (box && select.value) { box.value = box.value ? box.value + "\n" + select.value : select.value; box.focus(); select.value = ""; }
  });
});
