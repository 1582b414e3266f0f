"""Reports with partial pooling (``build_reports(pooling=...)``, ``drivers report --pooling``), both languages.

The pooled figure is the headline with the own-data figure beside it, one sentence says
what pooling means, and per group and channel a table says how many respondents each
figure rests on; with fewer than three groups nothing is pooled and the report says so.
"""
from __future__ import annotations

import json

import pytest

from analysis.common.groups import ALL
from analysis.drivers.analyse import analyse_drivers
from analysis.report import build_reports
from analysis.report.content import report_content
from analysis.report.i18n import Texts
from analysis.report.render.excel import render_excel
from analysis.report.render.html import render_html
from analysis.report.scope import StudyResults, withheld_channels
from instrument.description import describe_instrument
from cli_results import ok

LANGS = ("en", "nl")


@pytest.fixture(scope="module")
def pooled_study(example, inst):
    res = analyse_drivers(example.data, inst, by="organisation", bootstrap=100, seed=5, sem=False, pooling="partial")
    return StudyResults(analysis=res, validation=example.validation, quality=example.quality, inst=inst,
                        source="responses.sav", command="drivers report ...")


@pytest.fixture(scope="module")
def two_groups(example, inst):
    data = example.data[example.data.organisation.isin(["Energie", "Telecom"])]
    res = analyse_drivers(data, inst, by="organisation", bootstrap=50, seed=5, sem=False, pooling="partial")
    return StudyResults(analysis=res, validation=example.validation, quality=example.quality, inst=inst,
                        source="responses.sav", command="drivers report ...")


def tables(content) -> dict:
    return {t.name: t for t in content.tables()}


def paragraphs(content) -> str:
    out = []
    for section in content.sections:
        for block in section.blocks:
            out += [getattr(block, "text", "")] + list(getattr(block, "items", ()))
    return "\n".join(x for x in out if isinstance(x, str))


@pytest.mark.parametrize("lang", LANGS)
def test_pooled_figure_is_the_headline_with_the_own_figure_beside_it(pooled_study, lang):
    t = Texts(lang)
    doc = json.loads(json.dumps(pooled_study.analysis.to_dict()))
    content = report_content(pooled_study, "Energie", lang, "x")
    drivers = doc["groups"]["Energie"]["drivers"]
    for top in content.summary.top:
        d = drivers[top.driver]
        assert top.importance == d["lmg_pct"] != d["own"]["lmg_pct"]
        assert top.figures.endswith(t("summary.own_figure", own=t.pct(d["own"]["lmg_pct"])))
    prio = tables(content)["priorities"]
    assert [c.key for c in prio.columns][1:3] == ["importance", "own_lmg_pct"]
    assert prio.columns[2].header == t("col.own_lmg")
    for r in prio.rows:
        assert r["importance"] == drivers[r["driver"]]["lmg_pct"]
        assert r["own_lmg_pct"] == drivers[r["driver"]]["own"]["lmg_pct"]
        assert r["priority"] == drivers[r["driver"]]["priority"]
    # one plain sentence on what pooling means, and how much this organisation's own data weigh
    g = doc["groups"]["Energie"]
    assert t("pooling.what", one=t("group.one"), many=t("group.many")) in content.summary.reading
    assert t.pct(100 * g["pooling"]["weight"]) in content.summary.reading
    assert t.count(g["n"]) in content.summary.reading
    words = {"en": ("Partial pooling", "own data weigh"), "nl": ("Gedeeltelijk poolen", "eigen gegevens")}[lang]
    assert all(w in content.summary.reading for w in words)
    assert t("method.pooling", outcome=t("outcome.satisfaction"), one=t("group.one"),
             many=t("group.many")) in paragraphs(content)


