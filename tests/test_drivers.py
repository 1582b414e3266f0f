"""``analyse_drivers`` on the shipped example study: it must reproduce the statistics modules.

The modules' own numbers are pinned to published/R reference values in their tests;
here the integration is checked: the same rows, the same seeds and the same numbers,
every respondent accounted for, and a JSON document of the promised shape.
"""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from analysis.bootstrap.engine import resample_counts  # noqa: E402
from analysis.bootstrap.importance import bootstrap_importance, group_generators  # noqa: E402
from analysis.common.errors import OptionError  # noqa: E402
from analysis.drivers.analyse import analyse_drivers  # noqa: E402
from analysis.drivers.kpis import kpi_table  # noqa: E402
from analysis.importance.adjusted import adjusted_lmg_shares  # noqa: E402
from analysis.importance.dominance import dominance_analysis  # noqa: E402
from analysis.importance.regression import driver_regression  # noqa: E402
from analysis.importance.relative import importance_arrays, relative_importance  # noqa: E402
from analysis.scoring.scores import construct_scores  # noqa: E402
from analysis.simulation.simulate import simulate_study  # noqa: E402
from instrument import DataError, ServiceDriversError, read_responses  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "data" / "example"
FLAGS = ["flag_straightlining", "flag_too_many_missing", "flag_speeding"]
B, SEED = 200, 3
NON_PHONE_DRIVERS = ["reliability", "empathy", "customer_focus", "customer_knowledge", "accessibility"]
PHONE_ONLY = ("wait_time", "menu")
DRIVER_KEYS = {"beta_std", "beta_std_ci", "lmg", "lmg_pct", "lmg_ci", "rank_ci", "dominance", "relative_weight",
               "pratt", "sem_std", "sem_se", "sem_p", "performance", "quadrant", "priority"}


@pytest.fixture(scope="module")
def example(inst):
    data, _ = read_responses(EXAMPLE / "responses.csv", inst)
    return data


@pytest.fixture(scope="module")
def res(example, inst):
    return analyse_drivers(example, inst, by="organisation", bootstrap=B, seed=SEED, pooling="none")


@pytest.fixture(scope="module")
def complete_rows(example, inst):
    """Unflagged rows with the outcome and all seven scores (the phone respondents), built independently."""
    scores = construct_scores(example, inst)
    keep = ~example[FLAGS].any(axis=1) & scores.notna().all(axis=1)
    out = scores[keep].copy()
    out.insert(0, "organisation", example.organisation[keep])
    out.insert(0, "respondent_id", example.respondent_id[keep])
    return out.reset_index(drop=True)


@pytest.fixture(scope="module")
def used_rows(example, inst):
    """The rows importance should use, built independently: unflagged, outcome and every driver asked.

    Wait time and the menu are asked on the phone only: a respondent of another channel
    is used without them (issue 12: no respondent is left out for a driver that does not
    apply to them).
    """
    scores = construct_scores(example, inst)
    common = [d for d in scores.columns if d not in PHONE_ONLY]
    asked = scores[list(PHONE_ONLY)].notna().all(axis=1) | (example.channel != "phone")
    keep = ~example[FLAGS].any(axis=1) & scores[common].notna().all(axis=1) & asked
    out = scores[keep].copy()
    out.insert(0, "organisation", example.organisation[keep])
    out.insert(0, "respondent_id", example.respondent_id[keep])
    return out.reset_index(drop=True)


@pytest.fixture(scope="module")
def common_res(example, inst):
    """The drivers asked in every channel only: complete data, every unflagged respondent."""
    return analyse_drivers(example, inst, by="organisation", drivers=NON_PHONE_DRIVERS, bootstrap=B, seed=SEED,
                           sem=False, pooling="none")


def test_uses_every_unflagged_respondent_with_the_drivers_asked(res, used_rows, complete_rows, inst):
    assert res.used.respondent_id.tolist() == used_rows.respondent_id.tolist()
    np.testing.assert_array_equal(res.used[inst.driver_keys + ["satisfaction"]].to_numpy(),
                                  used_rows[inst.driver_keys + ["satisfaction"]].to_numpy())
    assert res.n_used == len(used_rows) == 1417 and res.n_input == 1500
    g = res.groups.set_index("group")
    assert g.n_complete["all"] == len(complete_rows) == 802        # of them with the phone-only drivers
    assert (g.pooling_weight == 1).all() and (g.pooling_kappa == 0).all()
    t = res.importance
    assert (t.n_driver[t.driver.isin(PHONE_ONLY)].to_numpy() == t.group[t.driver.isin(PHONE_ONLY)].map(
        g.n_complete).to_numpy()).all()
    assert np.allclose(t.lmg_pct, t.own_lmg_pct)


