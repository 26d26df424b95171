// alliance-kg web pages: the language switch and search suggestions. The pages work without it.
(function () {
  "use strict";
  var root = document.documentElement;

  function setLang(lang) {
    root.setAttribute("data-lang", lang);
    root.lang = lang;
    try { localStorage.setItem("lang", lang); } catch (e) { /* private mode */ }
    var url = new URL(window.location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  var button = document.getElementById("lang-switch");
  if (button) {
    button.addEventListener("click", function () {
      setLang(root.getAttribute("data-lang") === "en" ? "ko" : "en");
    });
  }

  // Search suggestions from the REST API (/municipalities?q=...), as links to the pages.
  var input = document.getElementById("search");
  var list = document.getElementById("suggestions");
  if (!input || !list) return;
  var timer = null, seq = 0, active = -1;

  function clear() { list.innerHTML = ""; list.hidden = true; active = -1; }

  function render(items) {
    list.innerHTML = "";
    items.forEach(function (m) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/id/municipality/" + encodeURIComponent(m.slug);
      a.setAttribute("role", "option");
      a.className = "suggestion";
      a.dataset.slug = m.slug;
      var ko = document.createElement("span"); ko.textContent = m.name_ko || m.name_en || m.slug;
      var en = document.createElement("small"); en.textContent = [m.name_en, m.code].filter(Boolean).join(" · ");
      a.appendChild(ko); a.appendChild(en);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    active = -1;
  }

  function suggest() {
    var q = input.value.trim();
    if (!q) { clear(); return; }
    var mine = ++seq;
    fetch("/municipalities?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (page) { if (mine === seq) render(page.items || []); })
      .catch(function () { if (mine === seq) clear(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", function (ev) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : links.length - 1)) % links.length;
      links.forEach(function (a, i) { a.setAttribute("aria-selected", i === active ? "true" : "false"); });
    } else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      window.location.href = links[active].href;
    } else if (ev.key === "Escape") {
      clear();
    }
  });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== input) clear();
  });
})();
