"""``analyse_drivers(pooling=...)`` and ``drivers analyse --pooling``: who is used, the JSON, the text."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.common.errors import OptionError
from analysis.drivers.analyse import analyse_drivers
from instrument import read_responses
from cli_results import failed, ok

EXAMPLE = Path(__file__).parents[1] / "data" / "example"
CSV = EXAMPLE / "responses.csv"
PHONE_ONLY = ("wait_time", "menu")


@pytest.fixture(scope="module")
def example(inst):
    data, _ = read_responses(CSV, inst)
    return data


@pytest.fixture(scope="module")
def pooled(example, inst):
    return analyse_drivers(example, inst, by="organisation", bootstrap=200, seed=3, sem=False, pooling="partial")


@pytest.fixture(scope="module")
def unpooled(example, inst):
    return analyse_drivers(example, inst, by="organisation", bootstrap=200, seed=3, sem=False, pooling="none")


def test_every_respondent_is_used_and_counted_per_channel(pooled, unpooled):
    # with or without pooling: +615 respondents not asked the phone-only drivers (802 have all seven)
    assert unpooled.n_used == pooled.n_used == 1417
    for res in (pooled, unpooled):
        assert "not_asked" not in set(res.excluded.code.astype(str))
        # no note says they are left out: they are used
        assert "not_asked" not in set(res.warnings.kind)
        assert res.n_used + len(res.excluded) == res.n_input
        g = res.groups.set_index("group")
        assert g.n_complete["all"] == 802       # the phone-only figures rest on the phone respondents
        resp = res.respondents
        assert resp.groupby("group").n.sum().to_dict() == g.n_used.drop("all").to_dict()
        assert resp.groupby("group").n_phone_only.sum().to_dict() == g.n_complete.drop("all").to_dict()
        assert (resp[resp.channel != "phone"].n_phone_only == 0).all()
        t = res.importance
        for d in PHONE_ONLY:
            row = t[(t.group == "Energie") & (t.driver == d)].iloc[0]
            assert row.n_driver == g.n_complete["Energie"] < row.n


def test_pooled_figures_are_shrunk_own_figures_kept_beside_them(pooled, unpooled):
    g = pooled.groups.set_index("group").drop("all")
    assert ((g.pooling_weight > 0) & (g.pooling_weight < 1)).all()
    assert np.allclose(g.n_effective, g.n_used + g.pooling_kappa)
    t = pooled.importance[pooled.importance.group != "all"]
    assert np.allclose(t.groupby("group").lmg_pct.sum(), 100) and np.allclose(t.groupby("group").own_lmg_pct.sum(), 100)
    # pooling moves the figures (toward the others), and own-data ranks are ranks of the own figures
    assert not np.allclose(t.lmg_pct, t.own_lmg_pct)
    for _, part in t.groupby("group"):
        assert (part.sort_values("own_lmg_pct", ascending=False).own_rank.to_numpy() == np.arange(1, 8)).all()
    # intervals hold their estimates; ranks and priorities come from the pooled figures
    assert ((t.ci_low <= t.lmg_pct) & (t.lmg_pct <= t.ci_high)).all()
    for _, part in t.groupby("group"):
        assert (part.sort_values("lmg_pct", ascending=False)["rank"].to_numpy() == np.arange(1, 8)).all()
    # without pooling the own figures are the figures
    u = unpooled.importance
    assert np.allclose(u.lmg_pct, u.own_lmg_pct) and (u.pooling_weight == 1).all()


def test_json_keeps_the_fields_and_adds_pooling(pooled, unpooled):
    doc = json.loads(json.dumps(pooled.to_dict()))
    assert doc["meta"]["pooling"]["requested"] == doc["meta"]["pooling"]["used"] == "partial"
    assert doc["meta"]["pooling"]["phone_only_drivers"] == list(PHONE_ONLY)
    assert doc["meta"]["n_used"] == 1417
    tel = doc["groups"]["Telecom"]
    assert set(tel["pooling"]) == {"weight", "weight_phone_only", "kappa", "n_effective", "set_aside",
                                   "respondents_by_channel"}
    assert sum(c["n"] for c in tel["pooling"]["respondents_by_channel"].values()) == tel["n"]
    assert tel["pooling"]["respondents_by_channel"]["phone"]["n_phone_only"] == tel["n_complete"]
    imp = pooled.importance.set_index(["group", "driver"])
    for d, entry in tel["drivers"].items():
        for key in ("lmg", "lmg_pct", "lmg_ci", "lmg_pct_ci", "rank", "rank_ci", "beta_std", "priority"):
            assert key in entry
        assert entry["lmg_pct"] == pytest.approx(imp.loc[("Telecom", d), "lmg_pct"], rel=1e-5)
        assert entry["own"]["lmg_pct"] == pytest.approx(imp.loc[("Telecom", d), "own_lmg_pct"], rel=1e-5)
        assert entry["n"] == (tel["n_complete"] if d in PHONE_ONLY else tel["n"])
        assert 0 < entry["pooling_weight"] < 1
    plain = json.loads(json.dumps(unpooled.to_dict()))
    meta = plain["meta"]["pooling"]
    assert (meta["requested"], meta["used"], meta["kappa"], meta["phone_only_drivers"]) == ("none", "none", None,
                                                                                          list(PHONE_ONLY))
    assert "its own respondents only, every one of them" in meta["reason"]
    assert plain["meta"]["n_used"] == 1417
    tel = plain["groups"]["Telecom"]
    assert tel["pooling"]["weight"] == 1 and tel["pooling"]["kappa"] == 0
    assert sum(c["n"] for c in tel["pooling"]["respondents_by_channel"].values()) == tel["n"] > tel["n_complete"]
    for d, entry in tel["drivers"].items():
        assert entry["n"] == (tel["n_complete"] if d in PHONE_ONLY else tel["n"])
        assert entry["own"]["lmg_pct"] == entry["lmg_pct"]


def _own_weight_worded(text: str, doc: dict, group: str) -> bool:
    """The group's title says its own data's weight as the report does: the effective n is the figures' worth,
    not the own data's ('own data weigh 13% (worth 2649 respondents)' read so; audit L7)."""
    g = doc["groups"][group]
    phrase = (f"{group}: n = {g['n']} .{{0,150}}?own data weigh {100 * g['pooling']['weight']:.0f}% \\(the figures are worth "
              f"{g['pooling']['n_effective']:,.0f} respondents, {g['n']:,} of its own\\)")
    return re.search(phrase, " ".join(text.split())) is not None and "(worth " not in text