def _two_pattern_cov(part: pd.DataFrame, drivers: list[str]) -> np.ndarray:
    """Anderson's (1957) ML covariance for a monotone pattern, written out (n - 1 divisors).

    Block A (common drivers and the outcome) from every row, the regression of block B
    (phone-only drivers) on A from the complete rows.
    """
    a = [d for d in drivers if d not in PHONE_ONLY] + ["satisfaction"]
    b = [d for d in drivers if d in PHONE_ONLY]
    s_aa = np.cov(part[a].to_numpy(), rowvar=False)
    full = part.dropna(subset=b)
    c = np.cov(full[a + b].to_numpy(), rowvar=False)
    k = len(a)
    beta = np.linalg.solve(c[:k, :k], c[:k, k:])
    resid = c[k:, k:] - c[k:, :k] @ beta
    s_ab = s_aa @ beta
    cov = np.block([[s_aa, s_ab], [s_ab.T, resid + beta.T @ s_ab]])
    order = [(a + b).index(v) for v in [*drivers, "satisfaction"]]
    return cov[np.ix_(order, order)]


def test_point_estimates_use_every_respondent(res, used_rows, complete_rows, inst):
    """LMG, weights and betas from the two-pattern covariance; the HC3 OLS table on the complete rows."""
    drivers = inst.driver_keys
    for g, part in [*used_rows.groupby("organisation"), ("all", used_rows)]:
        rows = res.importance[res.importance.group == g].set_index("driver").loc[drivers]
        arrays = importance_arrays(_two_pattern_cov(part, drivers))
        np.testing.assert_allclose(rows.lmg, arrays.lmg, rtol=1e-9)
        np.testing.assert_allclose(rows.lmg_pct, 100 * arrays.lmg / arrays.r2, rtol=1e-9)
        np.testing.assert_allclose(rows.relative_weight, arrays.relative_weight, rtol=1e-9)
        np.testing.assert_allclose(rows.beta_std, arrays.std_beta, rtol=1e-9)
        assert rows.n.iloc[0] == len(part)
        cov = _two_pattern_cov(part, drivers)
        sd = np.sqrt(np.diag(cov))
        np.testing.assert_allclose(rows.vif, np.diag(np.linalg.inv((cov / np.outer(sd, sd))[:-1, :-1])), rtol=1e-9)
        np.testing.assert_allclose(rows.beta, np.linalg.solve(cov[:-1, :-1], cov[:-1, -1]), rtol=1e-9)
        # the complete rows' HC3 OLS is kept beside them (own_ols_*), with its sample size
        complete = part.dropna(subset=list(PHONE_ONLY))
        reg = driver_regression(complete, "satisfaction", drivers).table.set_index("term").loc[drivers]
        assert (rows.own_ols_n == len(complete)).all()
        np.testing.assert_allclose(rows.own_ols_beta_std_se, reg.std_se, rtol=1e-10)
        np.testing.assert_allclose(rows.own_ols_beta_p, reg.p_value, rtol=1e-10)
        np.testing.assert_allclose(rows.own_ols_vif, reg.vif, rtol=1e-10)


def test_point_estimates_equal_the_module_functions_on_complete_data(common_res, used_rows):
    """Drivers asked everywhere: every used respondent is complete, the figures are relaimpo's estimand."""
    drivers = NON_PHONE_DRIVERS
    rows_all = used_rows.drop(columns=list(PHONE_ONLY))
    assert common_res.n_used == len(rows_all)
    for g, part in [*rows_all.groupby("organisation"), ("all", rows_all)]:
        rows = common_res.importance[common_res.importance.group == g].set_index("driver").loc[drivers]
        imp = relative_importance(part, "satisfaction", drivers).table.set_index("driver")
        reg = driver_regression(part, "satisfaction", drivers).table.set_index("term").loc[drivers]
        np.testing.assert_allclose(rows.lmg, imp.lmg, rtol=1e-10)
        np.testing.assert_allclose(rows.lmg_pct, imp.lmg_pct, rtol=1e-10)
        np.testing.assert_allclose(rows.relative_weight, imp.relative_weight, rtol=1e-10)
        np.testing.assert_allclose(rows.pratt, imp.pratt, rtol=1e-10)
        assert rows["rank"].tolist() == imp.lmg_rank.tolist()
        np.testing.assert_allclose(rows.beta_std, reg.std_coef, rtol=1e-10)
        np.testing.assert_allclose(rows.beta, reg.coef, rtol=1e-9)
        np.testing.assert_allclose(rows.vif, reg.vif, rtol=1e-10)
        # complete data: the OLS beside the headline is the same sample and estimate
        np.testing.assert_allclose(rows.own_ols_beta_std, rows.beta_std, rtol=1e-10)
        np.testing.assert_allclose(rows.own_ols_beta_std_se, reg.std_se, rtol=1e-10)
        assert rows.n.iloc[0] == len(part) == rows.own_ols_n.iloc[0]
        assert np.isclose(rows.lmg.sum(), rows.r2.iloc[0]) and np.isclose(rows.lmg_pct.sum(), 100)
        dom = dominance_analysis(part, "satisfaction", drivers)
        pairs = common_res.dominance[common_res.dominance.group == g].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(pairs, dom.pairs, check_exact=False, rtol=1e-10)