@pytest.mark.parametrize("lang", LANGS)
def test_respondents_behind_each_figure_per_channel(pooled_study, lang):
    t = Texts(lang)
    doc = pooled_study.analysis.to_dict()
    for group in ["Telecom", ALL]:
        content = report_content(pooled_study, group, lang, "x")
        table = tables(content)["respondents_by_channel"]
        by_channel = doc["groups"][group]["pooling"]["respondents_by_channel"]
        rows = {r["channel"]: r for r in table.rows}
        assert rows[ALL]["n"] == doc["groups"][group]["n"] and rows[ALL]["n_phone_only"] == doc["groups"][group]["n_complete"]
        small, secondary = withheld_channels(pooled_study, group)
        assert set(rows) == (set(by_channel) - set(small) - set(secondary)) | {ALL}
        if small or secondary:       # a small channel's count is withheld as its key figures are
            assert t("withheld.channels", channels="", n=30).split(":")[0] in paragraphs(content)
        for channel, counts in by_channel.items():
            if channel in small or channel in secondary:
                continue
            assert (rows[channel]["n"], rows[channel]["n_phone_only"]) == (counts["n"], counts["n_phone_only"])
        assert rows["phone"]["n_phone_only"] == rows["phone"]["n"] > 0
        assert all(r["n_phone_only"] == 0 for c, r in rows.items() if c not in ("phone", ALL))
        # R² paragraph: every respondent, phone-only drivers from the phone respondents
        assert t.count(doc["groups"][group]["n_complete"]) in paragraphs(content)
    study = report_content(pooled_study, ALL, lang, "x")
    overview = tables(study)["overview"]
    assert "pooling_weight" in [c.key for c in overview.columns]
    # the channel-limited drivers are named from the questionnaire, not a fixed sentence
    about = describe_instrument(pooled_study.inst, lang)
    assert overview.note == t("overview.note_everyone", limits=f" ({about.channels})", outcome=t("outcome.satisfaction"))
    assert "{" not in overview.note
    # the note beside 'usable' and 'analysed' allows for usable respondents the analysis could not use
    # (no outcome, a driver score missing): it said every usable respondent counted (audit L3)
    rows = [r for r in overview.rows if r["group"] != ALL]
    assert any(r["n_used"] < r["n_usable"] for r in rows)
    words = {"en": ("Every usable respondent with a score for satisfaction and for each driver that applies to them "
                    "counts", "the others count in the key figures only"),
             "nl": ("Elke bruikbare respondent met een score voor tevredenheid en voor elke driver die voor hem geldt",
                    "de overige tellen alleen mee in de kerncijfers")}[lang]
    assert all(w in " ".join(overview.note.split()) for w in words), overview.note
    assert t("pooling.study") in study.summary.reading
    # the own-data figure is not repeated for the study, which is not pooled
    assert "own_lmg_pct" not in [c.key for c in tables(study)["priorities"].columns]


@pytest.mark.parametrize("lang", LANGS)
def test_without_pooling_no_pooling_text_or_own_column(example, inst, lang):
    t = Texts(lang)
    res = StudyResults(analysis=example.analysis, validation=example.validation, quality=example.quality, inst=inst,
                       source="responses.sav", command="drivers report ...")
    content = report_content(res, "Energie", lang, "x")
    assert content.summary.reading == t("summary.reading")
    # every respondent is used without pooling too (issue 12), so the counts per channel are shown
    assert "respondents_by_channel" in tables(content)
    assert "own_lmg_pct" not in [c.key for c in tables(content)["priorities"].columns]
    assert all(" · " + t("summary.own_figure", own="")[3:] not in top.figures for top in content.summary.top)


@pytest.mark.parametrize("lang", LANGS)
def test_fewer_than_three_groups_say_there_is_nothing_to_pool(two_groups, lang):
    t = Texts(lang)
    assert two_groups.analysis.settings.pooling_used == "none"
    content = report_content(two_groups, "Energie", lang, "x")
    assert t("pooling.too_few", n="2", min=3, one=t("group.one"), many=t("group.many")) in content.summary.reading
    assert "own_lmg_pct" not in [c.key for c in tables(content)["priorities"].columns]
    # everyone is still used, so the counts per channel are shown
    assert "respondents_by_channel" in tables(content)


def test_build_reports_and_cli_accept_pooling(example, inst, tmp_path, run_cli):
    data = example.data[example.data.organisation.isin(["Energie", "Telecom", "Webwinkel"])]
    rep = build_reports(data, inst, example.quality, lang="nl", out_dir=tmp_path / "api", bootstrap=20, seed=1,
                        pooling="partial", validation=example.validation, pdf=False)
    assert rep.analysis.settings.pooling_used == "partial"
    html = rep.groups["Energie"][0].read_text(encoding="utf-8")
    assert "Gedeeltelijk poolen" in html and "Alleen eigen gegevens" in html and "Respondenten achter elk cijfer" in html
    # the reproduce command leaves the default (partial) out and names --pooling only for none
    assert "--pooling partial" not in rep.study_html.read_text(encoding="utf-8")
    assert rep.sheets["respondents_by_channel"] == "Respondenten per cijfer"
    with pytest.raises(Exception, match="pooling must be one of none, partial"):
        build_reports(data, inst, example.quality, out_dir=tmp_path / "bad", pooling="full", pdf=False)

    # drivers report --pooling partial with two organisations: says there is nothing to pool, and uses none
    two = tmp_path / "two.csv"
    part = example.data[example.data.organisation.isin(["Energie", "Telecom"])]
    part = part.drop(columns=[c for c in part if c.startswith("flag_")] + ["source_row"])
    part.assign(channel=part.channel.map({"phone": 1, "email": 2, "chat": 3, "messaging": 4, "social": 5})) \
        .to_csv(two, index=False)
    out = ok(run_cli("report", two, "--out", tmp_path / "cli", "--bootstrap", "20", "--seed", "1", "--no-pdf",
                     "--pooling", "partial", "--lang", "en"))
    assert "pooling none" in out and "No pooling: with 2 organisations there is nothing to pool" not in out
    assert "no pooling: 2 organisation(s); partial pooling needs at least 3" in out.lower()
    html = (tmp_path / "cli" / "organisation-energie.html").read_text(encoding="utf-8")
    assert "No pooling: with 2 organisations there is nothing to pool" in html


