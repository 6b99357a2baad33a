// Title suggestions for search boxes marked data-suggest. Without JavaScript the box is a
// plain search form; with it, titles containing what was typed appear in a datalist.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.parentNode.appendChild(list);
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch("/api/v1/suggest?k=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (body) {
            if (input.value.trim() !== q) return;
            list.textContent = "";
            body.suggestions.forEach(function (s) {
              var o = document.createElement("option");
              o.value = s.title;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
