// Presentation mode for the classroom's panel: one slide at a time; next and previous by the keys
// a clicker sends (ArrowRight/ArrowLeft, PageDown/PageUp, Space), by the buttons or by a swipe;
// Escape leaves (out of full screen first, which the browser does itself).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
    var counter = document.querySelector("[data-counter]");
    var current = 0;

    function show(index) {
      if (index < 0 || index >= slides.length) return;
      slides[current].hidden = true;
      current = index;
      slides[current].hidden = false;
      counter.textContent = current + 1 + " / " + slides.length;
      history.replaceState(null, "", "#slide-" + (current + 1));
    }

    var asked = /^#slide-(\d+)$/.exec(location.hash);
    if (asked) show(Math.min(Math.max(parseInt(asked[1], 10) - 1, 0), slides.length - 1));

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key;
      if (key === "ArrowRight" || key === "PageDown" || key === " " || key === "ArrowDown") {
        event.preventDefault();
        show(current + 1);
      } else if (key === "ArrowLeft" || key === "PageUp" || key === "ArrowUp") {
        event.preventDefault();
        show(current - 1);
      } else if (key === "Home") {
        show(0);
      } else if (key === "End") {
        show(slides.length - 1);
      } else if (key === "Escape" && !document.fullscreenElement) {
        location.href = document.body.dataset.backUrl;
      }
    });

    document.querySelector("[data-next]").addEventListener("click", function () { show(current + 1); });
    document.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1); });

    var fullscreen = document.querySelector("[data-fullscreen]");
    if (!document.documentElement.requestFullscreen) fullscreen.hidden = true;
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });

    var startX = null;
    var startY = null;
    document.addEventListener("touchstart", function (event) {
      startX = event.changedTouches[0].clientX;
      startY = event.changedTouches[0].clientY;
    }, { passive: true });
    document.addEventListener("touchend", function (event) {
      if (startX === null) return;
      var dx = event.changedTouches[0].clientX - startX;
      var dy = event.changedTouches[0].clientY - startY;
      startX = null;
      // A sideways swipe, not a scroll through a long slide.
      if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5) show(current + (dx < 0 ? 1 : -1));
    }, { passive: true });
  });
})();
