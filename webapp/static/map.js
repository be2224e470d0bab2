// The movie map: every film at its t-SNE position (computed at index time, /api/map), one
// WebGL trace per macro theme. Hover shows title and micro-genre, a click opens the film, and
// ?q= highlights that search's results (from /api/search).
(function () {
  "use strict";
  var node = document.getElementById("movie-map");
  var status = document.getElementById("map-status");
  if (!node || !window.Plotly) { return; }
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var palette = ["#2b6cb0", "#d9573b", "#2f855a", "#805ad5", "#b7791f", "#319795", "#c53030", "#4a5568",
    "#b83280", "#2c7a7b", "#744210", "#5a67d8", "#9c4221", "#276749", "#97266d", "#2a4365",
    "#718096", "#dd6b20", "#38a169", "#553c9a", "#c05621", "#3182ce", "#e53e3e", "#68d391"];

  function webgl() {
    try { return !!document.createElement("canvas").getContext("webgl"); } catch (err) { return false; }
  }
  var kind = webgl() ? "scattergl" : "scatter";  // SVG fallback where WebGL is unavailable

  function say(text) { status.textContent = text; }

  function traces(d, highlight) {
    var groups = d.macros.map(function () { return { x: [], y: [], text: [], customdata: [] }; });
    for (var i = 0; i < d.count; i++) {
      var g = groups[d.macro[i]];
      g.x.push(d.x[i]); g.y.push(d.y[i]);
      g.text.push(d.title[i] + (d.year[i] ? " (" + d.year[i] + ")" : ""));
      g.customdata.push([d.id[i], d.micros[d.micro[i]]]);
    }
    var dim = highlight && highlight.size > 0;
    var out = groups.map(function (g, m) {
      return { type: kind, mode: "markers", name: d.macros[m], x: g.x, y: g.y, text: g.text, customdata: g.customdata,
        marker: { size: narrow ? 4 : 5, color: palette[m % palette.length], opacity: dim ? 0.18 : 0.75 },
        hovertemplate: "<b>%{text}</b><br>%{customdata[1]}<extra>" + "%{fullData.name}</extra>" };
    });
    if (dim) {
      var h = { x: [], y: [], text: [], customdata: [] };
      for (var j = 0; j < d.count; j++) {
        if (highlight.has(d.id[j])) {
          h.x.push(d.x[j]); h.y.push(d.y[j]); h.text.push(d.title[j] + (d.year[j] ? " (" + d.year[j] + ")" : ""));
          h.customdata.push([d.id[j], d.micros[d.micro[j]]]);
        }
      }
      out.push({ type: kind, mode: "markers", name: "Search results", x: h.x, y: h.y, text: h.text, customdata: h.customdata,
        marker: { size: narrow ? 8 : 10, color: "#ffd23f", line: { width: 1.5, color: "#1f2130" } },
        hovertemplate: "<b>%{text}</b><br>%{customdata[1]}<extra>match</extra>" });
    }
    return out;
  }

  // Desktop: a top margin holds the tool bar, so the legend of every macro theme (45) starts below it.
  function draw(d, highlight) {
    var axis = { visible: false, fixedrange: false };
    Plotly.newPlot(node, traces(d, highlight), {
      margin: { l: 0, r: 0, t: narrow ? 0 : 36, b: narrow ? 150 : 0 }, xaxis: axis, yaxis: Object.assign({ scaleanchor: "x" }, axis),
      paper_bgcolor: "#fbfaf7", plot_bgcolor: "#fbfaf7", hovermode: "closest", dragmode: "pan",
      legend: narrow ? { orientation: "h", y: 0, yanchor: "top", font: { size: 10 }, itemsizing: "constant" }
        : { font: { size: 11 }, itemsizing: "constant", bgcolor: "rgba(255,255,255,0.85)", y: 1, yanchor: "top" },
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", color: "#1f2130" }
    }, { responsive: true, displayModeBar: true, scrollZoom: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    node.on("plotly_click", function (ev) {
      var id = ev.points[0].customdata[0];
      window.location.assign("/explore?movie=" + encodeURIComponent(id) + "#detail");
    });
    node.dataset.ready = "true";
  }

  async function load() {
    say("Loading the map…");
    var res = await fetch("/api/map");
    if (!res.ok) { say("The map could not be loaded (" + res.status + ")."); return; }
    var d = await res.json();
    var q = node.dataset.q;
    var highlight = null;
    if (q) {
      var sr = await fetch("/api/search?size=100&q=" + encodeURIComponent(q));
      if (sr.ok) {
        var found = await sr.json();
        highlight = new Set(found.results.map(function (r) { return r.id; }));
        say((found.total > highlight.size ? "The best " + highlight.size + " of " + found.total.toLocaleString() : String(highlight.size)) +
          " matches for “" + q + "” are highlighted in yellow.");
      } else {
        say("The search could not run, so nothing is highlighted.");
      }
    } else {
      say(d.count.toLocaleString() + " films in " + d.macros.length + " macro themes. Drag to pan, scroll or pinch to zoom.");
    }
    draw(d, highlight);
  }
  load().catch(function (err) { say("The map could not be drawn."); console.warn(err); });
})();
