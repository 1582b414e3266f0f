"""Report content: every figure is the analysis' own, top drivers, certainty, minimum group size, both languages."""
from __future__ import annotations

import json

import pytest

from analysis.common.groups import ALL
from analysis.report.blocks import Figure, Notes, Table
from analysis.report.content import report_content
from analysis.report.i18n import Texts
from analysis.report.scope import StudyResults, shown_groups


def results(study, inst, **kw) -> StudyResults:
    return StudyResults(analysis=study.analysis, validation=study.validation, quality=study.quality, inst=inst,
                        source="responses.sav", command="drivers report ...", **kw)


def tables(content) -> dict[str, Table]:
    return {t.name: t for t in content.tables()}


def test_priority_rows_are_the_values_of_to_dict(example, inst):
    doc = json.loads(json.dumps(example.analysis.to_dict()))
    for group in ["Energie", ALL]:
        content = report_content(results(example, inst), group, "en", "x")
        rows = tables(content)["priorities"].rows
        assert [r["priority"] for r in rows] == list(range(1, 8))
        for r in rows:
            d = doc["groups"][group]["drivers"][r["driver"]]
            # importance 'lmg' (the default): the LMG share of R² and its interval
            assert [r["importance"], r["importance_low"], r["importance_high"]] == [d["lmg_pct"], *d["lmg_pct_ci"]]
            assert r["importance"] == pytest.approx(d["importance_share"], abs=1e-9)
            assert r["performance"] == d["performance"]
            assert [r["performance_low"], r["performance_high"]] == d["performance_ci"]
            assert [r["priority"], r["priority_low"], r["priority_high"]] == [d["priority"], *d["priority_ci"]]
            assert [r["rank"], r["rank_low"], r["rank_high"]] == [d["rank"], *d["rank_ci"]]
            assert r["quadrant"] == d["quadrant"]


def test_summary_acts_on_the_concentrate_here_drivers_with_their_intervals(example, inst):
    t = Texts("en")
    for group in example.analysis.group_names:
        content = report_content(results(example, inst), group, "en", "x")
        doc = example.analysis.to_dict()["groups"][group]["drivers"]
        ordered = sorted(doc, key=lambda d: doc[d]["priority"])
        act = [d for d in ordered if doc[d]["quadrant"] == "concentrate here"]
        s = content.summary
        # the drivers to act on are 'concentrate here', or (none there) the driver ranked first, said so
        assert [d.driver for d in s.top] == (act or ordered[:1])
        assert s.intro.startswith("Concentrate here" if act else "No driver is in 'concentrate here'")
        for d in s.top:
            lo, hi = doc[d.driver]["lmg_pct_ci"]
            assert f"Importance {t.pct(doc[d.driver]['lmg_pct'])} ({t.pct_interval(lo, hi)})" in d.figures
            assert f"priority {d.priority} ({t.rank_interval(*doc[d.driver]['priority_ci'])})" in d.figures
            assert d.label == inst.construct(d.driver).label["en"]
        # no 'keep up the good work' or 'possible overkill' driver is among those to work on
        assert not act or all(d.quadrant == "concentrate here" for d in s.top)
        assert any("not certain" in note or "is clear" in note for note in s.certainty)
        assert any("200 bootstrap resamples" in note for note in s.certainty)


def test_certainty_mentions_drivers_whose_interval_reaches_the_top(example, inst):
    content = report_content(results(example, inst), "Energie", "en", "x")
    rows = example.analysis.group("Energie").sort_values("priority")
    k = max(1, int((rows.quadrant == "concentrate here").sum()))
    reaching = rows.iloc[k:][rows.iloc[k:].priority_ci_low <= k]
    text = " ".join(content.summary.certainty)
    for driver in reaching.driver:
        assert inst.construct(driver).label["en"] in text
    if not len(reaching):
        assert f"the first {k} place(s) is clear" in text


def not_flagged(data):
    return ~data[[c for c in data.columns if c.startswith("flag_")]].fillna(False).astype(bool).any(axis=1)


def test_kpi_rows_equal_the_kpi_document(example, inst):
    doc = example.analysis.to_dict()["groups"]["Telecom"]["kpis"]
    content = report_content(results(example, inst), "Telecom", "en", "x")
    rows = {r["channel"]: r for r in tables(content)["kpis_by_channel"].rows}
    assert rows[ALL]["nps"] == doc["nps"]["estimate"]
    assert [rows[ALL]["nps_low"], rows[ALL]["nps_high"]] == doc["nps"]["ci"]
    # respondents per channel: counted in the data, independently of the code (not flagged, in Telecom)
    data = example.data
    telecom = data[(data.organisation == "Telecom") & not_flagged(data)]
    assert rows[ALL]["n"] == len(telecom)
    shown = [c for c in doc["by_channel"] if c in rows]
    assert shown
    for channel in shown:
        assert rows[channel]["csat_pct"] == doc["by_channel"][channel]["csat_pct"]["estimate"]
        assert rows[channel]["n"] == (telecom.channel == channel).sum()