def _adjusted_intervals(part: pd.DataFrame, drivers: list[str], rng) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the adjusted LMG shares, resampled here (weighted covariances)."""
    x = part[[*drivers, "satisfaction"]].to_numpy(float)
    n = len(x)
    w = resample_counts(rng, n, B).astype(float)
    mean = w @ x / n
    covs = (np.einsum("bi,ij,ik->bjk", w, x, x) - n * mean[:, :, None] * mean[:, None, :]) / (n - 1)
    shares = adjusted_lmg_shares(covs, n, clip=False)
    return np.quantile(shares, _expanded_tails(n), axis=0)


def _expanded_tails(n: int) -> list[float]:
    """Hesterberg's (2015) expanded percentiles at 95%, computed here from t and z."""
    tail = stats.norm.sf(np.sqrt(n / (n - 1)) * stats.t.ppf(0.975, n - 1))
    return [tail, 1 - tail]


def test_bootstrap_intervals_equal_bootstrap_importance_on_complete_data(common_res, used_rows):
    """With complete data ``pooling='none'`` resamples exactly as ``bootstrap_importance`` with the same seed.

    The organisations' LMG share intervals are the hull of the plain and the adjusted
    shares' expanded percentile intervals over those resamples (analysis.drivers.own_intervals).
    """
    drivers = NON_PHONE_DRIVERS
    frame = used_rows.drop(columns=["respondent_id", *PHONE_ONLY])
    boot = bootstrap_importance(frame, "satisfaction", drivers, group="organisation", n_resamples=B, seed=SEED,
                                whole_sample=True)
    res = common_res
    rngs, _ = group_generators(SEED, 4)
    widened = 0
    for b in (boot, boot.whole):
        for k, g in enumerate(b.groups.group):
            rows = res.importance[res.importance.group == g].set_index("driver").loc[drivers]
            lmg_pct = b.table("lmg_pct").query("group == @g").set_index("driver").loc[drivers]
            beta = b.table("std_beta").query("group == @g").set_index("driver").loc[drivers]
            ranks = b.ranks.query("group == @g").set_index("driver").loc[drivers]
            low, high = lmg_pct.ci_low.to_numpy(), lmg_pct.ci_high.to_numpy()
            if g != "all":                          # the whole sample: plain percentile intervals
                part = frame[frame.organisation == g]
                # the organisation's: both intervals at the expanded percentiles for its size
                low, high = np.quantile(b.replicates[g].statistic("lmg_pct"), _expanded_tails(len(part)), axis=0)
                adj_low, adj_high = _adjusted_intervals(part, drivers, rngs[k])
                widened += int((adj_low < low).sum() + (adj_high > high).sum())
                low, high = np.clip(np.minimum(low, adj_low), 0, 100), np.clip(np.maximum(high, adj_high), 0, 100)
            np.testing.assert_allclose(rows.ci_low, low, rtol=1e-9)
            np.testing.assert_allclose(rows.ci_high, high, rtol=1e-9)
            np.testing.assert_allclose(rows.beta_std_ci_low, beta.ci_low, rtol=1e-10)
            np.testing.assert_allclose(rows.beta_std_ci_high, beta.ci_high, rtol=1e-10)
            assert rows.rank_ci_low.tolist() == ranks.rank_ci_low.tolist()
            assert rows.rank_ci_high.tolist() == ranks.rank_ci_high.tolist()
    diffs = boot.group_differences("lmg_pct", pairwise=True, versus_rest=True)
    mine = res.differences[res.differences.statistic == "lmg_pct"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, diffs, check_exact=False, rtol=1e-9, atol=1e-9)
    assert res.settings.seed == SEED and res.bootstrap.seed_entropy == SEED
    assert widened > 0