def test_summary_says_what_pooling_means(pooled, unpooled):
    text = str(pooled.summary())
    assert "pooling partial" in text and "Partial pooling: every respondent is used" in text
    assert "own data weigh" in text and "own data %" in text
    assert _own_weight_worded(text, pooled.to_dict(), "Telecom")
    assert "No pooling" in str(unpooled.summary()) and "own data %" not in str(unpooled.summary())


def test_fewer_than_three_groups_use_no_pooling_and_say_so(example, inst):
    two = example[example.organisation.isin(["Energie", "Telecom"])]
    res = analyse_drivers(two, inst, by="organisation", bootstrap=50, seed=1, sem=False, pooling="partial")
    assert res.settings.pooling == "partial" and res.settings.pooling_used == "none"
    assert "needs at least 3" in res.to_dict()["meta"]["pooling"]["reason"]
    assert "no_pooling" in set(res.warnings.kind)
    g = res.groups.set_index("group")
    assert (g.pooling_weight == 1).all() and g.n_used["Energie"] > g.n_complete["Energie"]   # everyone still used
    t = res.importance
    assert np.allclose(t.lmg_pct, t.own_lmg_pct)
    # without groups there is nothing to pool either; the JSON says so and keeps every respondent
    whole = analyse_drivers(two, inst, by=None, bootstrap=20, seed=1, sem=False, pooling="partial")
    doc = json.loads(json.dumps(whole.to_dict()))
    assert doc["meta"]["pooling"]["used"] == "none" and "needs at least 3" in doc["meta"]["pooling"]["reason"]
    assert list(doc["groups"]) == ["all"] and doc["groups"]["all"]["n"] == res.n_used
    assert doc["groups"]["all"]["pooling"]["weight"] == 1


def test_cli_says_there_is_nothing_to_pool(run_cli, tmp_path, example):
    two = tmp_path / "two.csv"
    raw = pd.read_csv(CSV)
    raw[raw.organisation.isin(["Energie", "Telecom"])].to_csv(two, index=False)
    out = ok(run_cli("analyse", two, "--bootstrap", "20", "--seed", "2", "--no-sem", "--pooling", "partial"))
    assert "No pooling: 2 organisation(s); partial pooling needs at least 3" in out
    assert "own data weigh" not in out


def test_pooling_option_is_checked(example, inst):
    with pytest.raises(OptionError, match="pooling must be one of none, partial, got 'full'"):
        analyse_drivers(example, inst, pooling="full")


def test_cli_pooling(run_cli, tmp_path):
    out_json = tmp_path / "pooled.json"
    out = ok(run_cli("analyse", CSV, "--bootstrap", "50", "--seed", "2", "--no-sem", "--pooling", "partial",
                     "--json", out_json))
    assert "1417 of 1500 respondents used" in out and "Partial pooling" in out and "own data weigh" in out
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["meta"]["pooling"]["used"] == "partial"
    assert _own_weight_worded(out, doc, "Energie")
    failed(run_cli("analyse", CSV, "--bootstrap", "10", "--pooling", "full"), 2,
           "pooling must be one of none, partial, got 'full'")


