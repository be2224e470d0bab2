// Likes kept in this browser (localStorage, no account): the heart buttons on film cards and
// in the film panel, the "Likes" count in the top bar, and the /likes page's URL. The server
// renders /likes?ids=... (shareable); this script only sends the stored list there.
(function () {
  "use strict";
  var KEY = "mgm-likes";
  var MAX = 50;

  function read() {
    try {
      var ids = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (x) { return Number.isInteger(x) && x >= 0; }) : [];
    } catch (err) { return []; }
  }
  function write(ids) { localStorage.setItem(KEY, JSON.stringify(ids.slice(-MAX))); }
  function likesUrl(ids) { return ids.length ? "/likes?ids=" + ids.join(",") : "/likes"; }

  function refresh() {
    var ids = read();
    document.querySelectorAll("button.heart[data-like]").forEach(function (btn) {
      var on = ids.indexOf(Number(btn.dataset.like)) >= 0;
      btn.hidden = false;
      btn.setAttribute("aria-pressed", String(on));
      btn.title = on ? "Liked: click to remove" : "Like";
    });
    document.querySelectorAll("[data-likes-link]").forEach(function (a) { a.href = likesUrl(ids); });
    document.querySelectorAll("[data-likes-count]").forEach(function (el) { el.textContent = ids.length ? "(" + ids.length + ")" : ""; });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.heart[data-like]");
    if (btn) {
      ev.preventDefault();
      var id = Number(btn.dataset.like);
      var ids = read();
      var at = ids.indexOf(id);
      if (at >= 0) { ids.splice(at, 1); } else { ids.push(id); }
      write(ids);
      refresh();
      return;
    }
    var copy = ev.target.closest("button.copy[data-copy]");
    if (copy && navigator.clipboard) {
      var link = document.getElementById(copy.dataset.copy);
      navigator.clipboard.writeText(link.href).then(function () { copy.textContent = "Copied"; }, function () {});
    }
  });

  // A shared /likes?ids=... link opened here: offer to keep those films as this browser's likes.
  function adoptSharedList() {
    var params = new URLSearchParams(window.location.search);
    if (window.location.pathname !== "/likes") { return; }
    if (!params.get("ids")) {
      if (read().length && document.querySelector("[data-likes-empty]")) { window.location.replace(likesUrl(read())); }
      return;
    }
    document.querySelectorAll("button.copy").forEach(function (b) { b.hidden = !navigator.clipboard; });
  }

  refresh();
  adoptSharedList();
  window.addEventListener("storage", refresh);  // another tab changed the likes
  window.mgmLikes = { refresh: refresh };  // pages that add cards later (the map's panel) re-run it
})();
