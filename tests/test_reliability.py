"""analysis.validation.reliability pinned to R (psych 2.2.9, lavaan 0.6-14, semTools 0.5-6).

Reference values come from tests/fixtures/r/reliability_{survey,holzinger}.R, stored as
JSON beside the CSV data they used, so these tests run without R. Where our definition
is the one R computes, values are pinned to 1e-8; the one deliberate approximation (CR
and mean(lambda_std^2) against semTools on a fit to standardized items) to 1e-6.

Regenerate the survey CSV with ``python tests/test_reliability.py`` (then rerun the R
scripts from the repository root).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from random_data import normal_rows

from analysis.validation.reliability import (
    CFASolution, average_variance_extracted, composite_reliability, cronbach_alpha,
    item_analysis, model_based_reliability, omega_total, reliability_table,
)

FIXTURES = Path(__file__).parent / "fixtures"
EXACT = 1e-8      # same definition as R; differences are floating point only
APPROX = 1e-6     # same definition up to lavaan's optimiser tolerance

SURVEY_SEED = 20240611
SURVEY_CONSTRUCTS = {
    "empathy": {"emp1": 0.80, "emp2": 0.75, "emp3": 0.70, "emp4": 0.65},
    "resolution": {"res1": 0.85, "res2": 0.80, "res3": 0.60},
    "speed": {"spd1": 0.75, "spd2": 0.70, "spd3": 0.65, "spd4": 0.55},
}
SURVEY_FACTOR_CORRELATIONS = [[1.0, 0.55, 0.45], [0.55, 1.0, 0.60], [0.45, 0.60, 1.0]]
SURVEY_THRESHOLDS = np.array([-2.0, -1.5, -1.0, -0.4, 0.3, 1.1])  # 1-7, skewed to the top
REVERSE_KEYED = "spd3"
HS_FACTORS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
              "speed": ["x7", "x8", "x9"]}


def simulate_survey(n: int = 400, seed: int = SURVEY_SEED) -> pd.DataFrame:
    """Survey-like 1-7 answers: three correlated constructs, normal latent responses
    cut at skewed thresholds; spd3 is answered reverse-keyed and recoded (8 - answer);
    ~3% of answers missing at random and the resolution items 'not applicable' (NaN)
    for ~6% of respondents."""
    rng = np.random.default_rng(seed)
    factors = normal_rows(rng, SURVEY_FACTOR_CORRELATIONS, n)
    columns = {}
    for f, loadings in enumerate(SURVEY_CONSTRUCTS.values()):
        for item, lam in loadings.items():
            sign = -1.0 if item == REVERSE_KEYED else 1.0
            latent = sign * lam * factors[:, f] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
            answer = 1.0 + np.searchsorted(SURVEY_THRESHOLDS, latent)
            columns[item] = 8.0 - answer if item == REVERSE_KEYED else answer
    data = pd.DataFrame(columns)
    data[rng.random(data.shape) < 0.03] = np.nan
    not_applicable = rng.random(n) < 0.06
    data.loc[not_applicable, list(SURVEY_CONSTRUCTS["resolution"])] = np.nan
    return data


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "reliability_survey.csv")


@pytest.fixture(scope="module")
def survey_ref() -> dict:
    return json.loads((FIXTURES / "reliability_survey.json").read_text())


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "reliability_holzinger.csv")


@pytest.fixture(scope="module")
def hs_ref() -> dict:
    return json.loads((FIXTURES / "reliability_holzinger.json").read_text())


def matrix(ref: dict) -> pd.DataFrame:
    return pd.DataFrame(ref["values"], index=ref["names"], columns=ref["names"], dtype=float)


def by_name(values: dict) -> pd.Series:
    return pd.Series(values, dtype=float)


def test_survey_fixture_is_what_the_simulation_makes(survey):
    pd.testing.assert_frame_equal(simulate_survey(), survey, check_dtype=False)
    assert 0.02 < survey[list(SURVEY_CONSTRUCTS["empathy"])].isna().mean().mean() < 0.04


# --- Cronbach's alpha --------------------------------------------------------------

@pytest.mark.parametrize("construct", list(SURVEY_CONSTRUCTS))
def test_alpha_pairwise_matches_psych(survey, survey_ref, construct):
    ref = survey_ref["alpha"][construct]["pairwise"]
    result = cronbach_alpha(survey[list(SURVEY_CONSTRUCTS[construct])])
    assert result.n_obs == ref["n_obs"]
    assert result.alpha == pytest.approx(ref["raw_alpha"], abs=EXACT)
    assert result.ci_low == pytest.approx(ref["feldt_lower"], abs=EXACT)
    assert result.ci_high == pytest.approx(ref["feldt_upper"], abs=EXACT)
    assert result.se == pytest.approx(ref["ase"], abs=EXACT)


def test_alpha_n_excludes_respondents_without_any_answer(survey, survey_ref):
    # psych::alpha counts the 23 respondents for whom 'resolution' was not applicable
    # in n (400); we do not (377). Alpha itself is unaffected, the interval is not.
    ref = survey_ref["alpha"]["resolution"]
    result = cronbach_alpha(survey[list(SURVEY_CONSTRUCTS["resolution"])])
    assert ref["pairwise_all_rows"]["n_obs"] == 400 and result.n_obs == 377
    assert result.alpha == pytest.approx(ref["pairwise_all_rows"]["raw_alpha"], abs=EXACT)
    assert result.ci_low != pytest.approx(ref["pairwise_all_rows"]["feldt_lower"], abs=1e-4)
    assert result.ci_low == pytest.approx(ref["pairwise"]["feldt_lower"], abs=EXACT)


@pytest.mark.parametrize("construct", list(SURVEY_CONSTRUCTS))
def test_alpha_listwise_matches_psych_on_complete_rows(survey, survey_ref, construct):
    ref = survey_ref["alpha"][construct]["listwise"]
    result = cronbach_alpha(survey[list(SURVEY_CONSTRUCTS[construct])], missing="listwise")
    assert result.n_obs == ref["n_obs"]
    assert (result.alpha, result.ci_low, result.ci_high) == pytest.approx(
        (ref["raw_alpha"], ref["feldt_lower"], ref["feldt_upper"]), abs=EXACT)


def test_alpha_duhachek_interval_is_alpha_plus_minus_z_ase(survey, survey_ref):
    # psych prints alpha +/- 1.96 ASE; we use the exact normal quantile (1.959964...),
    # so the bounds agree with psych's printout to ~1e-5 and with the formula exactly.
    ref = survey_ref["alpha"]["speed"]["pairwise"]
    result = cronbach_alpha(survey[list(SURVEY_CONSTRUCTS["speed"])], ci=0.90,
                            ci_method="duhachek")
    z = stats.norm.ppf(0.95)
    assert result.ci_method == "duhachek" and result.ci_level == 0.90
    assert result.ci_low == pytest.approx(ref["raw_alpha"] - z * ref["ase"], abs=EXACT)
    assert result.ci_high == pytest.approx(ref["raw_alpha"] + z * ref["ase"], abs=EXACT)


@pytest.mark.parametrize("factor", list(HS_FACTORS))
def test_alpha_and_item_analysis_match_psych_on_holzinger(hs, hs_ref, factor):
    ref = hs_ref["alpha"][factor]
    result = cronbach_alpha(hs[HS_FACTORS[factor]])
    assert (result.alpha, result.ci_low, result.ci_high, result.se) == pytest.approx(
        (ref["raw_alpha"], ref["feldt_lower"], ref["feldt_upper"], ref["ase"]), abs=EXACT)
    items = item_analysis(hs[HS_FACTORS[factor]], scale_min=0, scale_max=11).set_index("item")
    np.testing.assert_allclose(items["r_drop"], by_name(ref["r_drop"]), atol=EXACT)
    np.testing.assert_allclose(items["alpha_if_deleted"], by_name(ref["alpha_if_deleted"]),
                               atol=EXACT)


def test_alpha_agrees_with_pingouin_listwise(survey):
    pingouin = pytest.importorskip("pingouin")
    items = survey[list(SURVEY_CONSTRUCTS["empathy"])]
    value, ci = pingouin.cronbach_alpha(items, nan_policy="listwise")
    result = cronbach_alpha(items, missing="listwise")
    assert result.alpha == pytest.approx(value, abs=1e-12)
    # pingouin 0.7 takes n for the Feldt interval *before* listwise deletion (all 400
    # rows) and rounds to 3 decimals; we (and psych on na.omit) use the 356 complete rows.
    df1, df2 = len(items) - 1, (len(items) - 1) * 3
    pingouin_ci = (1 - (1 - value) * stats.f.ppf(0.975, df1, df2),
                   1 - (1 - value) * stats.f.ppf(0.025, df1, df2))
    assert tuple(ci) == pytest.approx(pingouin_ci, abs=5e-4)
    assert result.n_obs == 356 and result.ci_low < pingouin_ci[0] - 1e-3


def test_alpha_of_parallel_items_is_one_and_independent_items_near_zero():
    rng = np.random.default_rng(3)
    x = rng.normal(size=500)
    assert cronbach_alpha(pd.DataFrame({"a": x, "b": x, "c": x})).alpha == pytest.approx(1.0)
    noise = pd.DataFrame(rng.normal(size=(5000, 4)), columns=list("abcd"))
    assert abs(cronbach_alpha(noise).alpha) < 0.05


def test_alpha_result_reports():
    x = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 5], "q3": [1, 3, 3, 4, 4]})
    result = cronbach_alpha(x)
    assert str(result.summary()).startswith(f"alpha = {result.alpha:.3f}, 95% CI")
    assert "<table" in result._repr_html_() and "feldt" in result._repr_html_()


# --- item analysis -----------------------------------------------------------------

@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize("construct", list(SURVEY_CONSTRUCTS))
def test_item_analysis_matches_psych(survey, survey_ref, construct, missing):
    ref = survey_ref["alpha"][construct][missing]
    table = item_analysis(survey[list(SURVEY_CONSTRUCTS[construct])], missing=missing)
    assert list(table.columns) == ["item", "n", "mean", "sd", "r_drop", "alpha_if_deleted",
                                   "floor_share", "ceiling_share"]
    table = table.set_index("item")
    np.testing.assert_array_equal(table["n"], by_name(ref["item_n"]))
    for ours, theirs in [("mean", "item_mean"), ("sd", "item_sd"), ("r_drop", "r_drop"),
                         ("alpha_if_deleted", "alpha_if_deleted"),
                         ("floor_share", "floor_share"), ("ceiling_share", "ceiling_share")]:
        np.testing.assert_allclose(table[ours], by_name(ref[theirs]), atol=EXACT, err_msg=ours)


def test_item_analysis_floor_share_sees_the_recoded_item(survey):
    table = item_analysis(survey[list(SURVEY_CONSTRUCTS["speed"])]).set_index("item")
    assert table["floor_share"].idxmax() == REVERSE_KEYED          # 8 - skewed-high answers
    assert table.loc[REVERSE_KEYED, "floor_share"] > 0.10


def test_item_analysis_two_items():
    x = pd.DataFrame({"a": [1, 2, 3, 4, 6], "b": [2, 1, 4, 3, 5]})
    table = item_analysis(x)
    assert table["alpha_if_deleted"].isna().all()
    np.testing.assert_allclose(table["r_drop"], x.corr().loc["a", "b"])


# --- input errors ------------------------------------------------------------------

@pytest.mark.parametrize("function", [cronbach_alpha, item_analysis])
def test_one_item_is_rejected(function, survey):
    with pytest.raises(ValueError, match=r"at least 2 items.*'emp1'"):
        function(survey[["emp1"]])


@pytest.mark.parametrize("function", [cronbach_alpha, item_analysis])
def test_all_missing_column_is_named(function, survey):
    items = survey[["emp1", "emp2", "emp3"]].assign(emp2=np.nan)
    with pytest.raises(ValueError, match="'emp2' has no answers"):
        function(items)


@pytest.mark.parametrize("function", [cronbach_alpha, item_analysis])
def test_non_numeric_column_is_named(function, survey):
    items = survey[["emp1", "emp2", "emp3"]].astype({"emp3": str})
    with pytest.raises(ValueError, match="'emp3' is not numeric"):
        function(items)


def test_constant_column_and_not_applicable_code_are_named(survey):
    with pytest.raises(ValueError, match="'emp1' has no variance"):
        cronbach_alpha(survey[["emp1", "emp2"]].assign(emp1=4.0))
    coded = survey[["emp1", "emp2", "emp3"]].fillna({"emp2": 99})
    with pytest.raises(ValueError, match="'emp2' has answers outside 1-7.*99"):
        item_analysis(coded)


def test_bad_options_are_rejected(survey):
    items = survey[["emp1", "emp2"]]
    with pytest.raises(ValueError, match="missing must be one of"):
        cronbach_alpha(items, missing="mean")
    with pytest.raises(ValueError, match="ci_method"):
        cronbach_alpha(items, ci_method="bootstrap")
    with pytest.raises(ValueError, match="ci must be a number between"):
        cronbach_alpha(items, ci=95)
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        cronbach_alpha(items.to_numpy())


# --- omega, CR, AVE on Holzinger-Swineford ------------------------------------------

@pytest.fixture(scope="module")
def hs_solution(hs_ref) -> CFASolution:
    return CFASolution.from_parameter_table(pd.DataFrame(hs_ref["estimates"]))


def test_omega_model_implied_matches_semtools(hs_solution, hs_ref):
    table = model_based_reliability(hs_solution).set_index("construct")
    np.testing.assert_allclose(table["omega"], by_name(hs_ref["omega_model"]), atol=EXACT)


def test_omega_observed_matches_semtools_default(hs_solution, hs_ref):
    table = model_based_reliability(hs_solution, matrix(hs_ref["sample_covariance"]))
    np.testing.assert_allclose(table.set_index("construct")["omega"],
                               by_name(hs_ref["omega_observed"]), atol=EXACT)


@pytest.mark.parametrize("variances", ["model", "observed"])
def test_ave_with_item_variances_matches_semtools(hs_solution, hs_ref, variances):
    implied = hs_solution.implied_item_variances()
    observed = pd.Series(np.diag(matrix(hs_ref["sample_covariance"])), index=implied.index)
    item_variances = implied if variances == "model" else observed
    for factor, expected in hs_ref[f"ave_{variances}"].items():
        items = hs_solution.items_of(factor)
        ave = average_variance_extracted(hs_solution.loadings.loc[items, factor],
                                         hs_solution.factor_covariances.loc[factor, factor],
                                         item_variances[items])
        assert ave == pytest.approx(expected, abs=EXACT)


def test_standardized_solution_matches_lavaan_std_all(hs_solution, hs_ref):
    lavaan_std = CFASolution.from_parameter_table(pd.DataFrame(hs_ref["standardized"]))
    ours = hs_solution.standardized()
    pd.testing.assert_frame_equal(ours.loadings, lavaan_std.loadings, atol=EXACT)
    pd.testing.assert_series_equal(ours.residual_variances, lavaan_std.residual_variances,
                                   atol=EXACT, check_names=False)
    pd.testing.assert_frame_equal(ours.factor_covariances, matrix(hs_ref["latent_correlations"]),
                                  atol=EXACT)


def test_cr_and_ave_match_semtools_on_standardized_items(hs_ref):
    # semTools' omega and AVE are raw-metric; on a fit to standardized items
    # (std.ov = TRUE) all item variances are equal, so they reduce to CR and
    # mean(lambda_std^2) -- up to how closely ML reproduces the item variances (~1e-7).
    std = CFASolution.from_parameter_table(pd.DataFrame(hs_ref["std_ov"]["standardized"]))
    table = model_based_reliability(std).set_index("construct")
    np.testing.assert_allclose(table["cr"], by_name(hs_ref["std_ov"]["omega_model"]), atol=APPROX)
    np.testing.assert_allclose(table["ave"], by_name(hs_ref["std_ov"]["ave_model"]), atol=APPROX)


def test_cr_and_ave_do_not_depend_on_the_metric_of_the_solution(hs_solution, hs_ref):
    raw = model_based_reliability(hs_solution)
    std = model_based_reliability(
        CFASolution.from_parameter_table(pd.DataFrame(hs_ref["standardized"]), "est"))
    np.testing.assert_allclose(raw[["cr", "ave"]], std[["cr", "ave"]], atol=EXACT)
    # ...while omega does: raw sum (semTools) vs sum of standardized items (= CR).
    np.testing.assert_allclose(std["omega"], std["cr"], atol=EXACT)
    assert abs(raw.loc[0, "omega"] - raw.loc[0, "cr"]) > 1e-4


def test_coefficients_by_hand():
    lam, theta = np.array([0.7, 0.8, 0.6]), np.array([0.51, 0.36, 0.64])
    assert composite_reliability(lam) == pytest.approx(2.1**2 / (2.1**2 + 1.51))
    assert average_variance_extracted(lam) == pytest.approx((0.49 + 0.64 + 0.36) / 3)
    assert omega_total(lam, theta) == pytest.approx(composite_reliability(lam))
    # A residual covariance of .1 between items 1 and 2 adds 2 x .1 to the denominator.
    theta_ij = np.zeros((3, 3))
    theta_ij[0, 1] = theta_ij[1, 0] = 0.1
    assert omega_total(lam, theta, residual_covariances=theta_ij) == pytest.approx(
        4.41 / (4.41 + 1.51 + 0.2))
    # Invariant to a common rescaling of the items and to the scale of the factor.
    assert omega_total(lam * 2, theta * 4) == pytest.approx(omega_total(lam, theta))
    assert omega_total(lam * 2, theta, factor_variance=0.25) == pytest.approx(
        omega_total(lam, theta))


def test_model_input_errors(hs_ref):
    with pytest.raises(ValueError, match="Heywood"):
        composite_reliability([0.9, 1.05, 0.7])
    with pytest.raises(ValueError, match="at least two"):
        composite_reliability([0.8])
    loadings = pd.DataFrame({"f": [0.7, 0.6, 0.5], "g": [0.0, 0.3, 0.0]}, index=["a", "b", "c"])
    with pytest.raises(ValueError, match="item 'b' loads on 2 factors"):
        CFASolution(loadings, pd.Series(0.5, index=list("abc")), pd.DataFrame(np.eye(2),
                    index=["f", "g"], columns=["f", "g"]))
    table = pd.DataFrame(hs_ref["estimates"])
    with pytest.raises(ValueError, match=r"no residual variance for items \['x5'\]"):
        CFASolution.from_parameter_table(table[~((table["op"] == "~~") & (table["lhs"] == "x5"))])
    with pytest.raises(ValueError, match="lacks the variance of factors"):
        CFASolution.from_parameter_table(table[~((table["op"] == "~~") & (table["lhs"] == "speed")
                                                 & (table["rhs"] == "speed"))])


# --- the per-construct table --------------------------------------------------------

def test_reliability_table_on_holzinger(hs, hs_ref, hs_solution):
    table = reliability_table({f: hs[items] for f, items in HS_FACTORS.items()}, hs_solution)
    assert list(table.columns) == [
        "construct", "n_items", "n_obs", "alpha", "alpha_ci_low", "alpha_ci_high", "omega",
        "cr", "ave", "alpha_ok", "omega_ok", "cr_ok", "ave_ok"]
    table = table.set_index("construct")
    np.testing.assert_allclose(table["alpha"], [hs_ref["alpha"][f]["raw_alpha"] for f in HS_FACTORS],
                               atol=EXACT)
    np.testing.assert_allclose(table["omega"], by_name(hs_ref["omega_model"]), atol=EXACT)
    # visual: alpha .63, omega .63, AVE .37 -- fails every cut-off; textual passes all.
    assert table.loc["visual", ["alpha_ok", "omega_ok", "cr_ok", "ave_ok"]].tolist() == [False] * 4
    assert table.loc["textual", ["alpha_ok", "omega_ok", "cr_ok", "ave_ok"]].tolist() == [True] * 4
    assert table.loc["speed", "ave_ok"] == False  # noqa: E712  (AVE .43 < .50)


def test_reliability_table_without_solution_and_with_a_mismatch(survey, survey_ref, hs_solution):
    items = {c: survey[list(cols)] for c, cols in SURVEY_CONSTRUCTS.items()}
    table = reliability_table(items)
    assert table["omega"].isna().all() and table["ave_ok"].isna().all()
    # judged against R's alpha (psych), so the check does not depend on this sample's values
    r_alpha = [survey_ref["alpha"][c]["pairwise"]["raw_alpha"] for c in SURVEY_CONSTRUCTS]
    assert table["alpha_ok"].tolist() == [a >= 0.70 for a in r_alpha]
    with pytest.raises(ValueError, match="'empathy' is not a factor"):
        reliability_table(items, hs_solution)
    with pytest.raises(ValueError, match=r"construct 'speed': a scale needs at least 2 items"):
        reliability_table({**items, "speed": survey[["spd1"]]})


def test_alpha_is_refused_when_the_sum_score_has_no_variance():
    """Finding 7: items whose covariances sum to zero gave alpha = -inf."""
    items = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [5.0, 4, 3, 2, 1]})      # b = 6 - a, not recoded
    with pytest.raises(ValueError, match=r"sum to 0: the sum score has no variance"):
        cronbach_alpha(items)
    table = item_analysis(items.assign(c=[3.0, 1, 4, 2, 5]))                  # without c: no variance
    assert np.isnan(table.set_index("item").loc["c", "alpha_if_deleted"])
    assert np.isfinite(table.set_index("item").loc["a", "alpha_if_deleted"])


def test_a_sum_score_constant_up_to_rounding_has_no_alpha():
    """Every respondent's sum is 13: the covariances sum to about 1e-16, not to 0."""
    items = pd.DataFrame([[3.0, 4, 5, 1], [5, 2, 1, 5], [1, 1, 6, 5], [1, 6, 5, 1]], columns=list("abcd"))
    assert items.sum(axis=1).nunique() == 1
    with pytest.raises(ValueError, match="the sum score has no variance"):
        cronbach_alpha(items)


