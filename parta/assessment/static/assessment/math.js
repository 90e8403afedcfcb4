// Formulas between $…$ (inline) and $$…$$ (display) in the elements marked .math, typeset by the
// vendored KaTeX (vendor/katex); window.partaMath(element) typesets what a script adds later.
// Without KaTeX, or with a formula it cannot read, the text stays as it was written.
(function () {
  "use strict";

  var options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
    ],
    throwOnError: false,
  };

  function typeset(scope) {
    if (typeof window.renderMathInElement !== "function" || !scope) return;
    var nodes = Array.prototype.slice.call(scope.querySelectorAll(".math"));
    if (scope.matches && scope.matches(".math")) nodes.unshift(scope);
    nodes.forEach(function (node) { window.renderMathInElement(node, options); });
  }

  window.partaMath = typeset;
  document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
})();
