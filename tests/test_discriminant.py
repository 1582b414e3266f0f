"""analysis.validation.discriminant pinned to semTools 0.5-6 ``htmt()`` and lavaan 0.6-14.

Reference values: tests/fixtures/r/reliability_{holzinger,survey}.R, stored as JSON next
to the CSV data they used (runs without R). HTMT has the same definition as semTools, so
pins are to 1e-8.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.common.thresholds import Threshold
from analysis.validation.discriminant import fornell_larcker, fornell_larcker_from_solution, htmt
from analysis.validation.reliability import CFASolution

FIXTURES = Path(__file__).parent / "fixtures"
EXACT = 1e-8
APPROX = 1e-6
HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
SURVEY = {"empathy": ["emp1", "emp2", "emp3", "emp4"], "resolution": ["res1", "res2", "res3"],
          "speed": ["spd1", "spd2", "spd3", "spd4"]}


def load(name: str):
    path = FIXTURES / name
    return pd.read_csv(path) if path.suffix == ".csv" else json.loads(path.read_text())


def matrix(ref: dict) -> pd.DataFrame:
    return pd.DataFrame(ref["values"], index=ref["names"], columns=ref["names"], dtype=float)


def with_exact_correlations(corr: np.ndarray, n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``corr``."""
    z = np.random.default_rng(seed).standard_normal((n, len(corr)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)  # identity cov
    return pd.DataFrame(z @ np.linalg.cholesky(corr).T,
                        columns=[f"v{i}" for i in range(len(corr))])


def two_constructs(within: float, between: float) -> np.ndarray:
    corr = np.full((4, 4), between)
    corr[:2, :2] = corr[2:, 2:] = within
    np.fill_diagonal(corr, 1.0)
    return corr


TWO = {"a": ["v0", "v1"], "b": ["v2", "v3"]}


# --- HTMT pinned to semTools --------------------------------------------------------

@pytest.mark.parametrize("key, options", [
    ("htmt", {}),                                   # htmt(model, data, htmt2 = FALSE)
    ("htmt2", {"htmt2": True}),                     # htmt(model, data, htmt2 = TRUE)
    ("htmt_signed", {"absolute": False}),           # ... htmt2 = FALSE, absolute = FALSE
])
def test_htmt_matches_semtools_on_holzinger(key, options):
    result = htmt(load("reliability_holzinger.csv"), HS, **options)
    pd.testing.assert_frame_equal(result.matrix, matrix(load("reliability_holzinger.json")[key]),
                                  atol=EXACT)
    assert result.n_obs == 301


def test_absolute_matters_on_holzinger():
    # x2 and x7 correlate negatively, so only visual-speed changes.
    data = load("reliability_holzinger.csv")
    gap = htmt(data, HS).matrix - htmt(data, HS, absolute=False).matrix
    assert gap.loc["visual", "speed"] > 0.04
    assert gap.loc["visual", "textual"] == pytest.approx(0, abs=1e-15)


@pytest.mark.parametrize("key, options", [
    ("htmt_listwise", {}),
    ("htmt2_listwise", {"htmt2": True}),
    ("htmt_pairwise", {"missing": "pairwise"}),     # sample.cov = cor(x, use = "pairwise")
])
def test_htmt_matches_semtools_on_survey_with_missing(key, options):
    result = htmt(load("reliability_survey.csv"), SURVEY, **options)
    pd.testing.assert_frame_equal(result.matrix, matrix(load("reliability_survey.json")[key]),
                                  atol=EXACT)


def test_unrecoded_item_absolute_matches_semtools_and_signed_raises():
    data = load("reliability_survey.csv").assign(spd3=lambda d: 8 - d["spd3"])
    ref = load("reliability_survey.json")
    pd.testing.assert_frame_equal(htmt(data, SURVEY).matrix,
                                  matrix(ref["htmt_unrecoded_absolute"]), atol=EXACT)
    # semTools returns NaN (and -1 on the diagonal); we refuse, naming the construct.
    assert np.isnan(matrix(ref["htmt_unrecoded_signed"]).loc["empathy", "speed"])
    with pytest.raises(ValueError, match=r"monotrait mean correlation of \{'speed'"):
        htmt(data, SURVEY, absolute=False)


# --- HTMT definition and verdicts ---------------------------------------------------

def test_htmt_by_hand_and_verdicts():
    # within-construct r = .5, between r = .44  ->  HTMT = .44 / .5 = .88
    result = htmt(with_exact_correlations(two_constructs(0.5, 0.44)), TWO)
    row = result.pairs.iloc[0]
    assert row["htmt"] == pytest.approx(0.88, abs=1e-12)
    assert (row["below_strict"], row["below_liberal"]) == (False, True)
    assert pd.isna(row["ci_low"]) and pd.isna(row["ci_high_below_one"])
    assert htmt(with_exact_correlations(two_constructs(0.5, 0.40)), TWO).pairs.loc[
        0, "below_strict"]
    stricter = Threshold("HTMT", "<", 0.80, "a stricter reviewer")
    assert not htmt(with_exact_correlations(two_constructs(0.5, 0.41)), TWO,
                    strict=stricter).pairs.loc[0, "below_strict"]   # .82 is not < .80
    assert list(result.pairs.columns) == ["construct_a", "construct_b", "htmt", "below_strict",
                                          "below_liberal", "ci_low", "ci_high",
                                          "ci_high_below_one"]


def test_htmt2_uses_geometric_means():
    corr = np.array([[1, .3, .4, .5], [.3, 1, .2, .6], [.4, .2, 1, .7], [.5, .6, .7, 1]])
    data = with_exact_correlations(corr)
    hetero = np.exp(np.log([.4, .5, .2, .6]).mean())
    expected = hetero / np.sqrt(0.3 * 0.7)
    assert htmt(data, TWO, htmt2=True).pairs.loc[0, "htmt"] == pytest.approx(expected, abs=1e-12)
    assert htmt(data, TWO).pairs.loc[0, "htmt"] == pytest.approx(
        np.mean([.4, .5, .2, .6]) / np.sqrt(0.3 * 0.7), abs=1e-12)


# --- bootstrap ----------------------------------------------------------------------

def test_bootstrap_is_seeded_and_brackets_the_estimate():
    """Behavioural only (seeding, an interval around the estimate): not pinned to cSEM or semTools."""
    data = load("reliability_holzinger.csv")
    first = htmt(data, HS, n_boot=300, seed=7)
    again = htmt(data, HS, n_boot=300, seed=7)
    other = htmt(data, HS, n_boot=300, seed=8)
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    assert not np.allclose(first.pairs["ci_low"], other.pairs["ci_low"])
    assert first.n_boot_used == 300 and first.ci_level == 0.90
    assert (first.pairs["ci_low"] < first.pairs["htmt"]).all()
    assert (first.pairs["htmt"] < first.pairs["ci_high"]).all()
    assert first.pairs["ci_high_below_one"].all()
    assert "90% CI" in first.summary()


def test_bootstrap_flags_constructs_that_are_one():
    """Behavioural only: the interval reaches 1 when the population HTMT is 1; not pinned to a reference."""
    # Population HTMT = 1 (the 'two' constructs are one): the interval must reach 1.
    data = with_exact_correlations(two_constructs(0.5, 0.5), n=200)
    result = htmt(data, TWO, n_boot=400, seed=1)
    assert result.pairs.loc[0, "htmt"] == pytest.approx(1.0)
    assert result.pairs.loc[0, "ci_high_below_one"] == False  # noqa: E712


def test_bootstrap_interval_width_shrinks_with_n_and_pairwise_works():
    """Behavioural only: wider intervals for fewer respondents; not pinned to a reference implementation."""
    corr = two_constructs(0.5, 0.3)
    small = htmt(with_exact_correlations(corr, n=100), TWO, n_boot=300, seed=2).pairs.iloc[0]
    large = htmt(with_exact_correlations(corr, n=1600), TWO, n_boot=300, seed=2).pairs.iloc[0]
    assert (large["ci_high"] - large["ci_low"]) < 0.5 * (small["ci_high"] - small["ci_low"])
    survey = htmt(load("reliability_survey.csv"), SURVEY, missing="pairwise", n_boot=50, seed=3)
    assert survey.n_boot_used == 50 and survey.pairs["ci_low"].notna().all()


# --- input errors -------------------------------------------------------------------

def test_htmt_input_errors():
    data = load("reliability_survey.csv")
    with pytest.raises(ValueError, match="construct 'speed' has 1 item"):
        htmt(data, {"empathy": SURVEY["empathy"], "speed": ["spd1"]})
    with pytest.raises(ValueError, match="at least two constructs"):
        htmt(data, {"empathy": SURVEY["empathy"]})
    with pytest.raises(ValueError, match=r"items \['spd9'\] of construct 'speed'"):
        htmt(data, {"empathy": SURVEY["empathy"], "speed": ["spd1", "spd9"]})
    with pytest.raises(ValueError, match="belong to another construct"):
        htmt(data, {"empathy": SURVEY["empathy"], "speed": ["spd1", "emp1"]})
    with pytest.raises(ValueError, match="'res2' has no answers"):
        htmt(data.assign(res2=np.nan), SURVEY)
    with pytest.raises(ValueError, match="'emp4' is not numeric"):
        htmt(data.assign(emp4="n/a"), SURVEY)
    with pytest.raises(ValueError, match="HTMT2 uses geometric means"):
        htmt(data, SURVEY, htmt2=True, absolute=False)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_boot": 10.5}, "n_boot must be a whole number"),
    ({"n_boot": "100"}, "n_boot must be a whole number"),
    ({"n_boot": True}, "n_boot must be a whole number"),
    ({"n_boot": -1}, "n_boot must be a whole number"),
])
def test_htmt_bad_n_boot_is_a_value_error(kwargs, message):
    """Finding 11: these used to raise TypeError from deep inside."""
    with pytest.raises(ValueError, match=message):
        htmt(load("reliability_survey.csv"), SURVEY, **kwargs)


