/* The dashboard page (inlined by analysis/dashboard/render.py). Reads the embedded JSON, draws the selected
   view with vega-embed, and puts every text into the page with textContent (never as markup), so an open
   answer such as "<img onerror=...>" is shown as the characters it is. Nothing is fetched. */
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("dashboard-data").textContent);
  var doc = payload.document;
  var specs = payload.specs;
  var ALL = "all";
  var NL_LOCALE = { decimal: ",", thousands: ".", grouping: [3], currency: ["\u20ac\u00a0", ""] };
  var EN_LOCALE = { decimal: ".", thousands: ",", grouping: [3], currency: ["\u00a3", ""] };
  var state = { lang: doc.lang, view: doc.views[0], group: firstGroup(), kpi: doc.kpi_keys[0] || null,
                driver: doc.drivers.length ? doc.drivers[0].key : null };
  var views = [];
  var renderCount = 0;
  // Row tables come by column (analysis/dashboard/tables.py): rows again, once.
  function rowsOf(table) {
    var keys = Object.keys(table || {});
    var n = keys.length ? table[keys[0]].length : 0;
    var out = [];
    for (var i = 0; i < n; i++) {
      var row = {};
      keys.forEach(function (k) { row[k] = table[k][i]; });
      out.push(row);
    }
    return out;
  }
  if (doc.waves) { ["kpis", "importance", "changes", "control"].forEach(function (k) { doc.waves[k] = rowsOf(doc.waves[k]); }); }
  if (doc.themes) { ["frequency", "by_score"].forEach(function (k) { doc.themes[k] = rowsOf(doc.themes[k]); }); }
  function themeQuotes(list) {
    return list.map(function (q) { return { text: q[0], meta: doc.themes.metas[q[1]] }; });
  }

  function firstGroup() {
    // The first organisation when there is one, else the whole study.
    return doc.groups.length > 1 ? doc.groups[1].key : ALL;
  }
  function tr(key, values) {
    var text = (doc.text[key] || {})[state.lang] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function loc(value) { return value && typeof value === "object" && !Array.isArray(value) ? value[state.lang] : value; }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function groupInfo(key) { return doc.groups.filter(function (g) { return g.key === key; })[0]; }
  function groupLabel(key) { var g = groupInfo(key); return g ? loc(g.label) : key; }
  function driverLabel(key) {
    var d = doc.drivers.filter(function (x) { return x.key === key; })[0];
    return d ? loc(d.label) : key;
  }
  function localised(row, extra) {
    var out = {};
    Object.keys(row).forEach(function (k) { out[k] = loc(row[k]); });
    return Object.assign(out, extra || {});
  }
  function select(id, labelKey, options, value, onChange) {
    var node = el("select", { id: id });
    options.forEach(function (o) {
      var opt = el("option", { value: o.value, text: o.label });
      if (o.value === value) { opt.selected = true; }
      node.appendChild(opt);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return el("label", { for: id }, [document.createTextNode(tr(labelKey)), node]);
  }
  function groupOptions(needDrivers) {
    return doc.groups.filter(function (g) { return !needDrivers || g.drivers; })
      .map(function (g) { return { value: g.key, label: loc(g.label) }; });
  }
  function embed(container, specKey, datasets, configure) {
    var spec = JSON.parse(JSON.stringify(specs[state.lang][specKey]));
    spec.datasets = datasets;
    if (configure) { configure(spec); }
    var node = el("div", { class: "chart", "data-chart": specKey });
    container.appendChild(node);
    var pending = vegaEmbed(node, spec, { mode: "vega-lite", renderer: "svg", actions: false, ast: true,
                                          formatLocale: state.lang === "nl" ? NL_LOCALE : EN_LOCALE });
    views.push(pending);
    return pending;
  }
  function finalizeViews() {
    views.forEach(function (p) { p.then(function (r) { r.finalize(); }, function () {}); });
    views = [];
  }

  // ------------------------------------------------------------------ KPIs
  function kpiRows(filter, labelOf) {
    return doc.kpis.filter(filter).map(function (r) {
      return localised(r, { group_label: groupLabel(r.group), channel_label: loc(doc.channels[r.channel]),
                            role: labelOf(r) });
    });
  }
  function drawKpis(panel) {
    var kpiName = state.kpi ? loc(doc.kpi_labels[state.kpi]) : "";
    panel.appendChild(el("div", { class: "controls" }, [
      select("kpi-group", "select.group", groupOptions(false), state.group, function (v) { state.group = v; draw(); }),
      select("kpi-kpi", "select.kpi", doc.kpi_keys.map(function (k) { return { value: k, label: loc(doc.kpi_labels[k]) }; }),
             state.kpi, function (v) { state.kpi = v; draw(); })]));
    panel.appendChild(el("h2", { text: tr("kpis.cards", { group: groupLabel(state.group) }) }));
    var cards = el("div", { class: "cards", "data-testid": "kpi-cards" });
    doc.kpis.filter(function (r) { return r.group === state.group && r.channel === ALL; }).forEach(function (r) {
      cards.appendChild(el("div", { class: "card" }, [
        el("div", { class: "name", text: loc(doc.kpi_labels[r.key]) }), el("div", { class: "value", text: loc(r.text) }),
        el("div", { class: "interval", text: loc(r.interval) })]));
    });
    panel.appendChild(cards);
    if (!state.kpi) { panel.appendChild(el("p", { class: "note", text: tr("kpis.no_data") })); return; }
    panel.appendChild(el("h2", { text: tr("kpis.by_channel", { kpi: kpiName, group: groupLabel(state.group) }) }));
    var axis = function (spec) { spec.layer[0].encoding.x.title = kpiName; };
    embed(panel, "kpi_channel", { rows: kpiRows(function (r) { return r.group === state.group && r.key === state.kpi; },
                                               function (r) { return r.channel === ALL ? "reference" : "other"; }) }, axis);
    panel.appendChild(el("h2", { text: tr("kpis.by_group", { kpi: kpiName }) }));
    embed(panel, "kpi_group", { rows: kpiRows(function (r) { return r.channel === ALL && r.key === state.kpi; },
                                             function (r) { return r.group === ALL ? "reference" : r.group === state.group ? "selected" : "other"; }) }, axis);
  }

  // ---------------------------------------------------------- priorities
  // The reports' plain sentence on what pooling means, and what it did to the group (none when not asked for).
  function poolingNote(group) {
    var what = doc.pooling ? loc(doc.pooling.what) : "";
    if (!what) { return null; }
    var own = group && doc.pooling.groups[group] ? loc(doc.pooling.groups[group]) : "";
    return el("p", { class: "note pooling", "data-testid": "pooling-note", text: own ? what + " " + own : what });
  }
  function showsOwn(group) { return !!doc.pooling && doc.pooling.used === "partial" && group !== ALL; }
  function priorityRows(group) {
    return doc.priorities.filter(function (r) { return r.group === group; }).map(function (r) {
      var q = r.quadrant ? doc.quadrants[r.quadrant] : null;
      return localised(r, { driver_label: driverLabel(r.driver), group_label: groupLabel(r.group),
                            quadrant_label: q ? loc(q.label) : "" });
    });
  }
  function drawPriorities(panel) {
    panel.appendChild(el("div", { class: "controls" }, [
      select("priorities-group", "select.group", groupOptions(false), state.group, function (v) { state.group = v; draw(); })]));
    var info = groupInfo(state.group);
    if (!info || !info.drivers) {
      panel.appendChild(el("p", { class: "note withheld", text: tr("priorities.withheld", { group: groupLabel(state.group) }) }));
      return;
    }
    var rows = priorityRows(state.group);
    var cross = doc.crosshairs[state.group];
    panel.appendChild(el("h2", { text: tr("priorities.title", { group: groupLabel(state.group) }) }));
    var chart = embed(panel, "priorities", { rows: rows, ref: [{ importance: cross.importance, performance: cross.performance }] });
    panel.appendChild(el("p", { class: "note", text: loc(cross.text) }));
    var pooling = poolingNote(state.group);
    if (pooling) { panel.appendChild(pooling); }
    var box = doc.themes ? el("div", { class: "driver-quotes", "data-testid": "driver-quotes", "aria-live": "polite" },
                              [el("p", { class: "note", text: tr("priorities.quotes.hint") })]) : null;
    if (box) {
      chart.then(function (result) {
        var pick = function (event, item) { if (item && item.datum && item.datum.driver) { driverQuotes(box, item.datum.driver); } };
        result.view.addEventListener("mouseover", pick);
        result.view.addEventListener("click", pick);
      }, function () {});
    }
    // the pooled importance is the headline; a pooled group's own-data figure and weight beside it
    var own = showsOwn(state.group) ? [["own_text", "col.own_lmg"], ["weight_text", "col.own_weight"]] : [];
    var cols = [["driver_label", "col.driver"], ["importance_text", "col.importance." + doc.meta.importance]]
      .concat(own, [["performance_text", "col.performance"], ["rank_text", "col.rank"], ["priority", "col.priority"],
                    ["quadrant_label", "col.quadrant"], ["n", null]]);
    var numeric = { importance_text: true, own_text: true, weight_text: true, performance_text: true, rank_text: true,
                    priority: true, n: true };
    var head = el("tr", {}, cols.map(function (c) {
      return el("th", { scope: "col", text: c[1] ? loc(doc.columns[c[1]]) : tr("tip.n") });
    }));
    var body = el("tbody", {}, rows.map(function (r) {
      return el("tr", {}, cols.map(function (c, i) {
        if (i === 0) {
          var button = box ? el("button", { type: "button", class: "quote-button", "data-driver": r.driver,
                                            "aria-label": tr("priorities.quotes.button") + ": " + r.driver_label,
                                            text: tr("priorities.quotes.button") }) : null;
          if (button) { button.addEventListener("click", function () { driverQuotes(box, r.driver); }); }
          return el("th", { scope: "row" }, [document.createTextNode(String(r[c[0]]) + " "), button]);
        }
        return el("td", { class: numeric[c[0]] ? "num" : "", text: r[c[0]] === null ? "\u2013" : String(r[c[0]]) });
      }));
    }));
    panel.appendChild(el("table", { "data-testid": "priorities-table" }, [
      el("caption", { class: "note", text: tr("priorities.table", { group: groupLabel(state.group) }) }),
      el("thead", {}, [head]), body]));
    if (box) { panel.appendChild(box); }
  }

  // ------------------------------------------------------------- compare
  function drawCompare(panel) {
    panel.appendChild(el("div", { class: "controls" }, [
      select("compare-driver", "select.driver", doc.drivers.map(function (d) { return { value: d.key, label: loc(d.label) }; }),
             state.driver, function (v) { state.driver = v; draw(); })]));
    panel.appendChild(el("h2", { text: tr("compare.title", { driver: driverLabel(state.driver) }) }));
    var pooling = poolingNote(null);
    if (pooling) { panel.appendChild(pooling); }
    var rows = doc.priorities.filter(function (r) { return r.driver === state.driver; }).map(function (r) {
      return localised(r, { group_label: groupLabel(r.group), estimate: r.importance, low: r.importance_low,
                            high: r.importance_high, role: r.group === ALL ? "reference" : r.group === state.group ? "selected" : "other" });
    });
    var whole = rows.filter(function (r) { return r.group === ALL; });
    embed(panel, "compare", { rows: rows, ref: whole.map(function (r) { return { estimate: r.estimate }; }) });
    panel.appendChild(el("h2", { text: tr("compare.all") }));
    var top = Math.max.apply(null, doc.priorities.map(function (r) { return r.importance || 0; }).concat([1]));
    var all = doc.priorities.map(function (r) {
      return localised(r, { group_label: groupLabel(r.group), driver_label: driverLabel(r.driver), dark_from: top / 2 });
    });
    embed(panel, "compare_all", { rows: all });
  }

  // --------------------------------------------------------------- voice
  function drawVoice(panel) {
    var options = groupOptions(false).filter(function (o) { return doc.voice[o.value]; });
    if (!doc.voice[state.group] && options.length) { state.group = options[0].value; }
    panel.appendChild(el("div", { class: "controls" }, [
      select("voice-group", "select.group", options, state.group, function (v) { state.group = v; draw(); })]));
    panel.appendChild(el("h2", { text: tr("voice.title", { group: groupLabel(state.group) }) }));
    var parts = (doc.voice[state.group] || {})[state.lang] || [];
    if (!parts.length) { panel.appendChild(el("p", { class: "note", text: tr("voice.none") })); return; }
    panel.appendChild(el("div", { class: "quotes", "data-testid": "quotes" }, parts.map(function (part) {
      return el("section", {}, [el("h3", { text: part.title }), el("p", { class: "note", text: part.description })]
        .concat(part.quotes.map(function (q) {
          return el("blockquote", {}, [document.createTextNode(q.text), el("span", { class: "meta", text: q.meta })]);
        })));
    })));
  }

  // --------------------------------------------------------------- waves
  function count(n) { return Number(n).toLocaleString(state.lang === "nl" ? "nl-NL" : "en-GB"); }
  function shownIn(keys) {
    // The groups a view has data for, the selection moved to the first of them when it has none.
    var options = groupOptions(false).filter(function (o) { return keys.indexOf(o.value) >= 0; });
    if (keys.indexOf(state.group) < 0 && options.length) { state.group = options[0].value; }
    return options;
  }
  function table(testid, caption, head, rows) {
    return el("table", { "data-testid": testid }, [
      el("caption", { class: "note", text: caption }),
      el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
      el("tbody", {}, rows)]);
  }
  function drawWaves(panel) {
    var w = doc.waves;
    var options = shownIn(w.groups);
    var keys = doc.kpi_keys.filter(function (k) { return w.kpis.some(function (r) { return r.key === k; }); });
    var kpi = keys.indexOf(state.kpi) >= 0 ? state.kpi : keys[0];
    var kpiName = kpi ? loc(doc.kpi_labels[kpi]) : "";
    var group = groupLabel(state.group);
    panel.appendChild(el("div", { class: "controls" }, [
      select("waves-group", "select.group", options, state.group, function (v) { state.group = v; draw(); }),
      select("waves-kpi", "select.kpi", keys.map(function (k) { return { value: k, label: loc(doc.kpi_labels[k]) }; }),
             kpi, function (v) { state.kpi = v; draw(); })]));
    panel.appendChild(el("p", { class: "note", text: tr("waves.source." + (w.column ? "column" : w.period),
                                                           { number: w.labels.length, column: w.column }) }));
    var hidden = w.withheld[state.group];
    if (hidden) { panel.appendChild(el("p", { class: "note withheld", text: tr("waves.withheld", { group: group, waves: hidden.join(", ") }) })); }
    var mine = function (r) { return r.group === state.group; };
    var rows = w.kpis.filter(function (r) { return mine(r) && r.key === kpi; }).map(function (r) { return localised(r); });
    if (!rows.length) { panel.appendChild(el("p", { class: "note", text: tr("waves.none", { group: group }) })); return; }
    panel.appendChild(el("h2", { text: tr("waves.kpi", { kpi: kpiName, group: group }) }));
    var ctl = kpi === "csat_pct" ? w.control.filter(mine) : [];
    embed(panel, "wave_kpi", { rows: rows, ctl: ctl }, function (spec) {
      if (!ctl.length) { spec.layer = spec.layer.filter(function (l) { return !(l.data && l.data.name === "ctl"); }); }
      spec.layer.forEach(function (l) { if (l.encoding.y) { l.encoding.y.title = kpiName; } });
    });
    if (ctl.length) { panel.appendChild(el("p", { class: "note", text: tr("waves.control") })); }

    // the group's last change (its latest waves may be withheld, or absent)
    var last = w.changes.filter(mine).map(function (r) { return w.labels.indexOf(r.to); }).sort(function (a, b) { return b - a; })[0];
    var latest = w.labels[last];
    var changes = w.changes.filter(function (r) { return mine(r) && r.to === latest; });
    var previous = changes.length ? changes[0].from : null;
    var moved = {};
    w.changes.filter(mine).forEach(function (r) { if (r.verdict !== "noise") { moved[r.driver + "|" + r.to] = true; } });
    var imp = w.importance.filter(mine).map(function (r) {
      return localised(r, { driver_label: driverLabel(r.driver), changed: !!moved[r.driver + "|" + r.wave] });
    });
    if (imp.length) {
      panel.appendChild(el("h2", { text: tr("waves.importance", { group: group }) }));
      embed(panel, "wave_importance", { rows: imp }, function (spec) {
        spec.facet.sort = doc.drivers.map(function (d) { return loc(d.label); });   // the questionnaire's order
      });
    }
    if (!changes.length) { return; }
    var value = function (list, key, driver, wave) {
      var hit = list.filter(function (r) { return mine(r) && r.wave === wave && (driver ? r.driver === driver : r.key === key); })[0];
      return hit ? loc(hit.text) : "\u2013";
    };
    var body = changes.map(function (r) {
      var share = r.measure === "share";
      var name = share ? tr("waves.measure.share", { driver: driverLabel(r.driver) }) : loc(doc.kpi_labels[r.measure]);
      var list = share ? w.importance : w.kpis;
      return el("tr", { "data-verdict": r.verdict }, [
        el("th", { scope: "row", text: name }),
        el("td", { class: "num", text: value(list, r.measure, r.driver, r.from) }),
        el("td", { class: "num", text: value(list, r.measure, r.driver, r.to) }),
        el("td", { class: "num", text: loc(r.text) }), el("td", { class: "num", text: loc(r.p_text) }),
        el("td", { class: "verdict verdict-" + r.verdict, text: tr("waves.verdict." + r.verdict) })]);
    });
    panel.appendChild(el("h2", { text: tr("waves.changes", { previous: previous, latest: latest, group: group }) }));
    panel.appendChild(table("waves-changes", tr("waves.note"),
      [tr("waves.col.measure"), tr("waves.col.previous", { previous: previous }), tr("waves.col.latest", { latest: latest }),
       tr("waves.col.change"), tr("waves.col.p"), tr("waves.col.verdict")], body));
  }

  // -------------------------------------------------------------- themes
  function quoteBlocks(list) {
    return list.map(function (q) {
      return el("blockquote", {}, [document.createTextNode(q.text), el("span", { class: "meta", text: loc(q.meta) })]);
    });
  }
  function drawThemes(panel) {
    var th = doc.themes;
    var options = shownIn(th.groups);
    var group = groupLabel(state.group);
    var mine = function (r) { return r.group === state.group; };
    var label = function (theme) { return loc(th.labels[theme]); };
    panel.appendChild(el("div", { class: "controls" }, [
      select("themes-group", "select.group", options, state.group, function (v) { state.group = v; draw(); })]));
    var freq = th.frequency.filter(mine).sort(function (a, b) { return b.share - a.share; });
    if (!freq.length) { panel.appendChild(el("p", { class: "note", text: tr("themes.none", { group: group }) })); return; }
    panel.appendChild(el("h2", { text: tr("themes.frequency", { group: group, answers: count(th.answers[state.group]) }) }));
    var bars = [];
    freq.forEach(function (r) {
      var parts = { complaint: r.complaint, praise: r.praise, other: Math.max(0, r.share - r.complaint - r.praise) };
      ["complaint", "praise", "other"].forEach(function (p, i) {
        bars.push({ theme_label: label(r.theme), polarity_label: loc(th.polarity[p]), value: parts[p], share: r.share,
                    n: r.n, order: i });
      });
    });
    embed(panel, "theme_bars", { rows: bars });
    panel.appendChild(el("p", { class: "note", text: tr("themes.note") }));

    var score = th.by_score.filter(mine);
    if (score.length) {
      var by = {};
      score.forEach(function (r) { (by[r.theme] = by[r.theme] || {})[r.nps_group] = r.share; });
      var gap = function (t) { return (by[t].detractors || 0) - (by[t].promoters || 0); };
      var order = Object.keys(by).sort(function (a, b) { return gap(b) - gap(a); });
      var points = [], pairs = [];
      order.forEach(function (t) {
        score.filter(function (r) { return r.theme === t; }).forEach(function (r) {
          points.push({ theme_label: label(t), nps_label: loc(th.nps_groups[r.nps_group]), share: r.share, n_answers: r.n_answers });
        });
        var values = [by[t].detractors, by[t].promoters].filter(function (v) { return v !== undefined && v !== null; });
        pairs.push({ theme_label: label(t), low: Math.min.apply(null, values), high: Math.max.apply(null, values) });
      });
      panel.appendChild(el("h2", { text: tr("themes.score", { group: group }) }));
      embed(panel, "theme_score", { rows: points, pairs: pairs });
    }

    if (th.groups.length > 1) {
      var top = Math.max.apply(null, th.frequency.map(function (r) { return r.share || 0; }).concat([0.01]));
      panel.appendChild(el("h2", { text: tr("themes.compare") }));
      embed(panel, "theme_compare", { rows: th.frequency.map(function (r) {
        return { group_label: groupLabel(r.group), theme_label: label(r.theme), share: r.share,
                 complaint_share: r.complaint_share, n: r.n, dark_from: top / 2 };
      }) });
    }

    var quotes = th.quotes[state.group] || {};
    var drivers = Object.keys(quotes).sort(function (a, b) { return quotes[a].priority - quotes[b].priority; });
    if (drivers.length) {
      panel.appendChild(el("h2", { text: tr("themes.quotes", { group: group }) }));
      panel.appendChild(el("div", { class: "quotes", "data-testid": "theme-quotes" }, drivers.map(function (d) {
        return el("section", {}, [el("h3", { text: tr("themes.quotes.driver", { k: quotes[d].priority, driver: driverLabel(d) }) })]
          .concat(quoteBlocks(themeQuotes(quotes[d].quotes))));
      })));
    }
  }

  // The representative answers of a driver of the priority matrix, shown below it on hover, click or its button.
  function driverQuotes(box, driver) {
    if (box.getAttribute("data-driver") === driver) { return; }
    box.setAttribute("data-driver", driver);
    box.textContent = "";
    var found = ((doc.themes.quotes || {})[state.group] || {})[driver];
    if (!found) { box.appendChild(el("p", { class: "note", text: tr("priorities.quotes.none", { driver: driverLabel(driver) }) })); return; }
    box.appendChild(el("h3", { text: tr("priorities.quotes", { group: groupLabel(state.group), driver: driverLabel(driver) }) }));
    quoteBlocks(themeQuotes(found.quotes)).forEach(function (b) { box.appendChild(b); });
  }

  var DRAW = { kpis: drawKpis, priorities: drawPriorities, compare: drawCompare, waves: drawWaves, themes: drawThemes,
               voice: drawVoice };

  // ---------------------------------------------------------------- page
  function tabs() {
    var list = el("div", { role: "tablist", "aria-label": tr("views") });
    doc.views.forEach(function (view, i) {
      var selected = view === state.view;
      var button = el("button", { role: "tab", id: "tab-" + view, "aria-controls": "panel",
                                  "aria-selected": String(selected), tabindex: selected ? "0" : "-1", type: "button",
                                  "data-view": view, text: tr("view." + view) });
      button.addEventListener("click", function () { state.view = view; draw(); focusTab(view); });
      button.addEventListener("keydown", function (e) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
        if (e.key === "Home" || e.key === "End" || step) {
          e.preventDefault();
          var n = doc.views.length;
          var next = e.key === "Home" ? 0 : e.key === "End" ? n - 1 : (i + step + n) % n;
          state.view = doc.views[next]; draw(); focusTab(state.view);
        }
      });
      list.appendChild(button);
    });
    return list;
  }
  function focusTab(view) { var b = document.getElementById("tab-" + view); if (b) { b.focus(); } }

  function draw() {
    finalizeViews();
    document.documentElement.lang = state.lang;
    document.title = tr("title");
    var app = document.getElementById("app");
    app.textContent = "";
    var language = select("language", "language", doc.languages.map(function (l) {
      return { value: l, label: tr("language." + l) };
    }), state.lang, function (v) { state.lang = v; draw(); document.getElementById("language").focus(); });
    app.appendChild(el("header", {}, [
      el("h1", {}, [document.createTextNode(tr("title")), el("span", { class: "subtitle", text: tr("subtitle") })]),
      language]));
    app.appendChild(tabs());
    var panel = el("main", { id: "panel", role: "tabpanel", "aria-labelledby": "tab-" + state.view,
                             "data-view": state.view });
    app.appendChild(panel);
    DRAW[state.view](panel);
    var withheld = loc(doc.withheld);
    if (withheld) { panel.appendChild(el("p", { class: "note withheld", text: withheld })); }
    app.appendChild(el("footer", { text: tr("footer") }));
    var count = ++renderCount;
    Promise.all(views).then(function () {
      if (count === renderCount) { document.body.setAttribute("data-rendered", state.view + ":" + count); }
    }, function (error) { console.error("a chart could not be drawn: " + error); });
  }

  draw();
})();