def test_every_respondent_is_used_or_excluded_with_a_reason(res, example):
    used, excluded = set(res.used.respondent_id), set(res.excluded.respondent_id)
    assert not used & excluded and used | excluded == set(example.respondent_id)
    assert res.excluded.reason.str.len().gt(0).all()
    for r in res.groups.itertuples():
        if r.group == "all":
            assert r.n_input == 1500 and r.n_used + r.n_excluded == 1500
            continue
        members = set(example.respondent_id[example.organisation == r.group])
        assert r.n_input == len(members) == r.n_used + r.n_excluded
        assert len(set(res.excluded.respondent_id[res.excluded.group == r.group])) == r.n_excluded
    counts = res.exclusion_counts.groupby("group").n.sum()
    assert counts.to_dict() == res.groups.set_index("group").n_excluded.drop("all").to_dict()


def test_exclusion_reasons_say_why(res, example):
    ex = res.excluded.set_index("respondent_id")
    flagged = set(example.respondent_id[example[FLAGS].any(axis=1)])
    assert set(ex.index[ex.code == "flagged"]) == flagged
    straight = example.set_index("respondent_id").loc[sorted(flagged)].flag_straightlining
    assert all("flagged: straight-lining across the driver battery" in ex.reason[i] for i in straight.index[straight])
    # not asked the phone-only drivers in their channel: used, not excluded (issue 12)
    assert not ex.code.eq("not_asked").any()
    by_design = res.used[res.used.wait_time.isna()]
    channels = example.set_index("respondent_id").channel.loc[by_design.respondent_id]
    assert (channels != "phone").all() and len(by_design) == 615 and by_design.menu.isna().all()
    other = ex[ex.code.isin(["no_outcome", "missing_score"])]
    assert set(other.code) == {"no_outcome", "missing_score"}
    assert other.reason.str.contains("no satisfaction score|no score for").all()
    assert not ex.code.eq("no_group").any()


def test_leaving_out_the_phone_only_drivers_uses_every_channel(example, inst):
    res = analyse_drivers(example, inst, drivers=NON_PHONE_DRIVERS, bootstrap=50, seed=1, sem=False, pooling="none")
    assert res.n_used > 1350 and not res.excluded.code.eq("not_asked").any()
    assert set(res.importance.driver) == set(NON_PHONE_DRIVERS)
    assert set(res.used.columns) == {"respondent_id", "group", *NON_PHONE_DRIVERS, "satisfaction"}


def test_json_document_has_the_promised_keys_and_types(res, inst):
    doc = res.to_dict()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text) == doc
    assert set(doc) == {"meta", "groups", "differences"}
    assert {"n_input", "n_used", "excluded", "bootstrap", "seed", "version"} <= set(doc["meta"])
    assert doc["meta"]["bootstrap"] == B and doc["meta"]["seed"] == SEED
    assert doc["meta"]["n_input"] == 1500 and doc["meta"]["n_used"] == 1417
    assert len(doc["meta"]["excluded"]) == 83
    assert all({"respondent_id", "reason"} <= set(e) for e in doc["meta"]["excluded"])
    assert list(doc["groups"]) == ["Energie", "Telecom", "Verzekeraar", "Webwinkel", "all"]
    for name, g in doc["groups"].items():
        assert {"n", "r2", "kpis", "drivers"} <= set(g)
        assert isinstance(g["n"], int) and isinstance(g["r2"], float)
        assert {"csat_pct", "nps", "ces_mean", "fcr_pct_yes", "by_channel"} <= set(g["kpis"])
        assert list(g["drivers"]) == inst.driver_keys
        for d in g["drivers"].values():
            assert DRIVER_KEYS <= set(d)
            for key in ("beta_std_ci", "lmg_ci", "rank_ci"):
                assert len(d[key]) == 2 and d[key][0] <= d[key][1]
            assert all(isinstance(v, int) for v in d["rank_ci"]) and isinstance(d["priority"], int)
            assert isinstance(d["sem_std"], float) and isinstance(d["quadrant"], str)
            assert d["lmg_ci"][0] <= d["lmg"] <= d["lmg_ci"][1]
            assert set(d["dominance"]) == {"general", "conditional", "completely_dominates",
                                           "conditionally_dominates", "generally_dominates"}
            assert len(d["dominance"]["conditional"]) == 7
    energie = doc["groups"]["Energie"]["drivers"]
    dom = res.dominances["Energie"].complete
    assert energie["reliability"]["dominance"]["completely_dominates"] == [
        d for d in inst.driver_keys if d != "reliability" and dom.loc["reliability", d] == 1]
    first = doc["differences"][0]
    assert set(first) >= {"statistic", "group", "versus", "driver", "estimate", "ci"}