def test_duhachek_se_of_a_degenerate_covariance_is_nan_without_a_warning():
    """Three respondents: the asymptotic variance comes out negative; no SE (was sqrt of a negative)."""
    items = pd.DataFrame([[6.0, 2, 5, 1], [6, 2, 5, 1], [2, 1, 2, 4]], columns=list("abcd"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cronbach_alpha(items, ci_method="duhachek")
    assert np.isfinite(result.alpha) and np.isnan(result.se) and np.isnan(result.ci_low)


def test_reliability_table_needs_a_construct(hs, hs_solution):
    """Finding 11: an empty mapping used to end in a KeyError."""
    with pytest.raises(ValueError, match="items_by_construct is empty"):
        reliability_table({})
    items = {f: hs[cols] for f, cols in HS_FACTORS.items()}
    model = model_based_reliability(hs_solution)
    pd.testing.assert_frame_equal(reliability_table(items, model_based=model), reliability_table(items, hs_solution))


def test_reliability_table_takes_stricter_thresholds(hs, hs_solution):
    from analysis.common.thresholds import Threshold
    items = {f: hs[cols] for f, cols in HS_FACTORS.items()}
    strict_ave = Threshold("average variance extracted", ">=", 0.75, "a stricter reviewer")
    table = reliability_table(items, hs_solution, ave_threshold=strict_ave)
    assert not table["ave_ok"].any()                  # textual's .72 now fails too
    assert reliability_table(items, hs_solution)["ave_ok"].tolist() == [False, True, False]


if __name__ == "__main__":
    simulate_survey().to_csv(FIXTURES / "reliability_survey.csv", index=False)