@pytest.mark.parametrize("lang", LANGS)
def test_details_table_figures_rest_on_the_headline_estimate(pooled_study, lang):
    # issue 12: the beta, its interval and its p-value in the appendix all come from the pooled
    # estimate; the complete-case OLS beta is beside them, its sample named in the note
    content = report_content(pooled_study, "Energie", lang, "x")
    details = tables(content)["details"]
    assert "own_ols_beta_std" in details.keys
    imp = pooled_study.analysis.importance.set_index(["group", "driver"])
    level = pooled_study.analysis.settings.level
    for row in details.rows:
        r = imp.loc[("Energie", row["driver"])]
        assert (row["beta_std"], row["beta_std_low"], row["beta_std_high"], row["beta_std_p"], row["vif"]) == (
            r.beta_std, r.beta_std_ci_low, r.beta_std_ci_high, r.beta_p, r.vif)
        assert row["own_ols_beta_std"] == r.own_ols_beta_std != r.beta_std
        if row["beta_std_low"] > 0 and row["beta_std_p"] > 1 - level + 0.02:
            raise AssertionError(f"{row['driver']}: interval above 0 but p = {row['beta_std_p']}")
    n_complete = int(pooled_study.analysis.groups.set_index("group").n_complete["Energie"])
    assert f"{n_complete} " in details.note and Texts(lang)("col.beta_own") in [c.header for c in details.columns]


@pytest.mark.parametrize("lang", LANGS)
def test_workbook_has_the_own_data_figure_and_weight_beside_the_pooled_one(pooled_study, lang, tmp_path):
    # the workbook has every table of the reports: the groups' own-data columns too, though the study
    # report (its first) has none, and each driver's own-data weight the reports give in a sentence
    from openpyxl import load_workbook

    t = Texts(lang)
    groups = ("Energie", "Telecom", "Verzekeraar", "Webwinkel")
    contents = [report_content(pooled_study, g, lang, g.lower()) for g in (ALL, *groups)]
    sheets = render_excel(contents, tmp_path / "tables.xlsx")
    ws = load_workbook(tmp_path / "tables.xlsx")[sheets["priorities"]]
    header = [c.value for c in ws[1]]
    importance = t("col.importance.lmg")
    assert header[header.index(importance) + 3:header.index(importance) + 5] == [t("col.own_lmg"), t("col.own_weight")]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    imp = pooled_study.analysis.importance.set_index(["group", "driver"])
    labels = {c.label[lang]: c.key for c in pooled_study.inst.drivers}
    names = {t("scope.study"): ALL, **{g: g for g in groups}}
    assert len(rows) == 7 * 5
    for r in rows:
        row = imp.loc[(names[r[t("excel.group")]], labels[r[t("col.driver")]])]
        # unrounded, as in drivers analyse --json
        assert r[importance] == pytest.approx(row.lmg_pct, rel=1e-14)
        assert r[t("col.own_lmg")] == pytest.approx(row.own_lmg_pct, rel=1e-14)
        assert r[t("col.own_weight")] == pytest.approx(row.pooling_weight, rel=1e-14)
    pooled = [r for r in rows if names[r[t("excel.group")]] != ALL]
    assert all(0 < r[t("col.own_weight")] < 1 for r in pooled)
    assert any(abs(r[t("col.own_lmg")] - r[importance]) > 0.2 for r in pooled)
    own = header.index(t("col.own_lmg")) + 1
    assert ws.cell(row=2, column=own + 1).number_format == "0%"
    # the report's own table keeps the weight in its sentence, not as a column
    page = render_html(contents[1], {fig.key: b"" for fig in contents[1].figures()})
    assert 'data-key="own_lmg_pct"' in page and 'data-key="pooling_weight"' not in page


@pytest.mark.parametrize("lang", LANGS)
def test_the_method_says_how_own_data_intervals_are_made_only_without_pooling(pooled_study, two_groups, lang):
    """Without pooling the shares' intervals are the expanded hull (analysis.drivers.own_intervals): said once."""
    t = Texts(lang)
    assert two_groups.analysis.settings.pooling_used == "none"
    for group in ["Energie", ALL]:
        text = paragraphs(report_content(two_groups, group, lang, "x"))
        assert text.count(t("method.own_intervals")) == 1 and "Hesterberg 2015" in text
        assert t("method.own_intervals") not in paragraphs(report_content(pooled_study, group, lang, "x"))