def test_json_has_null_not_nan_without_sem(example, inst):
    res = analyse_drivers(example, inst, bootstrap=20, seed=1, sem=False, pooling="none")
    text = json.dumps(res.to_dict(), allow_nan=False)
    d = json.loads(text)["groups"]["Telecom"]["drivers"]["menu"]
    assert d["sem_std"] is None and d["sem_p"] is None
    assert "sem" not in json.loads(text)["groups"]["Telecom"]
    assert res.sem is None and res.warnings.kind.eq("bootstrap").any()   # 20 resamples < 1000


def test_sem_paths_per_group_with_their_problems(res):
    assert set(res.sem.group) == {"Energie", "Telecom", "Verzekeraar", "Webwinkel", "all"}
    assert res.sem_fit.converged.all() and (res.sem_fit.n >= res.groups.set_index("group").n_used.loc[
        res.sem_fit.group].to_numpy()).all()                         # FIML: every unflagged respondent
    top = res.sem[res.sem.group == "Verzekeraar"].set_index("driver")["std"]
    assert set(top.nlargest(2).index) == {"reliability", "customer_focus"}
    small = res.warnings[res.warnings.kind == "sem_small_sample"]
    assert set(small.group) == {"Energie", "Telecom", "Verzekeraar", "Webwinkel"}


def test_kpis_equal_kpi_table(res, example):
    unflagged = example[~example[FLAGS].any(axis=1)]
    ref = kpi_table(unflagged, by="organisation", csat_column="csat", nps_column="nps", ces_column="ces",
                    fcr_column="fcr")
    mine = res.kpis[res.kpis.channel == "all"].rename(columns={"group": "organisation"})
    merged = ref.merge(mine, on=["organisation", "kpi"], suffixes=("", "_mine"))
    assert len(merged) == 24
    np.testing.assert_allclose(merged.estimate, merged.estimate_mine)
    np.testing.assert_allclose(merged.ci_low, merged.ci_low_mine)
    per_channel = res.kpis[(res.kpis.group == "Energie") & (res.kpis.channel == "phone") & (res.kpis.key == "nps")]
    ref_phone = kpi_table(unflagged[(unflagged.organisation == "Energie") & (unflagged.channel == "phone")],
                          nps_column="nps")
    assert per_channel.estimate.item() == pytest.approx(ref_phone.estimate.item())


def test_priorities_follow_the_importance_option(example, inst):
    weights = analyse_drivers(example, inst, importance="weights", crosshair="median", bootstrap=50, seed=2,
                              sem=False, pooling="none")
    t = weights.importance
    np.testing.assert_allclose(t.importance_share, t.relative_weight_pct)
    assert weights.priorities.crosshair == "median"
    sem = analyse_drivers(example, inst, importance="sem", bootstrap=50, seed=2, pooling="none")
    t = sem.importance[sem.importance.group == "Telecom"]
    np.testing.assert_allclose(t.importance_share, 100 * t.sem_std.abs() / t.sem_std.abs().sum())
    assert t.priority_ci_low.isna().all() and t.priority.notna().all()
    d = json.loads(json.dumps(sem.to_dict(), allow_nan=False))["groups"]["Telecom"]["drivers"]["empathy"]
    assert d["priority_ci"] == [None, None]


def test_csat_outcome_regresses_the_answer_on_the_latent_drivers(example, inst):
    res = analyse_drivers(example, inst, outcome="csat", bootstrap=50, seed=4, pooling="none")
    assert res.structural.syntax.endswith("csat ~ " + " + ".join(inst.driver_keys))
    assert "satisfaction" not in res.structural.syntax
    assert res.used.columns[-1] == "csat" and res.importance.r2.between(0.2, 0.8).all()


def test_small_groups_are_flagged_as_unstable(example, inst):
    small = example[(example.organisation != "Webwinkel") | (example.index % 5 == 0)]
    res = analyse_drivers(small, inst, bootstrap=50, seed=5, sem=False, pooling="none")
    row = res.groups.set_index("group").loc["Webwinkel"]
    assert row.n_used < 100 and row.unstable_ranks
    assert res.importance[res.importance.group == "Webwinkel"].unstable_ranks.all()
    assert "Webwinkel" in set(res.warnings.group[res.warnings.kind == "unstable_ranks"])
    assert "ranks unstable" in str(res.summary())


