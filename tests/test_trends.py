"""Trends across waves (analysis.trends) on simulated multi-wave studies with planted changes."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from analysis import analyse_waves, simulate_waves
from analysis.common.errors import DataError, OptionError
from analysis.trends.changes import nps_difference, p_chart, proportion_difference
from instrument import load_instrument, read_responses
from tests.cli_results import failed, ok


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _read(inst, study, tmp_path):
    path = tmp_path / "waves.csv"
    study.responses.to_csv(path, index=False)
    data, quality = read_responses(path, inst, extra_columns=("wave",))
    return data


def test_proportion_difference_matches_statsmodels_newcombe_and_pooled_z():
    for k_a, n_a, k_b, n_b in [(60, 100, 45, 100), (3, 40, 9, 35), (250, 375, 210, 380)]:
        d = proportion_difference(k_a, n_a, k_b, n_b)
        lo, hi = confint_proportions_2indep(k_b, n_b, k_a, n_a, method="newcomb", compare="diff")
        assert d["ci_low"] == pytest.approx(100 * lo, abs=1e-6) and d["ci_high"] == pytest.approx(100 * hi, abs=1e-6)
        assert d["p_value"] == pytest.approx(proportions_ztest([k_b, k_a], [n_b, n_a])[1], rel=1e-9)


def test_nps_difference_covers_the_true_difference_at_its_level():
    # Monte Carlo coverage of the Wald interval of the multinomial variance: two waves
    # with known shares (true NPS difference -15), 2000 replications of n = 300 each.
    rng = np.random.default_rng(4)
    shares_a, shares_b = [.45, .30, .25], [.40, .25, .35]      # promoters, passives, detractors
    a = rng.multinomial(300, shares_a, size=2000)
    b = rng.multinomial(300, shares_b, size=2000)
    truth = 100 * ((shares_b[0] - shares_b[2]) - (shares_a[0] - shares_a[2]))
    hits = [(lambda d: d["ci_low"] <= truth <= d["ci_high"])(nps_difference(x[0], x[2], 300, y[0], y[2], 300))
            for x, y in zip(a, b)]
    assert 0.93 <= np.mean(hits) <= 0.97


def test_p_chart_rules():
    # rule 1 against the history, and the first wave has no limits
    c = p_chart([60, 62, 58, 40], [100] * 4)
    assert np.isnan(c["centre"][0]) and c["beyond_limits"].tolist() == [False, False, False, True]
    # rule 2: two of three beyond 2 sigma on the same side, none beyond 3 sigma
    k = [500, 500, 500, 500, 540, 545]      # 2.5 sigma above the history, twice
    c = p_chart(k, [1000] * 6)
    assert not c["beyond_limits"].any() and c["two_of_three"].tolist()[-1] and not c["two_of_three"][4]
    # rule 4: a run of 8 on one side, each point well inside the limits
    c = p_chart([50] * 3 + [52] * 9, [100] * 12, baseline="pooled")
    assert c["run"].tolist() == [False] * 10 + [True] * 2 and not c["beyond_limits"].any()


def test_simulated_waves_carry_the_truth(inst):
    s = simulate_waves(inst, n_waves=3, n_orgs=3, n_per_org=40, seed=2)
    r = s.responses
    assert r["wave"].value_counts().sort_index().tolist() == [120, 120, 120]
    assert r["respondent_id"].is_unique
    # one quarter per wave
    assert [sorted(r.loc[r.wave == w, "contact_date"])[0][:7] >= q for w, q in
            [(1, "2024-01"), (2, "2024-04"), (3, "2024-07")]] == [True] * 3
    w = s.truth["waves"]
    assert w["change_wave"] == 3 and w["level_shift"]["organisation"] == "Energie"
    assert w["effect_change"] == {"organisation": "Telecom", "driver": "customer_knowledge", "before": .18,
                                  "after": .40, "mean_shift_sd": pytest.approx(-.3 * .18 / .40 + .3)}
    latent = [pw["organisations"]["Telecom"]["latent"] for pw in s.truth["per_wave"]]
    assert latent[1]["effects"]["customer_knowledge"] == .18 and latent[2]["effects"]["customer_knowledge"] == .40
    # beta * mu of customer knowledge is kept: the level of satisfaction does not move with the effect
    assert latent[2]["effects"]["customer_knowledge"] * latent[2]["means"]["customer_knowledge"] == pytest.approx(
        latent[1]["effects"]["customer_knowledge"] * latent[1]["means"]["customer_knowledge"])
    energie = [pw["organisations"]["Energie"]["latent"]["means"]["reliability"] for pw in s.truth["per_wave"]]
    assert energie[2] == pytest.approx(energie[1] - 1.0)
    assert simulate_waves(inst, n_waves=3, n_orgs=3, n_per_org=40, seed=2).responses.equals(r)


def test_the_level_shift_is_recovered_and_unchanged_organisations_mostly_not_flagged(inst, tmp_path):
    flagged_shift, chart_shift, false_alarms, chances = 0, 0, 0, 0
    seeds = (11, 12, 13, 14)
    for seed in seeds:
        data = _read(inst, simulate_waves(inst, n_waves=4, seed=seed), tmp_path)
        res = analyse_waves(data, inst, wave="wave", bootstrap=50, seed=seed)
        last = res.changes[(res.changes.to_wave == 4) & res.changes.measure.isin(["CSAT %", "NPS"])]
        energie = last[last.organisation == "Energie"]
        flagged_shift += bool((energie.significant & (energie.difference < 0)).all())
        chart = res.control_chart
        chart_shift += bool(chart[(chart.organisation == "Energie") & (chart.wave == 4)].signal.iloc[0])
        calm = chart[chart.organisation.isin(["Verzekeraar", "Webwinkel"]) & (chart.wave > 1)]
        tests = last[last.organisation.isin(["Verzekeraar", "Webwinkel"])]
        false_alarms += int(calm.signal.sum()) + int(tests.significant.sum())
        chances += len(calm) + len(tests)
    assert flagged_shift == len(seeds)          # CSAT and NPS both fall significantly, every seed
    assert chart_shift >= len(seeds) - 1        # 3-sigma limits are conservative: nearly always a signal
    assert false_alarms <= 2, (false_alarms, chances)   # of 40 chances (5 % each for the tests)


def test_the_effect_change_is_recovered_by_the_lmg_share_difference(inst, tmp_path):
    for seed in (21, 22):
        data = _read(inst, simulate_waves(inst, n_waves=2, n_orgs=2, n_per_org=1000, seed=seed), tmp_path)
        res = analyse_waves(data, inst, wave="wave", bootstrap=200, seed=1)
        lmg = res.changes[res.changes.measure == "LMG share %"].set_index(["organisation", "driver"])
        ckn = lmg.loc[("Telecom", "customer_knowledge")]
        assert ckn.significant and ckn.ci_low > 0
        # the level of Telecom's satisfaction is unchanged by design
        level = res.changes[(res.changes.organisation == "Telecom") & (res.changes.measure == "CSAT %")]
        assert abs(level.difference.iloc[0]) < 6


def test_results_are_reproducible_and_streams_per_group(inst, tmp_path):
    data = _read(inst, simulate_waves(inst, n_waves=2, n_orgs=2, n_per_org=150, seed=3), tmp_path)
    a = analyse_waves(data, inst, wave="wave", bootstrap=40, seed=9)
    b = analyse_waves(data, inst, wave="wave", bootstrap=40, seed=9)
    pd.testing.assert_frame_equal(a.importance, b.importance)
    assert a.settings.seed == 9 and "Since the last wave" in str(a.summary())
    by_quarter = analyse_waves(data, inst, period="quarter", bootstrap=40, seed=9)
    assert by_quarter.settings.waves == ("2024Q1", "2024Q2")
    assert by_quarter.kpis.estimate.tolist() == pytest.approx(a.kpis.estimate.tolist())


def test_options_and_data_errors(inst, tmp_path):
    data = _read(inst, simulate_waves(inst, n_waves=2, n_orgs=1, n_per_org=40, seed=3), tmp_path)
    with pytest.raises(OptionError, match="^period must be one of month, quarter, got 'week'"):
        analyse_waves(data, inst, period="week")
    with pytest.raises(OptionError, match="^baseline must be one of history, pooled"):
        analyse_waves(data, inst, wave="wave", baseline="all")
    with pytest.raises(OptionError, match="^wave or period must be given"):
        analyse_waves(data, inst, wave="wave", period="month")
    with pytest.raises(OptionError, match=r"^wave must be a column of the data \(one of: .*\), got 'round'$"):
        analyse_waves(data, inst, wave="round")
    with pytest.raises(DataError, match=r"^column 'wave': has 1 wave\(s\) \(1\) .*trends need at least two waves"):
        analyse_waves(data[data.wave.astype(str) == "1"], inst, wave="wave")


def test_plot_trends_draws_one_line_per_group(inst, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    data = _read(inst, simulate_waves(inst, n_waves=3, n_orgs=2, n_per_org=80, seed=3), tmp_path)
    ax = analyse_waves(data, inst, wave="wave", bootstrap=20, seed=1).plot_trends()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [name for name in legend if name in ("Energie", "Telecom")] == ["Energie", "Telecom"]
    assert [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")][-2:] == [
        "centre line", "Telecom"] or {"Energie", "Telecom"} <= {line.get_label() for line in ax.get_lines()}


def test_cli_simulate_waves_and_trends(run_cli, tmp_path):
    out = tmp_path / "w.csv"
    ok(run_cli("simulate", "-o", str(out), "--waves", "3", "--n-per-org", "120", "--orgs", "2", "--truth-draws", "0"))
    assert "wave" in pd.read_csv(out).columns and (tmp_path / "w.truth.json").exists()
    text = ok(run_cli("trends", str(out), "--wave", "wave", "--bootstrap", "30", "--seed", "1",
                      "--plot", str(tmp_path / "t.png"), "--json", str(tmp_path / "t.json")))
    assert "Since the last wave (2 -> 3)" in text and (tmp_path / "t.png").stat().st_size > 0
    doc = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert doc["settings"]["waves"] == [1, 2, 3] and doc["settings"]["seed"] == 1
    assert {r["measure"] for r in doc["changes"]} == {"CSAT %", "NPS", "LMG share %"}
    assert len(doc["control_chart"]) == 2 * 3 and {"lcl", "ucl", "signal"} <= set(doc["control_chart"][0])
    failed(run_cli("trends", str(out)), 2, "--wave")
    failed(run_cli("trends", str(out), "--wave", "round"), 2, "--wave", f"{out}: wave must be a column", "'round'")


@pytest.mark.parametrize("lang, heading", [("en", "Since the last wave"), ("nl", "Sinds de vorige meting")])
def test_reports_get_a_since_last_wave_section(inst, tmp_path, lang, heading):
    from analysis import build_reports

    study = simulate_waves(inst, n_waves=2, n_orgs=2, n_per_org=150, seed=4)
    path = tmp_path / "waves.csv"
    study.responses.to_csv(path, index=False)
    data, quality = read_responses(path, inst, extra_columns=("wave",))
    reports = build_reports(data, inst, quality, lang=lang, out_dir=tmp_path / "out", bootstrap=20, seed=1,
                            pdf=False, wave="wave")
    html = reports.study_html.read_text(encoding="utf-8")
    assert heading in html and ("Wave 2" if lang == "en" else "Meting 2") in html and "--wave wave" in html
    group_html = reports.groups["Energie"][0].read_text(encoding="utf-8")
    assert heading in group_html and "Telecom" not in group_html.split(heading, 1)[1].split("</section>", 1)[0]
    # one wave: no such section
    one = build_reports(data[data.wave.astype(str) == "1"], inst, quality, lang=lang, out_dir=tmp_path / "one",
                        bootstrap=20, seed=1, pdf=False, wave="wave")
    assert heading not in one.study_html.read_text(encoding="utf-8")
