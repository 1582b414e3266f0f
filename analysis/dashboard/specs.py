"""The dashboard's charts as Vega-Lite specifications (Satyanarayan et al. 2017, *Vega-Lite: a grammar of
interactive graphics*, IEEE TVCG 23(1)): pure dicts, one set per language.

Each chart reads named datasets that the page fills in with the current selection
(``rows``, and ``ref`` for reference lines): the specification holds no data, so the
page stays small for hundreds of groups and the language switch only swaps texts.
Every chart is drawn as SVG; colours are the Okabe & Ito (2008) palette, readable
with every common colour-vision deficiency, and the quadrants differ by shape too.
"""
from __future__ import annotations

from analysis.report.headline import QUADRANT_CSS
from analysis.report.i18n import LANGUAGES, Texts
from analysis.dashboard.open_answers import polarity_label
from analysis.dashboard.texts import dashboard_text

# Okabe, M. & Ito, K. (2008). Color Universal Design: how to make figures and presentations that are friendly
# to colorblind people. https://jfly.uni-koeln.de/color/ (the eight colours).
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
QUADRANT_COLOURS = {"q-concentrate": OKABE_ITO["vermillion"], "q-keep": OKABE_ITO["green"],
                    "q-low": OKABE_ITO["blue"], "q-overkill": OKABE_ITO["purple"]}
QUADRANT_SHAPES = {"q-concentrate": "triangle-up", "q-keep": "circle", "q-low": "square", "q-overkill": "diamond"}
INTERVAL_GREY = "#7a7a7a"
# A row's role in a comparison (the page sets it): the reference (whole study, all channels), the group
# selected elsewhere on the page, any other; colour and shape both differ.
ROLES = {"reference": (OKABE_ITO["black"], "diamond"), "selected": (OKABE_ITO["vermillion"], "triangle-up"),
         "other": (OKABE_ITO["blue"], "circle")}
ROW_STEP = 18
WIDTH = 560
CONFIG = {"font": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
          "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260, "gridColor": "#e4e4e4"},
          "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
          "view": {"stroke": None}}


def _base(**extra) -> dict:
    # No $schema: the page embeds them as Vega-Lite (vega-embed's mode) with the bundled version.
    return {"config": CONFIG, "data": {"name": "rows"}, "width": WIDTH, **extra}


def _interval_dots(y_field: str, y_title: str, x_title: str, tooltip: list, *, reference: bool) -> dict:
    """Points with a horizontal interval, one row per category (in the data's order), and a reference line."""
    y = {"field": y_field, "type": "nominal", "sort": None, "title": y_title}
    layers = [
        {"mark": {"type": "rule", "color": INTERVAL_GREY, "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": x_title,
                                    "scale": {"zero": False}}, "x2": {"field": "high"}, "tooltip": tooltip}},
        {"mark": {"type": "point", "filled": True, "size": 80, "opacity": 1},
         "encoding": {"y": y, "x": {"field": "estimate", "type": "quantitative"},
                      "color": {"field": "role", "type": "nominal", "legend": None,
                                "scale": {"domain": list(ROLES), "range": [ROLES[r][0] for r in ROLES]}},
                      "shape": {"field": "role", "type": "nominal", "legend": None,
                                "scale": {"domain": list(ROLES), "range": [ROLES[r][1] for r in ROLES]}},
                      "tooltip": tooltip}},
    ]
    if reference:
        layers.append({"data": {"name": "ref"}, "mark": {"type": "rule", "color": OKABE_ITO["black"],
                                                         "strokeDash": [4, 4]},
                       "encoding": {"x": {"field": "estimate", "type": "quantitative"}}})
    return _base(height={"step": ROW_STEP}, layer=layers)


def kpi_spec(t: Texts, y_field: str, y_title: str) -> dict:
    """A KPI per group or per channel: the estimate, its interval, the whole study marked."""
    tooltip = [{"field": y_field, "title": y_title},
               {"field": "text", "title": dashboard_text("tip.value", t)},
               {"field": "interval", "title": dashboard_text("tip.interval", t)},
               {"field": "n", "title": dashboard_text("tip.answers", t)}]
    return _interval_dots(y_field, y_title, "", tooltip, reference=False)


