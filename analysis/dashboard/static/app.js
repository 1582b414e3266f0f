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
    embed(panel, "priorities", { rows: rows, ref: [{ importance: cross.importance, performance: cross.performance }] });
    panel.appendChild(el("p", { class: "note", text: loc(cross.text) }));
    var cols = [["driver_label", "col.driver"], ["importance_text", "col.importance." + doc.meta.importance],
                ["performance_text", "col.performance"], ["rank_text", "col.rank"], ["priority", "col.priority"],
                ["quadrant_label", "col.quadrant"], ["n", null]];
    var numeric = { importance_text: true, performance_text: true, rank_text: true, priority: true, n: true };
    var head = el("tr", {}, cols.map(function (c) {
      return el("th", { scope: "col", text: c[1] ? loc(doc.columns[c[1]]) : tr("tip.n") });
    }));
    var body = el("tbody", {}, rows.map(function (r) {
      return el("tr", {}, cols.map(function (c, i) {
        return el(i === 0 ? "th" : "td", i === 0 ? { scope: "row", text: String(r[c[0]]) }
                                                  : { class: numeric[c[0]] ? "num" : "", text: r[c[0]] === null ? "\u2013" : String(r[c[0]]) });
      }));
    }));
    panel.appendChild(el("table", { "data-testid": "priorities-table" }, [
      el("caption", { class: "note", text: tr("priorities.table", { group: groupLabel(state.group) }) }),
      el("thead", {}, [head]), body]));
  }

  // ------------------------------------------------------------- compare
  function drawCompare(panel) {
    panel.appendChild(el("div", { class: "controls" }, [
      select("compare-driver", "select.driver", doc.drivers.map(function (d) { return { value: d.key, label: loc(d.label) }; }),
             state.driver, function (v) { state.driver = v; draw(); })]));
    panel.appendChild(el("h2", { text: tr("compare.title", { driver: driverLabel(state.driver) }) }));
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

  var DRAW = { kpis: drawKpis, priorities: drawPriorities, compare: drawCompare, voice: drawVoice };

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
