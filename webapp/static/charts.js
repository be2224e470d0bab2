/* Plotly charts of the Landing, Overview and Trends pages.
 * Each <div data-chart="name"> is drawn from the page's embedded JSON (#page-data), which is
 * exactly what the page's /api/... endpoint returns: the browser never computes a figure. */
(function () {
  "use strict";
  var source = document.getElementById("page-data");
  if (!source || !window.Plotly) { return; }
  var data = JSON.parse(source.textContent);
  var config = { responsive: true, displayModeBar: false };
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var palette = ["#2b6cb0", "#d9573b", "#2f855a", "#805ad5", "#d69e2e", "#319795", "#c53030", "#4a5568",
    "#b83280", "#2c7a7b", "#744210", "#5a67d8", "#9c4221", "#276749", "#97266d", "#2a4365",
    "#718096", "#dd6b20", "#38a169", "#553c9a", "#c05621", "#3182ce", "#e53e3e", "#68d391"];

  function layout(extra) {
    return Object.assign({
      margin: { l: 10, r: 10, t: 10, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: narrow ? 11 : 12, color: "#1f2130" },
      hoverlabel: { align: "left" }
    }, extra);
  }
  function legendBelow() {
    return { orientation: "h", x: 0, y: -0.18, yanchor: "top", font: { size: 10 } };
  }
  function decadeLabels(periods, granularity) {
    return granularity === "by_decade" ? periods.map(function (d) { return d + "s"; }) : periods;
  }
  // Grey bands behind periods with few films (their shares swing on a handful of films).
  function sparseBands(table, x) {
    return x.filter(function (_, i) { return table.sparse && table.sparse[i]; }).map(function (label) {
      return { type: "rect", xref: "x", yref: "paper", x0: label, x1: label, y0: 0, y1: 1, layer: "above",
        fillcolor: "rgba(255,255,255,0.55)", line: { width: 0 }, xsizemode: "scaled" };
    });
  }
  function periodLabels(table, granularity) {
    return decadeLabels(table.periods, granularity).map(function (p, i) { return table.sparse && table.sparse[i] ? p + "*" : String(p); });
  }
  function short(label, n) {
    return label.length > n ? label.slice(0, n - 1) + "…" : label;
  }
  function go(url) { window.location.assign(url); }
  // Series names go into hover templates, which Plotly reads as HTML: escape every special character.
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(text) { return String(text).replace(/[&<>"']/g, function (c) { return HTML_ESCAPES[c]; }); }

  var renderers = {
    "landing-macros": function (node) {
      var macros = data.macros.slice().reverse();
      Plotly.newPlot(node, [{
        type: "bar", orientation: "h", x: macros.map(function (m) { return m.count; }),
        y: macros.map(function (m) { return narrow ? short(m.name, 22) : m.name; }),
        customdata: macros.map(function (m) { return [m.micro_genres, m.name, m.id]; }),
        marker: { color: "#2b6cb0" },
        hovertemplate: "<b>%{customdata[1]}</b><br>%{x} films in %{customdata[0]} micro-genres<extra></extra>"
      }], layout({ yaxis: { automargin: true }, xaxis: { title: { text: "films" } } }), config);
      node.on("plotly_click", function (ev) { go("/overview?macro=" + encodeURIComponent(ev.points[0].customdata[2])); });
    },

    "treemap": function (node) {
      var root = data.treemap;
      var t = { ids: [root.id], labels: [root.name], parents: [""], values: [root.count], colors: [root.weighted_rating], custom: [[root.count, "all themes"]] };
      root.children.forEach(function (macro) {
        t.ids.push(macro.id); t.labels.push(macro.name); t.parents.push(root.id);
        t.values.push(macro.count); t.colors.push(macro.weighted_rating); t.custom.push([macro.children.length + " micro-genres", "macro theme"]);
        macro.children.forEach(function (micro) {
          t.ids.push(micro.id); t.labels.push(micro.name); t.parents.push(macro.id);
          t.values.push(micro.count); t.colors.push(micro.weighted_rating);
          t.custom.push([(micro.keywords || []).join(", "), macro.name]);
        });
      });
      var micros = t.colors.slice(1 + root.children.length);
      var lo = Math.min.apply(null, micros), hi = Math.max.apply(null, micros);
      Plotly.newPlot(node, [{
        type: "treemap", ids: t.ids, labels: t.labels, parents: t.parents, values: t.values,
        branchvalues: "total", maxdepth: narrow ? 2 : 3, customdata: t.custom,
        marker: { colors: t.colors, colorscale: "RdBu", reversescale: true, cmin: lo, cmax: hi, cmid: data.prior.C,
          colorbar: narrow ? { orientation: "h", thickness: 10, y: -0.02, yanchor: "top", title: { text: "weighted rating", side: "top" } }
            : { title: { text: "weighted<br>rating" }, thickness: 12, len: 0.8 },
          line: { width: 1, color: "#fff" } },
        textinfo: "label+value", textfont: { size: 13 },
        hovertemplate: "<b>%{label}</b><br>%{value} films · weighted rating %{color:.2f}<br>%{customdata[1]}<br>%{customdata[0]}<extra></extra>",
        pathbar: { visible: true }
      }], layout({ margin: { l: 0, r: 0, t: 24, b: narrow ? 60 : 0 },
        uniformtext: { minsize: 11, mode: "hide" } }), config);  // boxes too small for readable text stay blank; hover names them
      node.on("plotly_treemapclick", function (ev) {
        var id = ev.points[0].id;
        if (id.indexOf("micro:") === 0) { go("/micro-genres/" + id.slice(6).split("/")[0]); return false; }
        return true;
      });
    },

    "macro-shares": function (node, granularity) {
      var table = data.shares.stacked[granularity];
      var x = periodLabels(table, granularity);
      var traces = table.series.map(function (s, i) {
        return { x: x, y: s.shares, customdata: s.counts, name: narrow ? short(s.name, 22) : s.name, stackgroup: "one", mode: "none",
          fillcolor: s.key === "other" ? "#cbd5e0" : palette[i % palette.length], hoveron: "points+fills",
          hovertemplate: "<b>" + escapeHtml(s.name) + "</b> %{x}: %{y:.1f}% (%{customdata} films)<extra></extra>" };
      });
      Plotly.react(node, traces, layout({ margin: { l: 55, r: 10, t: 10, b: 10 }, yaxis: { title: { text: "share of the period's films (%)" }, range: [0, 100] },
        xaxis: { type: "category", automargin: true, title: { text: granularity === "by_decade" ? "decade of release (* = fewer than " + data.sparse_period_films + " films)" : "year of release" } },
        legend: narrow ? legendBelow() : { font: { size: 11 } }, shapes: granularity === "by_decade" ? sparseBands(table, x) : [] }), config);
    },

    "micro-shares": function (node, granularity) {
      var table = data.shares.micro[granularity];
      var x = periodLabels(table, granularity);
      var traces = table.series.map(function (s, i) {
        return { x: x, y: s.shares, customdata: s.counts, name: narrow ? short(s.name, 28) : s.name, mode: "lines+markers",
          line: { color: palette[i % palette.length] },
          hovertemplate: "<b>" + escapeHtml(s.name) + "</b> %{x}: %{y:.2f}% (%{customdata} films)<extra></extra>" };
      });
      Plotly.react(node, traces, layout({ margin: { l: 55, r: 10, t: 10, b: 10 }, yaxis: { title: { text: "share of the period's films (%)" }, rangemode: "tozero" },
        xaxis: { type: "category", automargin: true, title: { text: granularity === "by_decade" ? "decade of release" : "year of release" } }, legend: legendBelow() }), config);
    },

    "heatmap": function (node) {
      var h = data.heatmap;
      // Phones: only the well-filled decades, so each column stays wide enough to read.
      var cols = h.decades.map(function (_, i) { return i; }).filter(function (i) { return !(narrow && h.sparse[i]); });
      function pick(row) { return cols.map(function (i) { return row[i]; }); }
      Plotly.newPlot(node, [{
        type: "heatmap", z: h.share.map(pick), x: cols.map(function (i) { return (narrow ? "'" + String(h.decades[i]).slice(2) : h.decades[i]) + "s" + (h.sparse[i] ? "*" : ""); }),
        y: h.macros.map(function (m) { return narrow ? short(m, 18) : m; }), customdata: h.count.map(pick),
        colorscale: "YlOrRd", reversescale: true, colorbar: { title: { text: "% of<br>films" }, thickness: 10 },
        xgap: 1, ygap: 1,
        hovertemplate: "<b>%{y}</b> in the %{x}: %{z:.1f}% (%{customdata} films)<extra></extra>"
      }], layout({ margin: { l: 10, r: 10, t: 10, b: 10 }, yaxis: { automargin: true, autorange: "reversed" },
        xaxis: { type: "category", automargin: true, title: { text: "decade of release" + (h.sparse.some(Boolean) ? " (* = fewer than " + data.sparse_period_films + " films)" : "") } } }), config);
    },

    "growth": function (node) {
      var rows = data.growth.growing.concat(data.growth.declining).sort(function (a, b) { return a.change_pp - b.change_pp; });
      Plotly.newPlot(node, [{
        type: "bar", orientation: "h", x: rows.map(function (r) { return r.change_pp; }),
        y: rows.map(function (r) { return narrow ? short(r.label, 24) : r.label; }),
        customdata: rows.map(function (r) { return [r.count_earlier, r.count_later, r.share_earlier, r.share_later, r.id]; }),
        marker: { color: rows.map(function (r) { return r.change_pp > 0 ? "#2f855a" : "#c53030"; }) },
        hovertemplate: "<b>%{y}</b><br>%{customdata[2]:.2f}% → %{customdata[3]:.2f}% of films (%{customdata[0]} → %{customdata[1]} films)<br>%{x:+.2f} points<extra></extra>"
      }], layout({ yaxis: { automargin: true, title: { text: narrow ? "" : "micro-genre" } }, xaxis: { title: { text: narrow ? "change (points)" : "change in share (percentage points)" }, zeroline: true } }), config);
      node.on("plotly_click", function (ev) { go("/micro-genres/" + ev.points[0].customdata[4]); });
    },

    "scatter": function (node) {
      var pts = data.scatter.points;
      var sizes = pts.map(function (p) { return p.count; });
      Plotly.newPlot(node, [{
        type: "scatter", mode: "markers", x: sizes, y: pts.map(function (p) { return p.weighted_rating; }),
        customdata: pts.map(function (p) { return [p.label, p.macro, p.votes, p.id]; }),
        marker: { size: 8, color: "#2b6cb0", opacity: 0.7, line: { width: 1, color: "#fff" } },
        hovertemplate: "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{x} films · weighted rating %{y:.2f} · %{customdata[2]} votes<extra></extra>"
      }], layout({
        margin: { l: 55, r: 10, t: 10, b: 45 },
        xaxis: { type: "log", title: { text: "films in the micro-genre (log scale)" }, tickvals: [2, 5, 10, 20, 50, 100, 200, 500], ticktext: ["2", "5", "10", "20", "50", "100", "200", "500"] },
        yaxis: { title: { text: "weighted rating (/10)" } },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: data.prior.C, y1: data.prior.C, line: { color: "#d9573b", dash: "dot", width: 1 } }]
      }), config);
      node.on("plotly_click", function (ev) { go("/micro-genres/" + ev.points[0].customdata[3]); });
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (node) {
    renderers[node.dataset.chart](node, node.dataset.granularity);
  });

  // "By decade / By year" buttons redraw the same chart from the other half of its data.
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.toggle);
      if (!target) { return; }
      target.dataset.granularity = button.dataset.granularity;
      document.querySelectorAll('[data-toggle="' + button.dataset.toggle + '"]').forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      renderers[target.dataset.chart](target, button.dataset.granularity);
    });
  });
})();
