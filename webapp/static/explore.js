// Explorer enhancements. The page works without this file (every state is a URL); the
// script only adds title suggestions, instant re-search on mode/sort changes, tidy URLs,
// Escape to close the detail panel, and a collapsed filter panel on phones.
(function () {
  "use strict";
  const form = document.getElementById("search");
  if (!form) return;
  const input = document.getElementById("q");
  const list = document.getElementById("title-suggest");

  // Drop empty fields on submit so shared URLs stay short.
  form.addEventListener("submit", () => {
    for (const el of form.elements) {
      if (el.name && (el.type === "number" || el.type === "search") && el.value.trim() === "") el.disabled = true;
    }
  });
  // Re-run the search when the mode, sort or page size changes.
  document.querySelectorAll('input[name="mode"], select[form="search"]').forEach((el) =>
    el.addEventListener("change", () => form.requestSubmit())
  );

  // Title autocomplete from /api/suggest (prefix, one typo tolerated), debounced. Picking a
  // suggested film opens it with the films like it (the same "movies like <title>" search).
  let timer = null;
  let controller = null;
  let suggested = new Map();
  input.addEventListener("input", (ev) => {
    clearTimeout(timer);
    const picked = suggested.get(input.value);
    if (picked && ev.inputType !== "insertText" && ev.inputType !== "deleteContentBackward") {
      const params = new URLSearchParams({ q: "movies like " + input.value, movie: String(picked) });
      window.location.href = "/explore?" + params.toString() + "#detail";
      return;
    }
    const q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(async () => {
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const res = await fetch("/api/suggest?size=8&q=" + encodeURIComponent(q), { signal: controller.signal });
        if (!res.ok) return;
        const data = await res.json();
        suggested = new Map(data.results.map((m) => [m.title, m.id]));
        list.replaceChildren(...data.results.map((m) => {
          const opt = document.createElement("option");
          opt.value = m.title;
          opt.label = m.year ? String(m.year) : "";
          return opt;
        }));
      } catch (err) {
        if (err.name !== "AbortError") console.warn("suggest failed", err);
      }
    }, 150);
  });

  // The open movie: focus it for keyboard and screen-reader users; Escape closes it.
  const detail = document.getElementById("detail");
  if (detail) {
    detail.focus({ preventScroll: true });
    const close = detail.querySelector("a.close");
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && close && !ev.target.matches("input, select, textarea")) window.location.href = close.href;
    });
  }

  // "Why this micro-genre": the open film's keywords that are among its group's evidence.
  const why = document.querySelector("[data-why]");
  if (why) {
    fetch("/api/movies/" + encodeURIComponent(why.dataset.why) + "/why").then((res) => (res.ok ? res.json() : null)).then((data) => {
      if (!data || !data.shared.length) return;
      why.textContent = "Why this micro-genre: it shares " + data.shared.map((e) =>
        "“" + e.phrase + "” (" + Math.round(e.share * 100) + "% of the group, " + (e.catalogue_share * 100).toFixed(1) + "% overall)").join(", ") + ".";
    }).catch(() => {});
  }

  // Phones: start with the filter panel folded so results come first.
  const filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 760px)").matches) filters.open = false;
})();