def own_tooltip(t: Texts, pooled: bool) -> list:
    """Hover entries of the own-data figure and own-data weight beside a pooled importance (none unpooled).

    Headed as the reports' columns ('Own data alone (LMG, % of R²)', 'Own-data weight').
    """
    return [{"field": "own_text", "title": t("col.own_lmg")},
            {"field": "weight_text", "title": t("col.own_weight")}] if pooled else []


def compare_spec(t: Texts, measure: str, pooled: bool = False) -> dict:
    """One driver's importance per group with its interval; the dashed line is the whole study."""
    group = dashboard_text("tip.group", t)
    tooltip = [{"field": "group_label", "title": group},
               {"field": "importance_text", "title": dashboard_text("tip.importance", t)},
               *own_tooltip(t, pooled),
               {"field": "rank_text", "title": dashboard_text("tip.rank", t)},
               {"field": "n", "title": dashboard_text("tip.n", t)}]
    return _interval_dots("group_label", group, t("col.importance." + measure), tooltip, reference=True)


def compare_all_spec(t: Texts, measure: str, pooled: bool = False) -> dict:
    """Every driver's importance per group as a table of shades (darker = more important), its value written in."""
    group = dashboard_text("tip.group", t)
    tooltip = [{"field": "group_label", "title": group},
               {"field": "driver_label", "title": dashboard_text("tip.driver", t)},
               {"field": "importance_text", "title": dashboard_text("tip.importance", t)},
               *own_tooltip(t, pooled),
               {"field": "rank_text", "title": dashboard_text("tip.rank", t)},
               {"field": "n", "title": dashboard_text("tip.n", t)}]
    y = {"field": "group_label", "type": "nominal", "sort": None, "title": group}
    x = {"field": "driver_label", "type": "nominal", "sort": None, "title": None,
         "axis": {"orient": "top", "labelAngle": -30, "labelAlign": "left"}}
    return _base(width={"step": 92}, height={"step": ROW_STEP + 4}, layer=[
        {"mark": {"type": "rect", "stroke": "#ffffff"},
         "encoding": {"x": x, "y": y, "tooltip": tooltip,
                      # single-hue blues: ordered by lightness, so readable with any colour vision
                      "color": {"field": "importance", "type": "quantitative", "title": t("col.importance." + measure),
                                "scale": {"scheme": "blues", "zero": True}}}},
        {"mark": {"type": "text", "fontSize": 11},
         "encoding": {"x": x, "y": y, "text": {"field": "importance", "type": "quantitative", "format": ".0f"},
                      "tooltip": tooltip,
                      "color": {"condition": {"test": "datum.importance > datum.dark_from", "value": "#ffffff"},
                                "value": "#1d1d1d"}}},
    ])