def test_respondents_mean_one_number_the_usable_ones(example, inst):
    """The fact sheet, the overview and the KPI table give a group's usable (not flagged) respondents."""
    data = example.data
    energie = int(((data.organisation == "Energie") & not_flagged(data)).sum())
    everyone = int((data.organisation.notna() & not_flagged(data)).sum())
    res = results(example, inst)
    content = report_content(res, "Energie", "en", "x")
    facts = dict(content.facts)
    assert "Respondents" not in facts and facts["Usable respondents"] == f"{energie:,}"
    kpi = {r["channel"]: r for r in tables(content)["kpis_by_channel"].rows}[ALL]
    assert kpi["n"] == energie
    assert [c.header for c in tables(content)["kpis_by_channel"].columns if c.key == "n"] == ["Usable respondents"]
    study = tables(report_content(res, ALL, "en", "x"))
    assert {r["group"]: r for r in study["overview"].rows}["Energie"]["n_usable"] == energie
    assert {r["what"]: r["n"] for r in study["data_quality"].rows}["in_report"] == everyone


def test_both_languages_render_every_text(example, inst):
    for lang in ("nl", "en"):
        for group in ("Webwinkel", ALL):
            content = report_content(results(example, inst), group, lang, "x")
            assert content.summary.top and content.sections
    nl = report_content(results(example, inst), "Energie", "nl", "x")
    labels = {r["quadrant_label"] for r in tables(nl)["priorities"].rows}
    assert labels <= {"hier verbeteren", "zo doorgaan", "lage prioriteit", "mogelijk overinvestering"}
    assert {r["driver_label"] for r in tables(nl)["priorities"].rows} == {c.label["nl"] for c in inst.drivers}
    figures = {f.kind for f in nl.figures()}
    assert figures == {"importance", "priorities", "versus_rest"}
    study = report_content(results(example, inst), ALL, "nl", "x")
    assert "versus_rest" not in {f.kind for f in study.figures()} and "overview" in tables(study)


def test_versus_rest_rows_are_the_bootstrap_differences(example, inst):
    content = report_content(results(example, inst), "Energie", "en", "x")
    rows = tables(content)["versus_rest"].rows
    doc = [d for d in example.analysis.to_dict()["differences"]
           if d["group"] == "Energie" and d["versus"] == "rest" and d["statistic"] == "lmg_pct"]
    by_driver = {d["driver"]: d for d in doc}
    for r in rows:
        d = by_driver[r["driver"]]
        assert (r["difference"], [r["difference_low"], r["difference_high"]], r["excludes_zero"]) == \
            (d["estimate"], d["ci"], d["excludes_zero"])
        assert r["verdict"] == ("no clear difference" if not d["excludes_zero"] else
                                "clearly higher" if d["estimate"] > 0 else "clearly lower")


def test_small_organisation_gets_no_report_and_a_note(small_study, inst):
    res = results(small_study, inst, min_group_n=30)
    shown, withheld = shown_groups(res)
    assert shown == ["Energie", "Telecom"] and withheld == ["Klein"]
    with pytest.raises(ValueError, match="fewer than 30"):
        report_content(res, "Klein", "en", "x")
    study = report_content(res, ALL, "en", "x")
    notes = [i for s in study.sections for b in s.blocks if isinstance(b, Notes) for i in b.items]
    assert any("Klein" in n and "fewer than 30 usable respondents" in n for n in notes)
    for table in study.tables():
        for row in table.rows:
            assert "Klein" not in {row.get("group"), row.get("group_label")}, table.name
    assert not any("Klein" in str(v) for f in study.figures() for r in f.rows for v in r.values())


def test_small_channel_shows_no_kpi_and_says_so(small_study, inst):
    study = report_content(results(small_study, inst), ALL, "en", "x")
    channels = [r["channel"] for r in tables(study)["kpis_by_channel"].rows]
    assert "social" not in channels and "phone" in channels
    notes = [i for s in study.sections for b in s.blocks if isinstance(b, Notes) for i in b.items]
    assert any("Not shown: Social media" in n and "fewer than 30 usable respondents" in n for n in notes)
    # with a lower minimum the channel is shown
    lower = report_content(results(small_study, inst, min_group_n=5), ALL, "en", "x")
    assert "social" in [r["channel"] for r in tables(lower)["kpis_by_channel"].rows]