def test_htmt_constructs_must_be_a_mapping():
    """Finding 11: a list of item lists used to raise TypeError."""
    with pytest.raises(ValueError, match="constructs must map each construct's name to its items"):
        htmt(load("reliability_survey.csv"), [list(items) for items in SURVEY.values()])
    assert htmt(load("reliability_survey.csv"), SURVEY, n_boot=np.int64(5)).n_boot_used <= 5


# --- Fornell-Larcker ----------------------------------------------------------------

def test_fornell_larcker_on_holzinger_lavaan_solution():
    ref = load("reliability_holzinger.json")
    result = fornell_larcker_from_solution(
        CFASolution.from_parameter_table(pd.DataFrame(ref["estimates"])))
    latent = matrix(ref["latent_correlations"])
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(result.table.to_numpy()[off], latent.to_numpy()[off], atol=EXACT)
    # sqrt(AVE) with AVE = mean(lambda_std^2) = semTools AVE() on standardized items.
    np.testing.assert_allclose(np.diag(result.table),
                               np.sqrt(pd.Series(ref["std_ov"]["ave_model"])[list(HS)]),
                               atol=APPROX)
    verdicts = result.verdicts.set_index("construct")
    assert verdicts["passes"].all()                  # .61, .85, .66 vs |r| <= .47
    assert verdicts.loc["visual", "most_correlated_with"] == "speed"
    assert "visual" in result.summary() and "<table" in result._repr_html_()


def test_fornell_larcker_verdicts_by_hand():
    corr = pd.DataFrame([[1, .6, -.75], [.6, 1, .2], [-.75, .2, 1]],
                        index=list("abc"), columns=list("abc"))
    result = fornell_larcker({"a": 0.5, "b": 0.45, "c": 0.6}, corr)
    verdicts = result.verdicts.set_index("construct")
    # a: .707 < |-.75|;  b: .671 > .6;  c: .775 > .75 (absolute value counts)
    assert verdicts["passes"].tolist() == [False, True, True]
    assert verdicts.loc["a", "most_correlated_with"] == "c"
    assert verdicts.loc["a", "max_abs_correlation"] == pytest.approx(0.75)
    assert result.table.loc["b", "b"] == pytest.approx(np.sqrt(0.45))


def test_fornell_larcker_input_errors():
    corr = pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"])
    with pytest.raises(ValueError, match=r"lacks constructs \['c'\]"):
        fornell_larcker({"a": .5, "c": .5}, corr)
    with pytest.raises(ValueError, match="AVE must lie in"):
        fornell_larcker({"a": .5, "b": 1.2}, corr)
    with pytest.raises(ValueError, match="at least two constructs"):
        fornell_larcker({"a": .5}, corr)
