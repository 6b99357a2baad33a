// The search page's filters sit behind 筛选 so that on a phone the first result is near
// the top; on a wide screen, where they are a side column, they are opened.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 761px)").matches) return;
  document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
})();