def priorities_spec(t: Texts, measure: str, pooled: bool = False) -> dict:
    """The priority matrix: performance across, importance up, both intervals, the cross-hairs, labels.

    With ``pooled`` the hover also gives the own-data figure and weight (:func:`own_tooltip`).
    """
    x_title, y_title = t("figure.priorities.x"), t("col.importance." + measure)
    labels = [t("quadrant." + q) for q in QUADRANT_CSS]
    colours = [QUADRANT_COLOURS[css] for css in QUADRANT_CSS.values()]
    shapes = [QUADRANT_SHAPES[css] for css in QUADRANT_CSS.values()]
    tooltip = [{"field": "driver_label", "title": dashboard_text("tip.driver", t)},
               {"field": "importance_text", "title": dashboard_text("tip.importance", t)},
               *own_tooltip(t, pooled),
               {"field": "performance_text", "title": dashboard_text("tip.performance", t)},
               {"field": "rank_text", "title": dashboard_text("tip.rank", t)},
               {"field": "priority", "title": dashboard_text("tip.priority", t)},
               {"field": "quadrant_label", "title": dashboard_text("tip.quadrant", t)},
               {"field": "n", "title": dashboard_text("tip.n", t)}]
    x = {"field": "performance", "type": "quantitative", "title": x_title, "scale": {"zero": False}}
    y = {"field": "importance", "type": "quantitative", "title": y_title, "scale": {"zero": False}}
    line = {"color": INTERVAL_GREY, "strokeWidth": 1.5}
    return _base(height=420, layer=[
        {"data": {"name": "ref"}, "mark": {"type": "rule", "color": OKABE_ITO["black"], "strokeDash": [4, 4]},
         "encoding": {"x": {"field": "performance", "type": "quantitative"}}},
        {"data": {"name": "ref"}, "mark": {"type": "rule", "color": OKABE_ITO["black"], "strokeDash": [4, 4]},
         "encoding": {"y": {"field": "importance", "type": "quantitative"}}},
        {"mark": {"type": "rule", **line}, "encoding": {"y": y, "x": {**x, "field": "performance_low"},
                                                        "x2": {"field": "performance_high"}, "tooltip": tooltip}},
        {"mark": {"type": "rule", **line}, "encoding": {"x": x, "y": {**y, "field": "importance_low"},
                                                        "y2": {"field": "importance_high"}, "tooltip": tooltip}},
        {"mark": {"type": "point", "filled": True, "size": 140, "opacity": 1},
         "encoding": {"x": x, "y": y, "tooltip": tooltip,
                      "color": {"field": "quadrant_label", "type": "nominal", "title": t("col.quadrant"),
                                "scale": {"domain": labels, "range": colours}},
                      "shape": {"field": "quadrant_label", "type": "nominal", "title": t("col.quadrant"),
                                "scale": {"domain": labels, "range": shapes}}}},
        {"mark": {"type": "text", "align": "left", "dx": 9, "dy": -7, "fontSize": 12},
         "encoding": {"x": x, "y": y, "text": {"field": "driver_label"}, "tooltip": tooltip}},
    ])


# Polarity of a theme's mentions and the NPS groups: colour and shape differ (Okabe & Ito).
POLARITY_COLOURS = {"complaint": OKABE_ITO["vermillion"], "praise": OKABE_ITO["blue"], "other": "#b3b3b3"}
NPS_MARKS = {"detractors": (OKABE_ITO["vermillion"], "triangle-up"), "promoters": (OKABE_ITO["blue"], "circle")}