def test_collinear_drivers_are_warned_about(example, inst):
    rng = np.random.default_rng(8)
    twin = example.copy()
    for k in range(1, 5):                 # empathy answers = reliability answers, 10% nudged by one point
        nudge = rng.choice([-1.0, 0.0, 1.0], size=len(twin), p=[0.05, 0.9, 0.05])
        twin[f"emp{k}"] = (twin[f"rel{k}"] + nudge).clip(1, 7)
    res = analyse_drivers(twin, inst, bootstrap=50, seed=8, sem=False, pooling="none")
    vif = res.importance.set_index(["group", "driver"]).vif
    assert vif["all", "reliability"] > 5 and vif["all", "empathy"] > 5
    high = res.warnings[res.warnings.kind == "high_vif"]
    assert "all" in set(high.group) and high.message.str.contains("reliability VIF").all()
    assert res.importance.vif_high[res.importance.driver.isin(["reliability", "empathy"])].all()
    # the warning names the driver rows' VIFs (the covariance the headline rests on), not another sample's
    for g, message in zip(high.group, high.message):
        assert f"reliability VIF {vif[g, 'reliability']:.1f}" in message


def test_flagged_respondents_can_be_included(example, inst):
    res = analyse_drivers(example, inst, exclude_flagged=False, bootstrap=50, seed=6, sem=False, pooling="none")
    assert not res.excluded.code.eq("flagged").any() and res.n_used > 802
    assert res.warnings.kind.eq("flagged_included").any()


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"by": "region"}, OptionError, "by must be a column of the data"),
    ({"outcome": "loyalty"}, OptionError, "outcome must be one of satisfaction, csat, nps, ces, got 'loyalty'"),
    ({"bootstrap": 0}, OptionError, "bootstrap must be a whole number from 2 to 100000 (e.g. 2000), got 0"),
    ({"bootstrap": -5}, OptionError, "from 2 to 100000"),
    ({"drivers": ["speed"]}, OptionError, "drivers must be drivers of the questionnaire"),
    ({"importance": "sem", "sem": False}, OptionError, "when the structural model is off (sem=False)"),
    ({"crosshair": "centre"}, OptionError, "crosshair must be one of"),
    ({"level": 95}, ServiceDriversError, "between 0 and 1"),
    ({"by": "channel", "drivers": ["reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time",
                                   "accessibility", "menu"]}, DataError, "leave those drivers out"),
])
def test_bad_options_raise_one_clear_error(example, inst, kwargs, error, fragment):
    with pytest.raises(error) as info:
        analyse_drivers(example, inst, **{"bootstrap": 10, "sem": False, **kwargs}, pooling="none")
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_raw_codes_are_refused(inst):
    raw = simulate_study(inst, n_orgs=1, n_per_org=60, seed=1, truth_draws=0).responses   # 99 = not applicable
    message = r"column 'rel1', row 25: has values outside the scale 1-7 \(99\); read the file with"
    with pytest.raises(DataError, match=message):
        analyse_drivers(raw, inst, bootstrap=10, sem=False, pooling="none")


def test_a_group_called_all_is_refused(example, inst):
    renamed = example.assign(organisation=example.organisation.replace({"Telecom": "all"}))
    with pytest.raises(DataError, match="called 'all'"):
        analyse_drivers(renamed, inst, bootstrap=10, sem=False, pooling="none")


def test_progress_reaches_the_total(example, inst):
    calls = []
    analyse_drivers(example, inst, bootstrap=30, seed=1, progress=lambda *a: calls.append(a), pooling="none")
    boot = [c for c in calls if c[0] == "bootstrap"]
    assert boot[-1][1] == boot[-1][2] == 30          # in resamples (every organisation resampled 30 times)
    assert [c[1] for c in boot] == sorted(c[1] for c in boot)
    assert [c for c in calls if c[0] == "sem"][-1][1:] == (5, 5)