def test_channels_that_would_reveal_a_withheld_channel_are_withheld_too(example, inst):
    """Telecom: social media (17) is below 30, alone; 'all channels' minus the others would give it, so the next
    smallest channel (messaging, 43) is withheld as well. Energie: social (15) and messaging (24) add up to 39."""
    data = example.data
    usable = data[not_flagged(data)]
    for group, hidden in (("Telecom", {"social", "messaging"}), ("Energie", {"social", "messaging"})):
        sizes = usable[usable.organisation == group].channel.value_counts()
        content = report_content(results(example, inst), group, "en", "x")
        shown = {r["channel"] for r in tables(content)["kpis_by_channel"].rows} - {ALL}
        assert shown == set(sizes.index) - hidden
        assert sizes[list(hidden)].sum() >= 30                  # the channels withheld cannot be worked out
        notes = [i for s in content.sections for b in s.blocks if isinstance(b, Notes) for i in b.items]
        also = [n for n in notes if n.startswith("Also not shown")]
        if group == "Telecom":
            assert len(also) == 1 and "Messaging" in also[0] and "all channels" in also[0]
            assert any(n.startswith("Not shown: Social media") for n in notes)
        else:
            assert not also and any(n.startswith("Not shown: Messaging (e.g. WhatsApp), Social media.")
                                    for n in notes)


def test_driver_figures_withheld_when_the_analysis_used_too_few(small_study, inst):
    # every respondent is used for importance now (issue 12), so 'used' falls short of 'usable'
    # only by those without a driver score: Telecom has 355 usable, 354 used; Energie 357 and 357
    res = results(small_study, inst, min_group_n=355)
    shown, _ = shown_groups(res)
    assert "Telecom" in shown
    content = report_content(res, "Telecom", "en", "x")
    assert content.summary.withheld and not content.summary.top
    assert "priorities" not in tables(content) and not content.figures()


def test_figure_rows_are_table_rows(example, inst):
    content = report_content(results(example, inst), "Telecom", "en", "x")
    priorities = tables(content)["priorities"].rows
    for figure in content.figures():
        assert isinstance(figure, Figure)
        if figure.kind in ("importance", "priorities"):
            assert figure.rows == priorities


def test_whole_study_only_without_a_grouping_column(example, inst, tmp_path):
    from analysis.drivers.analyse import analyse_drivers
    from analysis.report import build_reports
    from analysis.validation.validation import validate

    part = example.data[example.data.organisation == "Energie"]
    res = analyse_drivers(part, inst, by=None, bootstrap=20, seed=1, sem=False)
    val = validate(part, inst, by=None, invariance=False)
    reports = build_reports(part, inst, example.quality, by=None, lang="nl", out_dir=tmp_path, analysis=res,
                            validation=val, pdf=False)
    assert reports.groups == {} and [p.name for p in reports.paths] == ["study.html", "tables.xlsx"]
    html = reports.study_html.read_text(encoding="utf-8")
    assert "Samenvatting" in html and "De organisaties in één oogopslag" not in html


def test_small_group_shown_with_a_lower_minimum_gets_the_unstable_ranks_caution(small_study, inst):
    res = results(small_study, inst, min_group_n=5)
    assert "Klein" in shown_groups(res)[0]
    content = report_content(res, "Klein", "en", "x")
    assert content.summary.top
    assert any("fewer than 100" in note and "indication" in note for note in content.summary.certainty)
    nl = report_content(res, "Klein", "nl", "x")
    assert any("minder dan 100" in note for note in nl.summary.certainty)


def test_secondary_suppression_until_the_withheld_reach_the_minimum_or_all_are_withheld():
    from types import SimpleNamespace

    import pandas as pd

    from analysis.report.scope import withheld_channels

    def study(**sizes):
        kpis = pd.DataFrame([{"group": "G", "channel": c, "key": "nps", "n": n - 1, "n_missing": 1}
                             for c, n in {"all": sum(sizes.values()), **sizes}.items()])
        return StudyResults(analysis=SimpleNamespace(kpis=kpis), validation=None, quality=None, inst=None)

    assert withheld_channels(study(a=5, b=50, c=60), "G") == (["a"], ["b"])
    assert withheld_channels(study(a=5, b=6, c=40), "G") == (["a", "b"], ["c"])      # every channel withheld
    assert withheld_channels(study(a=12, b=20, c=40), "G") == (["a", "b"], [])       # 32: cannot be worked out
    assert withheld_channels(study(b=50, c=60), "G") == ([], [])


def test_data_quality_counts_platform_previews_and_incomplete_surveys(example, inst):
    """Appendix C: previews/test responses dropped and surveys not completed are counted when there are any."""
    from dataclasses import replace

    def labels(quality):
        rows = tables(report_content(results(example, inst) if quality is None else
                                     StudyResults(**{**results(example, inst).__dict__, "quality": quality}),
                                     ALL, "en", "x"))["data_quality"].rows
        return {r["what"]: r["n"] for r in rows}

    plain = labels(None)
    assert "not_respondents" not in plain and "incomplete" not in plain
    counted = labels(replace(example.quality, n_not_respondents=2, n_incomplete=5))
    assert counted["not_respondents"] == 2 and counted["incomplete"] == 5
