"""KPIs against hand-computed values on tiny data, NPS edge cases, intervals vs statsmodels."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.drivers.kpis import ces, csat, fcr, kpi_table, nps, nps_interval, wilson_interval

Z95 = 1.959963984540054


@pytest.fixture
def tiny() -> pd.DataFrame:
    return pd.DataFrame({
        "org": ["A", "A", "A", "A", "B", "B", "B", "B", "B"],
        "channel": ["phone", "phone", "chat", "chat", "phone", "phone", "phone", "chat", "chat"],
        "sat": [5, 4, 2, None, 3, 3, 4, 5, 1],
        "ltr": [10, 9, 7, 3, 6, None, 9, 10, 8],
        "effort": [7, 6, 2, 4, None, 5, 1, 3, 7],
        "fcr": ["yes", "partly", "no", None, "Yes ", "no", "PARTLY", "yes", "no"],
    })


def test_wilson_interval_matches_statsmodels_and_formula():
    for k, n in [(0, 10), (3, 10), (10, 10), (45, 120)]:
        lo, hi = wilson_interval(k, n, 0.95)
        ref = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)
    # by hand for 3 of 10
    p, n = 0.3, 10
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    assert wilson_interval(3, 10)[0] == pytest.approx(centre - half, abs=1e-12)


def test_csat_by_hand(tiny):
    t = csat(tiny, "sat", by="org").set_index("org")
    # A: 5, 4, 2 answered (1 missing) -> 2/3; B: 3, 3, 4, 5, 1 -> 2/5
    assert t.loc["A", ["n", "n_missing", "n_satisfied"]].tolist() == [3, 1, 2]
    assert t.loc["A", "csat"] == pytest.approx(200 / 3)
    assert t.loc["B", ["n", "n_missing", "n_satisfied"]].tolist() == [5, 0, 2]
    assert t.loc["B", "csat"] == pytest.approx(40.0)
    lo, hi = proportion_confint(2, 5, method="wilson")
    assert (t.loc["B", "ci_low"], t.loc["B", "ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    both = csat(tiny, "sat", by=["org", "channel"])
    assert both.columns[:2].tolist() == ["org", "channel"]
    a_chat = both[(both.org == "A") & (both.channel == "chat")].iloc[0]
    assert (a_chat.n, a_chat.n_missing, a_chat.csat) == (1, 1, 0.0)
    overall = csat(tiny, "sat").iloc[0]
    assert (overall.n, overall.n_satisfied) == (8, 4)


def test_nps_by_hand(tiny):
    t = nps(tiny, "ltr", by="org", min_n=1).set_index("org")
    # A: 10, 9, 7, 3 -> 2 promoters, 1 passive, 1 detractor -> 25
    a = t.loc["A"]
    assert [a.n, a.n_promoters, a.n_passives, a.n_detractors] == [4, 2, 1, 1]
    assert a.nps == pytest.approx(25.0)
    assert [a.pct_promoters, a.pct_passives, a.pct_detractors] == pytest.approx([50, 25, 25])
    se = math.sqrt((0.5 + 0.25 - 0.25**2) / 4)
    assert a.se == pytest.approx(100 * se)             # the multinomial SE at the observed shares
    assert -100 < a.ci_low < 25 < a.ci_high < 100 and a.ci_reason is None
    # B: 6, (missing), 9, 10, 8 -> 2 promoters, 1 passive, 1 detractor, 1 missing
    b = t.loc["B"]
    assert [b.n, b.n_missing, b.n_promoters, b.n_detractors] == [4, 1, 2, 1]
    assert b.ci_method == "score"
    # 4 answers are below the default minimum: the score, no interval, and why
    default = nps(tiny, "ltr", by="org").set_index("org").loc["A"]
    assert default.nps == pytest.approx(25.0) and np.isnan(default.ci_low) and default.ci_reason == "too_few"


def test_nps_adjusted_wald_by_hand():
    # 6 promoters, 2 detractors of 10 -> adjusted 6.75 and 2.75 of 13
    t = nps(pd.DataFrame({"ltr": [10] * 6 + [7, 8] + [0, 6]}), "ltr", ci_method="adjusted_wald").iloc[0]
    assert t.nps == pytest.approx(40.0)                  # the score itself is not adjusted
    pp, pd_ = 6.75 / 13, 2.75 / 13
    se = math.sqrt((pp + pd_ - (pp - pd_) ** 2) / 13)
    assert t.se == pytest.approx(100 * se)
    assert t.ci_low == pytest.approx(100 * (pp - pd_ - Z95 * se))
    assert t.ci_method == "adjusted_wald"


@pytest.mark.parametrize("answers,expected", [
    ([10, 9, 10, 9], 100.0),          # all promoters
    ([0, 3, 6, 5], -100.0),           # all detractors
    ([7, 8, 7, 8], 0.0),              # all passives: no promoters, no detractors
    ([9, 6], 0.0),
    ([9, 7, 7, 7], 25.0),
])
def test_nps_edge_cases(answers, expected):
    for method in ("score", "adjusted_wald"):
        t = nps(pd.DataFrame({"ltr": answers}), "ltr", ci_method=method, min_n=1).iloc[0]
        assert t.nps == pytest.approx(expected)
        assert -100 <= t.ci_low <= t.nps <= t.ci_high <= 100
        # one category only still leaves an interval of real width (a plain Wald would collapse)
        assert t.ci_high - t.ci_low > 10


def test_nps_interval_clipped():
    score, se, lo, hi = nps_interval(9, 0, 10, method="adjusted_wald")
    assert score == 90 and hi == 100 and lo < 90


def test_ces_by_hand(tiny):
    t = ces(tiny, "effort", by="org", min_n=1).set_index("org")
    a = t.loc["A"]                                   # 7, 6, 2, 4
    assert a["mean"] == pytest.approx(4.75)
    sd = np.std([7, 6, 2, 4], ddof=1)
    assert a.sd == pytest.approx(sd)
    # logit-t on the 0-1 rescaled mean m = 3.75 / 6, SD sd / 6; t(.975, 3) = 3.1824
    m = 3.75 / 6
    half = 3.182446305284263 * (sd / 6) / (2 * m * (1 - m))
    logit = math.log(m / (1 - m))
    expit = lambda v: 1 / (1 + math.exp(-v))            # noqa: E731
    assert (a.ci_low, a.ci_high) == pytest.approx((1 + 6 * expit(logit - half), 1 + 6 * expit(logit + half)))
    assert (a.n_easy, a.pct_easy) == (2, 50.0)
    b = t.loc["B"]                                   # (missing), 5, 1, 3, 7
    assert (b.n, b.n_missing, b["mean"], b.n_easy) == (4, 1, 4.0, 2)


def test_fcr_by_hand(tiny):
    t = fcr(tiny, "fcr", by="org").set_index("org")
    a = t.loc["A"]                                   # yes, partly, no, missing
    assert [a.n, a.n_missing, a.n_yes, a.n_partly, a.n_no] == [3, 1, 1, 1, 1]
    assert a.pct_yes == pytest.approx(100 / 3)
    assert a.pct_yes_or_partly == pytest.approx(200 / 3)
    b = t.loc["B"]                                   # 'Yes ', no, 'PARTLY', yes, no
    assert [b.n_yes, b.n_partly, b.n_no] == [2, 1, 2]
    assert b.pct_yes_or_partly == pytest.approx(60.0)
    lo, hi = proportion_confint(3, 5, method="wilson")
    assert (b.pct_yes_or_partly_ci_low, b.pct_yes_or_partly_ci_high) == pytest.approx((100 * lo, 100 * hi))


def test_kpi_table(tiny):
    t = kpi_table(tiny, by="org", csat_column="sat", nps_column="ltr", ces_column="effort",
                  fcr_column="fcr")
    assert t.columns.tolist() == ["org", "kpi", "n", "n_missing", "estimate", "ci_low", "ci_high", "ci_reason",
                                  "ci_note"]
    assert t.kpi.unique().tolist() == ["CSAT %", "NPS", "CES mean", "CES % easy", "FCR % yes",
                                       "FCR % yes or partly"]
    row = t[(t.org == "A") & (t.kpi == "NPS")].iloc[0]
    assert row.estimate == pytest.approx(25.0)
    with pytest.raises(ValueError, match="at least one KPI column"):
        kpi_table(tiny)


def test_empty_group_gives_nan_not_error():
    df = pd.DataFrame({"org": ["A", "A", "B"], "sat": [5, 4, None]})
    t = csat(df, "sat", by="org").set_index("org")
    assert t.loc["B", "n"] == 0 and t.loc["B", "n_missing"] == 1 and np.isnan(t.loc["B", "csat"])


def test_nps_without_answers_has_no_interval():
    """Finding 6: the adjusted Wald's pseudo-counts alone gave n = 0 an interval of about [-80, 80]."""
    df = pd.DataFrame({"org": ["A", "A", "B"], "ltr": [10, 3, None]})
    for method in ("score", "adjusted_wald"):
        row = nps(df, "ltr", by="org", ci_method=method, min_n=1).set_index("org").loc["B"]
        assert row.n == 0 and np.isnan(row.nps)
        assert np.isnan(row.se) and np.isnan(row.ci_low) and np.isnan(row.ci_high), method
        assert row.ci_reason == "no_answers"
    assert all(np.isnan(v) for v in nps_interval(0, 0, 0))
    assert np.isfinite(nps_interval(1, 0, 1)).all()          # one answer is information


def test_invalid_answers_are_named(tiny):
    with pytest.raises(ValueError, match=r"column 'sat' has answers outside the 1-5 scale \(6"):
        csat(tiny.assign(sat=[5, 4, 6, 1, 1, 1, 1, 1, 1]), "sat")
    with pytest.raises(ValueError, match="outside the 0-10 scale"):
        nps(tiny.assign(ltr=[9.5] * 9), "ltr")
    with pytest.raises(ValueError, match="outside the 1-7 scale.*'easy'"):
        ces(tiny.assign(effort=["easy"] + [1] * 8), "effort")
    with pytest.raises(ValueError, match="other than yes / partly / no.*'maybe'"):
        fcr(tiny.assign(fcr=["maybe"] * 9), "fcr")
    with pytest.raises(ValueError, match="no grouping column named 'region'"):
        csat(tiny, "sat", by="region")
    with pytest.raises(ValueError, match="no column named 'csat'"):
        csat(tiny, "csat")
    with pytest.raises(ValueError, match="ci_method"):
        nps(tiny, "ltr", ci_method="wald")