@pytest.mark.parametrize("pooling", ["partial", "none"])
def test_every_stage_of_tasks_reports_its_progress(example, inst, pooling):
    # each stage's count rises as its tasks finish and ends at its total (not 0 -> total at the end)
    calls = []
    analyse_drivers(example, inst, bootstrap=30, seed=1, progress=lambda *a: calls.append(a), pooling=pooling,
                    sem=False)
    expected = {"point": 5, "bootstrap": 30, "replicates": 4, "priorities": 4, "kpis": 4}   # 4 organisations
    if pooling == "partial":
        expected["pooling"] = 30                                                       # in replicates
    assert {c[0] for c in calls} == set(expected)
    for stage, total in expected.items():
        seen = [c[1:] for c in calls if c[0] == stage]
        assert {t for _, t in seen} == {total}, stage
        done = [d for d, _ in seen]
        assert done == sorted(done) and done[-1] == total, stage


def test_summary_html_and_plots(res):
    text = str(res.summary())
    for g in ("Energie", "Telecom", "Verzekeraar", "Webwinkel", "all:"):
        assert g in text
    assert "concentrate here" in text or "keep up the good work" in text
    assert "<table" in res._repr_html_() and "Energie" in res._repr_html_()
    ax = res.plot_priorities(group="Energie")
    assert ax.get_title(loc="left") == "Priority matrix: Energie"
    ax = res.plot_importance()
    assert len(ax.patches) == 7 and "all" in ax.get_title()
    plt.close("all")
    with pytest.raises(ValueError, match="no group 'Nowhere'"):
        res.plot_importance("Nowhere")
    top = res.group("Verzekeraar")
    assert top.driver.iloc[0] == "reliability" and top["rank"].tolist() == list(range(1, 8))


def test_a_group_too_small_for_the_regression_is_left_out_and_listed(example, inst):
    data = example.copy()
    data.loc[data.index[:12], "organisation"] = "Tiny"           # 8 usable respondents for 7 drivers
    res = analyse_drivers(data, inst, by="organisation", bootstrap=50, seed=3, sem=False, pooling="none")
    assert "Tiny" not in set(res.importance.group)
    tiny = res.excluded[res.excluded.group == "Tiny"]
    assert len(tiny) == 12 and tiny.code.eq("small_group").sum() == 8
    assert any("'Tiny' (8)" in m for m in res.warnings.message)
    # every respondent is still used or explained
    assert res.groups.set_index("group").loc["all", "n_used"] + len(res.excluded) == len(data)


def test_every_group_too_small_is_an_error(example, inst):
    tiny = example.iloc[:12]                                   # one organisation, about 6 usable
    with pytest.raises(DataError, match="too few usable respondents"):
        analyse_drivers(tiny, inst, by="organisation", bootstrap=50, seed=3, sem=False, pooling="none")


def test_sem_priorities_leave_out_a_group_whose_sem_fit_failed(example, inst):
    """Finding 1: 54 Webwinkel respondents for 121 SEM parameters: not estimated, so no SEM estimates there."""
    web = example.index[example.organisation == "Webwinkel"]
    res = analyse_drivers(example.drop(web[60:]), inst, importance="sem", bootstrap=20, seed=1, pooling="none")
    web_rows = res.importance[res.importance.group == "Webwinkel"]
    assert web_rows[["sem_std", "sem_se", "sem_p"]].isna().all().all()
    assert web_rows.quadrant.isna().all() and web_rows.priority.isna().all()
    fit = res.sem_fit.set_index("group")
    assert not fit.usable["Webwinkel"] and fit.usable.drop("Webwinkel").all()
    assert np.isnan(fit.cfi["Webwinkel"]) and fit.cfi.drop("Webwinkel").notna().all()
    others = res.importance[res.importance.group != "Webwinkel"]
    assert others.sem_std.notna().all() and others.priority.notna().all()
    kinds = set(res.warnings.kind[res.warnings.group == "Webwinkel"])
    assert {"sem_not_estimated", "priorities"} <= kinds
    sem_lines = res.warnings[(res.warnings.group == "Webwinkel") & res.warnings.kind.str.startswith("sem")]
    assert len(sem_lines) == 1 and "respondents for 121 free parameters" in sem_lines.message.iloc[0]
    assert list(res.structural.problems[res.structural.problems.group == "Webwinkel"].kind) == ["not_estimated"]
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))["groups"]["Webwinkel"]
    assert doc["sem"]["usable"] is False and doc["drivers"]["empathy"]["sem_std"] is None