def wave_kpi_spec(t: Texts) -> dict:
    """One KPI of one group per wave: estimate and interval, joined by a line; CSAT's control limits (``ctl``).

    The page drops the ``ctl`` layers when there are no control limits (another KPI).
    """
    wave = dashboard_text("tip.wave", t)
    tooltip = [{"field": "wave", "title": wave}, {"field": "text", "title": dashboard_text("tip.value", t)},
               {"field": "interval", "title": dashboard_text("tip.interval", t)},
               {"field": "n", "title": dashboard_text("tip.answers", t)}]
    x = {"field": "wave", "type": "ordinal", "sort": None, "title": wave, "axis": {"labelAngle": 0}}
    y = {"field": "estimate", "type": "quantitative", "title": "", "scale": {"zero": False}}
    limit = {"type": "line", "color": INTERVAL_GREY, "strokeDash": [2, 3], "strokeWidth": 1.5}
    return _base(height=260, layer=[
        {"data": {"name": "ctl"}, "mark": limit, "encoding": {"x": x, "y": {**y, "field": "ucl"}}},
        {"data": {"name": "ctl"}, "mark": limit, "encoding": {"x": x, "y": {**y, "field": "lcl"}}},
        {"data": {"name": "ctl"}, "mark": {"type": "line", "color": OKABE_ITO["black"], "strokeDash": [6, 4],
                                           "strokeWidth": 1},
         "encoding": {"x": x, "y": {**y, "field": "centre"}}},
        {"mark": {"type": "rule", "color": INTERVAL_GREY, "strokeWidth": 2},
         "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}, "tooltip": tooltip}},
        {"mark": {"type": "line", "color": OKABE_ITO["blue"]}, "encoding": {"x": x, "y": y}},
        {"mark": {"type": "point", "filled": True, "size": 90, "opacity": 1, "color": OKABE_ITO["blue"]},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        # a ring around a wave the control chart signals (drawn for every wave, seen for those: no empty layer)
        {"data": {"name": "ctl"},
         "mark": {"type": "point", "filled": False, "size": 420, "strokeWidth": 2.5, "color": OKABE_ITO["vermillion"]},
         "encoding": {"x": x, "y": {**y, "field": "csat"},
                      "opacity": {"condition": {"test": "datum.signal", "value": 1}, "value": 0}}},
    ])


def wave_importance_spec(t: Texts, columns: int = 4) -> dict:
    """Every driver's importance per wave, one small chart per driver, with intervals."""
    wave = dashboard_text("tip.wave", t)
    tooltip = [{"field": "driver_label", "title": dashboard_text("tip.driver", t)}, {"field": "wave", "title": wave},
               {"field": "text", "title": dashboard_text("tip.importance", t)},
               {"field": "interval", "title": dashboard_text("tip.interval", t)},
               {"field": "n", "title": dashboard_text("tip.n", t)}]
    x = {"field": "wave", "type": "ordinal", "sort": None, "title": wave, "axis": {"labelAngle": -40}}
    y = {"field": "estimate", "type": "quantitative", "title": "%", "scale": {"zero": True}}
    return {"config": CONFIG, "data": {"name": "rows"}, "columns": columns,
            "facet": {"field": "driver_label", "type": "nominal", "sort": None, "title": None,
                      "header": {"labelFontSize": 12, "labelLimit": 170}},
            "spec": {"width": 130, "height": 110, "layer": [
                {"mark": {"type": "rule", "color": INTERVAL_GREY, "strokeWidth": 2},
                 "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}, "tooltip": tooltip}},
                {"mark": {"type": "line", "color": OKABE_ITO["blue"]}, "encoding": {"x": x, "y": y}},
                {"mark": {"type": "point", "filled": True, "size": 50, "opacity": 1},
                 "encoding": {"x": x, "y": y, "tooltip": tooltip,
                              "color": {"field": "changed", "type": "nominal", "legend": None,
                                        "scale": {"domain": [False, True],
                                                  "range": [OKABE_ITO["blue"], OKABE_ITO["vermillion"]]}},
                              "shape": {"field": "changed", "type": "nominal", "legend": None,
                                        "scale": {"domain": [False, True], "range": ["circle", "triangle-up"]}}}},
            ]}}


def theme_bars_spec(t: Texts) -> dict:
    """Share of a group's answers mentioning each theme, split by how it is said (complaint, praise, other)."""
    theme = dashboard_text("tip.theme", t)
    polarity = dashboard_text("tip.polarity", t)
    tooltip = [{"field": "theme_label", "title": theme}, {"field": "polarity_label", "title": polarity},
               {"field": "value", "type": "quantitative", "format": ".0%", "title": dashboard_text("tip.share", t)},
               {"field": "share", "type": "quantitative", "format": ".0%", "title": dashboard_text("tip.mentions", t)},
               {"field": "n", "title": "n"}]
    return _base(height={"step": ROW_STEP + 2}, mark={"type": "bar", "stroke": "#ffffff"}, encoding={
        "y": {"field": "theme_label", "type": "nominal", "sort": None, "title": None},
        "x": {"field": "value", "type": "quantitative", "stack": "zero", "title": dashboard_text("tip.share", t),
              "axis": {"format": ".0%"}},
        "color": {"field": "polarity_label", "type": "nominal", "title": polarity, "sort": None,
                  "scale": {"domain": [polarity_label(p, t) for p in POLARITY_COLOURS],
                            "range": list(POLARITY_COLOURS.values())}},
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": tooltip})


def theme_score_spec(t: Texts) -> dict:
    """Per theme, the share of detractors' and of promoters' answers mentioning it (a line joins the two)."""
    theme = dashboard_text("tip.theme", t)
    tooltip = [{"field": "theme_label", "title": theme}, {"field": "nps_label", "title": dashboard_text("tip.nps_group", t)},
               {"field": "share", "type": "quantitative", "format": ".0%", "title": dashboard_text("tip.share", t)},
               {"field": "n_answers", "title": dashboard_text("tip.answers", t)}]
    y = {"field": "theme_label", "type": "nominal", "sort": None, "title": None}
    x = {"field": "share", "type": "quantitative", "title": dashboard_text("tip.share", t), "axis": {"format": ".0%"}}
    nps = [t("voice." + g) for g in NPS_MARKS]
    return _base(height={"step": ROW_STEP + 2}, layer=[
        {"data": {"name": "pairs"}, "mark": {"type": "rule", "color": INTERVAL_GREY, "strokeWidth": 2},
         "encoding": {"y": y, "x": {**x, "field": "low"}, "x2": {"field": "high"}}},
        {"mark": {"type": "point", "filled": True, "size": 90, "opacity": 1},
         "encoding": {"y": y, "x": x, "tooltip": tooltip,
                      "color": {"field": "nps_label", "type": "nominal", "title": dashboard_text("tip.nps_group", t),
                                "scale": {"domain": nps, "range": [NPS_MARKS[g][0] for g in NPS_MARKS]}},
                      "shape": {"field": "nps_label", "type": "nominal", "title": dashboard_text("tip.nps_group", t),
                                "scale": {"domain": nps, "range": [NPS_MARKS[g][1] for g in NPS_MARKS]}}}},
    ])


def theme_compare_spec(t: Texts) -> dict:
    """Every theme's share of the answers per group as a table of shades, its value written in."""
    group, theme = dashboard_text("tip.group", t), dashboard_text("tip.theme", t)
    tooltip = [{"field": "group_label", "title": group}, {"field": "theme_label", "title": theme},
               {"field": "share", "type": "quantitative", "format": ".0%", "title": dashboard_text("tip.share", t)},
               {"field": "complaint_share", "type": "quantitative", "format": ".0%",
                "title": dashboard_text("tip.polarity", t) + ": " + t("polarity.complaint")},
               {"field": "n", "title": dashboard_text("tip.mentions", t)}]
    y = {"field": "group_label", "type": "nominal", "sort": None, "title": group}
    x = {"field": "theme_label", "type": "nominal", "sort": None, "title": None,
         "axis": {"orient": "top", "labelAngle": -30, "labelAlign": "left"}}
    return _base(width={"step": 72}, height={"step": ROW_STEP + 4}, layer=[
        {"mark": {"type": "rect", "stroke": "#ffffff"},
         "encoding": {"x": x, "y": y, "tooltip": tooltip,
                      "color": {"field": "share", "type": "quantitative", "title": dashboard_text("tip.share", t),
                                "scale": {"scheme": "blues", "zero": True}, "legend": {"format": ".0%"}}}},
        {"mark": {"type": "text", "fontSize": 11},
         "encoding": {"x": x, "y": y, "text": {"field": "share", "type": "quantitative", "format": ".0%"},
                      "tooltip": tooltip,
                      "color": {"condition": {"test": "datum.share > datum.dark_from", "value": "#ffffff"},
                                "value": "#1d1d1d"}}},
    ])


def dashboard_specs(measure: str, nouns: dict | None = None, pooled: bool = False) -> dict:
    """``{lang: {chart: spec}}``: ``kpi_group``, ``kpi_channel``, ``priorities``, ``compare``, ``compare_all``,
    ``wave_kpi``, ``wave_importance``, ``theme_bars``, ``theme_score``, ``theme_compare``.

    ``nouns`` is ``{lang: (singular, plural)}``, how the groups are called (default: organisations);
    ``pooled``: the importance figures are partially pooled, so their hover gives the own-data
    figure and weight too.
    """
    out = {}
    for lang in LANGUAGES:
        t = Texts(lang, nouns=(nouns or {}).get(lang))
        out[lang] = {"kpi_group": kpi_spec(t, "group_label", dashboard_text("tip.group", t)),
                     "kpi_channel": kpi_spec(t, "channel_label", dashboard_text("tip.channel", t)),
                     "priorities": priorities_spec(t, measure, pooled),
                     "compare": compare_spec(t, measure, pooled),
                     "compare_all": compare_all_spec(t, measure, pooled),
                     "wave_kpi": wave_kpi_spec(t),
                     "wave_importance": wave_importance_spec(t),
                     "theme_bars": theme_bars_spec(t),
                     "theme_score": theme_score_spec(t),
                     "theme_compare": theme_compare_spec(t)}
    return out
