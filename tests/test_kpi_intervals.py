"""KPI intervals at small n (issue 10, point 4): within the scale, containing the estimate, or
absent with the reason; formulas pinned to R (tests/fixtures/r/kpi_intervals.R)."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drivers.kpis import CI_REASONS, ces, csat, fcr, kpi_table, mean_interval, nps, nps_interval, wilson_interval
from analysis.common.thresholds import MIN_N_KPI_INTERVAL

REF = json.loads((Path(__file__).parent / "fixtures" / "kpi_intervals.json").read_text())
Z95 = 1.959963984540054
# the range of each KPI of kpi_table
SCALES = {"CSAT %": (0, 100), "NPS": (-100, 100), "CES mean": (1, 7), "CES % easy": (0, 100),
          "FCR % yes": (0, 100), "FCR % yes or partly": (0, 100)}
# answers that differ in what they count as (NPS: detractor, passive, promoter)
VALUES = {"sat": [1, 4, 5], "ltr": [3, 7, 10], "effort": [1, 2, 5, 7], "fcr": ["yes", "partly", "no"]}


def every_sample(max_n: int) -> pd.DataFrame:
    """One group per multiset of n = 0..max_n answers per KPI column (blanks make up the rest)."""
    rows = []
    for n in range(max_n + 1):
        combos = {c: list(itertools.combinations_with_replacement(v, n)) for c, v in VALUES.items()}
        for i in range(max(len(c) for c in combos.values())):
            group = f"n{n}-{i}"
            answers = {c: list(v[i % len(v)]) + [None] * (max_n - n) for c, v in combos.items()}
            rows += [{"g": group, **{c: answers[c][j] for c in answers}} for j in range(max(max_n, 1))]
    return pd.DataFrame(rows)


def all_equal_samples() -> pd.DataFrame:
    """Every answer of a group the same, for every point of every scale, at n = 1..5 and 30."""
    rows = []
    for n in (1, 2, 3, 4, 5, 30):
        for i, (sat, ltr, effort, answer) in enumerate(itertools.zip_longest(
                range(1, 6), range(11), range(1, 8), VALUES["fcr"])):
            values = {"sat": sat, "ltr": ltr, "effort": effort, "fcr": answer}
            rows += [{"g": f"n{n}-{i}", **values} for _ in range(n)]
    return pd.DataFrame(rows)


def table(data: pd.DataFrame, **kw) -> pd.DataFrame:
    return kpi_table(data, by="g", csat_column="sat", nps_column="ltr", ces_column="effort", fcr_column="fcr", **kw)


def check_rows(t: pd.DataFrame, min_n: int) -> None:
    for r in t.itertuples():
        lo_s, hi_s = SCALES[r.kpi]
        where = f"{r.g} {r.kpi} n={r.n}: {r.estimate} [{r.ci_low}, {r.ci_high}] {r.ci_reason}"
        if r.n == 0:
            assert np.isnan(r.estimate) and r.ci_reason == "no_answers", where
        else:
            assert lo_s <= r.estimate <= hi_s, where
        if r.ci_reason is None:
            assert r.n >= min_n and r.ci_note is None, where
            assert lo_s <= r.ci_low <= r.estimate <= r.ci_high <= hi_s, where
            assert r.ci_high > r.ci_low, where
        else:
            assert np.isnan(r.ci_low) and np.isnan(r.ci_high), where
            assert r.ci_reason in CI_REASONS and r.ci_note, where
            assert (r.ci_reason == "too_few") == (0 < r.n < min_n), where
            assert r.ci_reason != "no_spread" or r.kpi == "CES mean", where


@pytest.mark.parametrize("min_n", [MIN_N_KPI_INTERVAL, 1])
def test_every_sample_up_to_five_answers(min_n):
    t = table(every_sample(5), min_n=min_n)
    assert set(t.kpi) == set(SCALES) and set(t.n) == set(range(6))
    check_rows(t, min_n)
    if min_n == 1:       # every KPI but the mean of equal answers has an interval from one answer on
        assert t[(t.n > 0) & (t.kpi != "CES mean")].ci_reason.isna().all()


@pytest.mark.parametrize("min_n", [MIN_N_KPI_INTERVAL, 1])
def test_all_equal_answers(min_n):
    t = table(all_equal_samples(), min_n=min_n)
    check_rows(t, min_n)
    enough = t[t.n >= min_n]
    assert (enough[enough.kpi == "CES mean"].ci_reason == "no_spread").all()
    assert enough[enough.kpi != "CES mean"].ci_reason.isna().all()
    # e.g. 30 promoters: NPS 100 inside its own interval, which reaches 100
    row = t[(t.kpi == "NPS") & (t.n == 30) & (t.estimate == 100)].iloc[0]
    assert row.ci_high == 100 and row.ci_low == pytest.approx(100 * (30 - Z95**2) / (30 + Z95**2))


def test_the_reported_cases():
    """What the issue saw per channel: 'CES mean 2.5 [-3.9, 8.9]', '6.0 [nan, nan]', 'NPS 100.0 [-48.5, 98.5]'."""
    t = kpi_table(pd.DataFrame({"g": ["a", "a", "b", "c"], "effort": [1, 4, 6, None], "ltr": [None, None, 10, None]}),
                  by="g", ces_column="effort", nps_column="ltr").set_index(["g", "kpi"])
    for key, estimate in [(("a", "CES mean"), 2.5), (("b", "CES mean"), 6.0), (("b", "NPS"), 100.0)]:
        r = t.loc[key]
        assert r.estimate == estimate and np.isnan(r.ci_low) and np.isnan(r.ci_high)
        assert r.ci_reason == "too_few" and r.ci_note == f"fewer than {MIN_N_KPI_INTERVAL} answers, too few for an interval"
    assert t.loc[("c", "NPS")].ci_reason == "no_answers"
    # with the minimum lowered, the one promoter's interval contains 100 (it was [-48.5, 98.5])
    one = nps(pd.DataFrame({"ltr": [10]}), "ltr", min_n=1).iloc[0]
    assert one.ci_high == 100 and one.ci_low == pytest.approx(100 * (1 - Z95**2) / (1 + Z95**2))


@pytest.mark.parametrize("case", REF["wilson"], ids=lambda c: f"{c['k']}of{c['n']}")
def test_wilson_matches_r_prop_test(case):
    lo, hi = wilson_interval(case["k"], case["n"])
    assert (float(lo), float(hi)) == pytest.approx((case["low"], case["high"]), abs=1e-12)


@pytest.mark.parametrize("case", REF["nps"], ids=lambda c: f"{c['promoters']}-{c['detractors']}of{c['n']}")
def test_nps_intervals_match_r(case):
    args = case["promoters"], case["detractors"], case["n"]
    _, _, lo, hi = nps_interval(*args, method="score")
    # R finds the constrained maximum by optimize(), to about 1e-8 of the -1..1 scale
    assert (float(lo), float(hi)) == pytest.approx((case["score_low"], case["score_high"]), abs=1e-5)
    _, _, lo, hi = nps_interval(*args, method="adjusted_wald")
    assert (float(lo), float(hi)) == pytest.approx((case["adjusted_wald_low"], case["adjusted_wald_high"]), abs=1e-9)


def test_nps_score_interval_of_one_category_is_wilsons_rescaled():
    # all n promoters: the constrained shares have no passives, so the bound is Wilson's for p+ mapped to 2p - 1
    for n in (1, 5, 40):
        _, _, lo, hi = nps_interval(n, 0, n)
        assert hi == 100 and float(lo) == pytest.approx(100 * (n - Z95**2) / (n + Z95**2), abs=1e-9)
        w_lo, _ = wilson_interval(n, n)
        assert float(lo) == pytest.approx(100 * (2 * float(w_lo) - 1), abs=1e-9)


def test_nps_intervals_contain_the_score_for_every_count():
    for n in range(1, 21):
        for pro in range(n + 1):
            for det in range(n - pro + 1):
                score, _, lo, hi = nps_interval(pro, det, n)
                assert -100 <= lo <= score <= hi <= 100 and hi > lo, (pro, det, n)
    # the adjusted Wald contains it from 2 answers on (one answer: [-48.5, 98.5] around 100)
    for n in range(2, 61):
        counts = [(p, d) for p in range(n + 1) for d in range(n - p + 1)]
        score, _, lo, hi = nps_interval(*np.array(counts).T, n, method="adjusted_wald")
        assert ((-100 <= lo) & (lo <= score + 1e-9) & (score <= hi + 1e-9) & (hi <= 100)).all(), n
    assert nps_interval(1, 0, 1, method="adjusted_wald")[3] < 100


@pytest.mark.parametrize("case", REF["ces_mean"], ids=lambda c: "-".join(map(str, c["values"])))
def test_mean_interval_matches_r(case):
    assert mean_interval(case["values"], (1, 7)) == pytest.approx((case["low"], case["high"]), abs=1e-12)


def test_mean_interval_is_bounded_where_the_t_interval_is_not():
    # 1, 1, 1, 1, 2: the t interval reaches below the scale (1.2 - 2.78 * 0.447 / 2.24 = 0.64)
    lo, hi = mean_interval([1, 1, 1, 1, 2], (1, 7))
    assert 1 < lo < 1.2 < hi < 7
    assert all(np.isnan(mean_interval(x, (1, 7))).all() for x in ([4], [7, 7, 7], []))
    rng = np.random.default_rng(3)
    for _ in range(200):
        x = rng.integers(1, 8, size=int(rng.integers(2, 12)))
        if np.ptp(x):
            lo, hi = mean_interval(x, (1, 7))
            assert 1 < lo < x.mean() < hi < 7


def test_kpi_functions_report_each_interval_s_reason():
    df = pd.DataFrame({"effort": [3] * 6, "fcr": ["no"] * 6, "sat": [5] * 6})
    c = ces(df, "effort").iloc[0]
    assert c.ci_reason == "no_spread" and c.pct_easy_ci_reason is None and c.pct_easy_ci_high > 0
    f = fcr(df.head(3), "fcr").iloc[0]
    assert f.pct_yes_ci_reason == f.pct_yes_or_partly_ci_reason == "too_few"
    s = csat(df, "sat").iloc[0]
    assert s.ci_reason is None and s.ci_high == 100 and s.ci_low > 50
    with pytest.raises(ValueError, match="min_n must be a whole number"):
        csat(df, "sat", min_n=0)
