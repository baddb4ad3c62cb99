/* The saved widgets are drawn by @jupyter-widgets/html-manager 1.x, which typesets every widget
   label with MathJax 2's `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])` whenever
   `window.MathJax` exists. The book loads MathJax 3, which has no `Hub`, so each label would throw
   "Cannot read properties of undefined (reading 'Queue')". This gives whatever object
   `window.MathJax` holds (Sphinx's configuration first, then MathJax 3 itself) a hidden `Hub`
   whose Queue hands the element to MathJax 3's typesetPromise. */
(function () {
  "use strict";
  function typeset(job) {
    const element = job && job[2];
    const mathjax = window.MathJax;
    if (!element || !mathjax || typeof mathjax.typesetPromise !== "function") {
      return; /* MathJax 3 has not started yet: it typesets the whole page when it does */
    }
    const ready = mathjax.startup && mathjax.startup.promise ? mathjax.startup.promise : Promise.resolve();
    ready.then(function () { return mathjax.typesetPromise([element]); }).catch(function () {});
  }
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      /* not enumerable: MathJax 3 reads its configuration from this object's own keys */
      Object.defineProperty(mathjax, "Hub", { value: { Queue: typeset }, configurable: true, writable: true });
    }
    return mathjax;
  }
  let current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