def test_a_group_without_variation_is_left_out_and_listed(example, inst):
    """Finding 3: menu answered 7 by all usable respondents of one group."""
    data = example.copy()
    odd = data.index[data.organisation == "Webwinkel"][:40]
    data.loc[odd, "organisation"] = "Odd"
    data.loc[odd, [f"men{k}" for k in range(1, 5)]] = data.loc[odd, [f"men{k}" for k in range(1, 5)]].where(
        data.loc[odd, [f"men{k}" for k in range(1, 5)]].isna(), 7.0)
    res = analyse_drivers(data, inst, bootstrap=20, seed=2, sem=False, pooling="none")
    assert "Odd" not in set(res.importance.group) and "Webwinkel" in set(res.importance.group)
    odd_rows = res.excluded[(res.excluded.group == "Odd") & (res.excluded.code == "small_group")]
    assert len(odd_rows) > 9
    assert odd_rows.reason.str.contains("menu has the same value for every respondent").all()
    assert any("'Odd'" in m and "menu" in m for m in res.warnings.message)


def test_a_group_with_no_usable_respondent_is_left_out(example, inst):
    """Finding 9: every respondent of 'Ghost' is flagged: the others are still analysed."""
    data = example.copy()
    ghost = data.index[:15]
    data.loc[ghost, "organisation"] = "Ghost"
    data.loc[ghost, "flag_speeding"] = True
    res = analyse_drivers(data, inst, bootstrap=20, seed=3, sem=False, pooling="none")
    assert "Ghost" not in set(res.importance.group) and len(set(res.importance.group)) == 5
    assert any("'Ghost' (0)" in m for m in res.warnings.message)
    assert res.excluded[res.excluded.group == "Ghost"].code.eq("flagged").all()


def test_the_phone_only_hint_is_given_only_when_it_is_the_cause(example, inst):
    """Finding 9: a group too small whatever the drivers gets no hint about phone-only drivers."""
    with pytest.raises(DataError) as info:
        analyse_drivers(example.iloc[:6], inst, bootstrap=10, sem=False, pooling="none")
    assert "too few usable respondents" in str(info.value) and "phone-only" not in str(info.value)
    with pytest.raises(DataError, match="leave those drivers out"):        # every driver asked for explicitly
        analyse_drivers(example, inst, by="channel", drivers=list(inst.driver_keys), bootstrap=10, sem=False, pooling="none")


def test_level_may_be_a_numpy_float(example, inst):
    """Finding 11: any real number between 0 and 1 is a level."""
    res = analyse_drivers(example, inst, level=np.float32(0.9), bootstrap=10, seed=1, sem=False, pooling="none")
    assert type(res.settings.level) is float and res.settings.level == pytest.approx(0.9)
    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["meta"]["level"] == pytest.approx(0.9)
    with pytest.raises(ServiceDriversError, match="between 0 and 1"):
        analyse_drivers(example, inst, level="0.9", bootstrap=10, sem=False, pooling="none")


def test_few_resamples_warning_names_the_analysis_level(example, inst):
    res = analyse_drivers(example, inst, level=0.9, bootstrap=10, seed=1, sem=False, pooling="none")
    message = res.warnings[res.warnings.kind == "bootstrap"].message.tolist()
    assert message == ["only 10 resamples: 90% percentile intervals need about 1000 or more (Efron & Tibshirani 1993)"]


def test_sem_problems_become_one_warning_per_unusable_group():
    """Issue 10, point 5: a fit with errors (a dozen problems at small n) is one warning line, not one per problem."""
    from types import SimpleNamespace

    from analysis.drivers.tables import _sem_warnings

    problems = pd.DataFrame([
        {"group": "A", "kind": "small_sample", "severity": "warning", "message": "150 respondents for 121 free parameters"},
        {"group": "B", "kind": "nonconvergence", "severity": "error", "message": "the estimation did not converge"},
        {"group": "B", "kind": "heywood", "severity": "error", "message": "x1 has a negative residual variance"},
        {"group": "B", "kind": "small_sample", "severity": "warning", "message": "130 respondents for 121"},
        {"group": "C", "kind": "not_estimated", "severity": "error", "message": "not estimated: 20 respondents for 121"},
    ])
    fit = pd.DataFrame({"group": ["A", "B", "C"], "n": [150, 130, 20], "usable": [True, False, False]})
    rows = pd.DataFrame(_sem_warnings(SimpleNamespace(problems=problems, fit=fit)))
    assert (rows.severity == "warning").all() and rows.group.tolist() == ["A", "B", "C"]
    assert rows.kind.tolist() == ["sem_small_sample", "sem_not_reported", "sem_not_estimated"]
    b = rows.message[1]
    assert "2 problem(s) make the estimates invalid with 130 respondents" in b and "did not converge" in b
    assert rows.message[2] == "SEM not estimated: 20 respondents for 121; no SEM paths or fit indices for this group"