def test_partial_pooling_is_the_default(example, inst, pooled):
    # benchmarks/RESULTS.md: with 30-400 respondents per organisation partial pooling has the
    # lower error, the true top two on top more often and intervals that cover
    import inspect

    from analysis.cli.reading import PoolingOpt
    from analysis.report.build import build_reports

    assert inspect.signature(analyse_drivers).parameters["pooling"].default == "partial"
    assert inspect.signature(build_reports).parameters["pooling"].default == "partial"
    assert PoolingOpt.default == "partial"
    default = analyse_drivers(example, inst, by="organisation", bootstrap=200, seed=3, sem=False)
    assert default.settings.pooling_used == "partial"
    pd.testing.assert_frame_equal(default.importance, pooled.importance)


@pytest.mark.parametrize("mode", ["partial", "none"])
def test_every_figure_of_a_driver_row_rests_on_its_headline_estimate(pooled, unpooled, mode):
    # issue 12: beta, its SE, interval and p-value, VIF and adjusted R² come from the estimate
    # the LMG shares come from (pooled / every respondent), not from the complete-case OLS
    from analysis.drivers.pooled import covariance_betas, replicate_p_value

    res = pooled if mode == "partial" else unpooled
    level = res.settings.level
    g = res.groups.set_index("group")
    boots = {**res.bootstrap.replicates, "all": res.bootstrap_all.replicates["all"]}
    for group, part in res.importance.groupby("group", sort=False):
        cov = res.pooling.whole_cov if group == "all" else res.pooling.cov[group]
        sd = np.sqrt(np.diag(cov))
        beta, vif = covariance_betas(cov)
        assert np.allclose(part.beta, beta) and np.allclose(part.vif, vif)
        assert np.allclose(part.beta_std, beta * sd[:-1] / sd[-1])          # the same regression, standardized
        reps = boots[group].std_beta[boots[group].valid]
        assert np.allclose(part.beta_std_se, reps.std(axis=0, ddof=1))
        assert np.allclose(part.beta_p, replicate_p_value(reps))
        assert ((part.beta_std_ci_low <= part.beta_std) & (part.beta_std <= part.beta_std_ci_high)).all()
        # the p-value and the interval agree on whether beta could be 0 (off by one replicate at most)
        excludes = (part.beta_std_ci_low > 0) | (part.beta_std_ci_high < 0)
        clear = (part.beta_p - (1 - level)).abs() > 2.5 / len(reps)
        assert ((part.beta_p < 1 - level) == excludes)[clear].all()
        assert part.beta_std_hc3_ci_low.isna().all()
        # the complete cases' OLS kept beside them, with its sample
        assert (part.own_ols_n == g.n_complete[group]).all() and (part.own_ols_n < part.n).all()
        ols = res.regressions[group].table.set_index("term").loc[part.driver]
        assert np.allclose(part.own_ols_beta_std, ols.std_coef) and np.allclose(part.own_ols_beta_p, ols.p_value)
    # R² and adjusted R² of one estimand: Ezekiel with the respondents used, so never above R²
    p = len(res.settings.drivers)
    assert np.allclose(g.adj_r2, 1 - (1 - g.r2) * (g.n_used - 1) / (g.n_used - p - 1))
    assert (g.adj_r2 < g.r2).all() and (g.own_ols_adj_r2 < g.own_ols_r2).all()
    assert (g.own_ols_n == g.n_complete).all()
    if mode == "partial":           # the reviewer's case: Energie's wait time
        row = res.importance.set_index(["group", "driver"]).loc[("Energie", "wait_time")]
        assert row.beta_std != pytest.approx(row.own_ols_beta_std, abs=0.01)
    doc = json.loads(json.dumps(res.to_dict()))
    energie = doc["groups"]["Energie"]
    assert energie["adj_r2"] < energie["r2"] and energie["own_ols"]["adj_r2"] < energie["own_ols"]["r2"]
    assert energie["own_ols"] == {"sample": "complete_cases", "n": energie["n_complete"],
                                  "r2": pytest.approx(g.own_ols_r2["Energie"]),
                                  "adj_r2": pytest.approx(g.own_ols_adj_r2["Energie"])}
    wait = energie["drivers"]["wait_time"]
    assert wait["beta_std_ci_hc3"] == [None, None] and wait["beta"] == pytest.approx(
        res.importance.set_index(["group", "driver"]).beta[("Energie", "wait_time")])
    ols = wait["own"]["ols"]
    assert ols["sample"] == "complete_cases" and ols["n"] == energie["n_complete"]
    assert ols["beta_std_ci_hc3"][0] < ols["beta_std"] < ols["beta_std_ci_hc3"][1]


def test_summary_says_how_many_respondents_the_phone_only_drivers_rest_on(pooled):
    text = str(pooled.summary())
    assert "Energie: n = 357 (of 375; phone-only drivers: 221)" in text
    assert "all: n = 1417 (of 1500; phone-only drivers: 802)" in text
