"""`validate` on the example study, pinned to lavaan/semTools/psych run on the same items.

The reference values come from tests/fixtures/r/validation_example.R, which reads
tests/fixtures/validation_example_items.csv: the keyed item matrix that `validate`
analyses (written by the Python side, so both programs see exactly the same data).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.scoring.sample import select_respondents
from analysis.scoring.scores import keyed_items
from analysis.validation.reliability import cronbach_alpha
from analysis.validation.validation import validate
from instrument import DataError, read_responses

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"


@pytest.fixture(scope="module")
def example(inst):
    data, _ = read_responses(EXAMPLE, inst)
    return data


@pytest.fixture(scope="module")
def result(example, inst):
    return validate(example, inst, by="organisation")


@pytest.fixture(scope="module")
def lavaan():
    return json.loads((FIXTURES / "validation_example.json").read_text())


def test_fixture_items_are_what_validate_analyses(example, inst):
    sel = select_respondents(example, by="organisation")
    ours = keyed_items(sel.kept, inst).reset_index(drop=True)
    fixture = pd.read_csv(FIXTURES / "validation_example_items.csv")
    assert fixture["organisation"].tolist() == sel.kept["organisation"].tolist()
    np.testing.assert_array_equal(ours.to_numpy(), fixture[ours.columns].to_numpy())


@pytest.mark.parametrize("group", ["all", "Energie", "Telecom", "Verzekeraar", "Webwinkel"])
def test_fiml_fit_matches_lavaan(result, lavaan, group):
    ours, ref = result.groups[group].fit, lavaan["groups"][group]["fit"]
    assert result.groups[group].n == lavaan["groups"][group]["n"]
    assert ours.chi2 == pytest.approx(ref["chisq"], abs=2e-3)
    assert ours.df == ref["df"]
    for key, ref_key in [("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr")]:
        assert getattr(ours, key) == pytest.approx(ref[ref_key], abs=1e-4), key
    assert ours.rmsea_ci[0] == pytest.approx(ref["rmsea.ci.lower"], abs=1e-4)
    assert ours.rmsea_ci[1] == pytest.approx(ref["rmsea.ci.upper"], abs=1e-4)


@pytest.mark.parametrize("group", ["all", "Telecom"])
def test_standardized_loadings_and_reliability_match_lavaan(result, lavaan, group):
    g, ref = result.groups[group], lavaan["groups"][group]
    loadings = g.loadings.set_index("item")
    for item, values in ref["loadings"].items():
        assert loadings.loc[item, "std"] == pytest.approx(values["std"], abs=1e-4), item
        assert loadings.loc[item, "std_se"] == pytest.approx(values["se"], abs=1e-4), item
    rel = g.reliability.set_index("construct")
    for construct, omega in ref["omega"].items():
        assert rel.loc[construct, "omega"] == pytest.approx(omega, abs=1e-4), construct
    for construct, alpha in ref["alpha"].items():
        assert rel.loc[construct, "alpha"] == pytest.approx(alpha, abs=1e-8), construct


def test_htmt_matches_semtools(result, lavaan):
    matrix = result.groups["all"].htmt.matrix
    ref = pd.DataFrame(lavaan["groups"]["all"]["htmt"]).set_index("_row")  # jsonlite's row names
    np.testing.assert_allclose(matrix.loc[ref.index, ref.columns].to_numpy(), ref.to_numpy(), atol=1e-8)


def test_invariance_steps_match_lavaan(result, lavaan):
    table = result.invariance.table.set_index("level")
    for level, ref in lavaan["invariance"].items():
        assert table.loc[level, "chi2"] == pytest.approx(ref["chisq"], abs=5e-3), level
        assert table.loc[level, "df"] == ref["df"]
        assert table.loc[level, "cfi"] == pytest.approx(ref["cfi"], abs=1e-4), level
        assert table.loc[level, "rmsea"] == pytest.approx(ref["rmsea"], abs=1e-4), level
        assert table.loc[level, "srmr"] == pytest.approx(ref["srmr"], abs=1e-4), level
    # The simulated organisations share one measurement model: invariance must hold.
    assert table.loc["metric", "holds"] and table.loc["scalar", "holds"]


def test_every_respondent_is_used_or_explained(result, example):
    assert result.n_input == len(example)
    assert result.n_used + len(result.excluded) == len(example)
    assert result.excluded["reason"].str.startswith("flagged").all()
    assert sum(g.n for name, g in result.groups.items() if name != "all") == result.n_used


def test_alpha_is_the_reliability_module_on_the_same_items(result, example, inst):
    kept = select_respondents(example).kept
    items = keyed_items(kept, inst, inst.construct("empathy").item_ids)
    direct = cronbach_alpha(items)
    row = result.groups["all"].reliability.set_index("construct").loc["empathy"]
    assert row["alpha"] == direct.alpha
    assert (row["alpha_ci_low"], row["alpha_ci_high"]) == (direct.ci_low, direct.ci_high)


def test_json_document_has_the_documented_keys(result):
    doc = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    group = doc["groups"]["Energie"]
    assert set(group) >= {"n", "fit", "constructs", "loadings", "htmt", "problems"}
    assert set(group["fit"]) == {"chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "estimator"}
    assert group["fit"]["estimator"] == doc["meta"]["estimator"] == "ml"
    assert set(group["constructs"]["menu"]) >= {"alpha", "alpha_ci", "omega", "cr", "ave"}
    assert set(group["loadings"]["men2"]) >= {"std", "se"}
    assert set(group["htmt"]["menu"]) == {c for c in group["htmt"] if c != "menu"}
    assert [s["level"] for s in doc["invariance"]] == ["configural", "metric", "scalar"]
    assert set(doc["invariance"][1]) >= {"level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi", "holds"}
    assert doc["invariance"][0]["holds"] is None


def test_missing_by_design_is_reported(result):
    missing = result.groups["all"].missing
    assert missing["method"] == "FIML"
    # wait-time and menu (8 of 31 items) are missing by design for about 45% off the phone
    assert 8 < missing["by_design_pct"] < 14
    assert missing["other_missing_pct"] < 4
    assert missing["cells_missing_pct"] == pytest.approx(missing["by_design_pct"] + missing["other_missing_pct"])


def test_listwise_uses_complete_cases_only(example, inst):
    res = validate(example, inst, missing="listwise", invariance=False)
    g = res.groups["all"]
    assert g.missing["method"] == "listwise"
    assert g.model.n_obs_ == {"": g.missing["complete_cases"]}        # one group, fitted on the complete cases
    assert 0 < g.missing["complete_cases"] < g.n                         # ... which are fewer than the respondents


def test_invalid_cfa_shows_problems_not_figures(inst):
    # 60 pilot respondents for 121 parameters: the EM covariance is singular and the model
    # has more parameters than respondents. Nothing may be printed as if it were fine.
    data, _ = read_responses(Path(__file__).parents[1] / "data" / "pilot" / "pilot.xlsx", inst,
                             invalid="missing")
    res = validate(data.sample(n=60, random_state=3), inst)
    g = res.groups["all"]
    assert g.fit is None and g.loadings.empty
    assert g.reliability["omega"].isna().all() and g.reliability["alpha"].notna().all()
    assert any(p.severity == "error" for p in g.problems)
    doc = res.to_dict()["groups"]["all"]
    assert doc["fit"] is None and doc["loadings"] == {}
    assert res.fit.loc[0, ["cfi", "rmsea"]].isna().all()


def test_small_group_is_reported_not_hidden(example, inst):
    small = example.copy()
    small.loc[small.index[:20], "organisation"] = "Tiny"
    res = validate(small, inst, by="organisation", invariance=False)
    tiny = res.groups["Tiny"]
    assert tiny.n <= 20
    small = [p for p in tiny.problems if p.kind == "small_sample" and p.severity == "error"]
    assert small and any(f"only {tiny.n} respondents for 121 free parameters" in p.message for p in small)
    assert tiny.fit is None and tiny.loadings.empty
    assert np.isnan(tiny.missing["fmi_mean"])                # no FMI from a fit that is not usable
    assert f"[Tiny] error: only {tiny.n} respondents" in str(res.summary())  # renders despite the failed group


def test_plot_loadings_returns_axes(result):
    ax = result.plot_loadings(["all", "Energie"])
    assert ax.get_xlabel().startswith("standardized loading")
    assert len(ax.get_yticks()) == 31
    with pytest.raises(ValueError, match="unknown group"):
        result.plot_loadings(["Nope"])


def test_bad_arguments(example, inst):
    with pytest.raises(ValueError, match="missing must be one of"):
        validate(example, inst, missing="pairwise")
    with pytest.raises(ValueError, match="by must be a column of the data"):
        validate(example, inst, by="region")


def test_by_channel_assesses_phone_only_constructs_where_they_apply(example, inst):
    res = validate(example, inst, by="channel")
    email = res.groups["email"]
    assert set(email.reliability["construct"]) == {c.key for c in inst.constructs} - {"wait_time", "menu"}
    assert email.fit is not None and email.fit.df == 215          # the 6-factor model (23 items)
    assert any(p.kind == "not_assessed" and "wait_time, menu" in p.message for p in email.problems)
    assert set(res.groups["phone"].reliability["construct"]) == {c.key for c in inst.constructs}
    # invariance is tested on the constructs every channel has, and says so
    assert "without wait_time, menu" in res.invariance_note
    assert list(res.invariance.table["level"]) == ["configural", "metric", "scalar"]


def test_a_group_called_all_is_refused(example, inst):
    """Finding 2: it would silently replace the whole-sample result."""
    renamed = example.assign(organisation=example.organisation.replace({"Telecom": "all"}))
    with pytest.raises(DataError, match="column 'organisation': a group is called 'all'"):
        validate(renamed, inst, by="organisation", invariance=False)


@pytest.mark.parametrize("by", ["channel", "organisation"])
def test_respondents_without_a_group_value_are_excluded_with_a_reason(example, inst, by):
    """Finding 8: blank group values used to crash (TypeError in sorted)."""
    data = example.copy()
    data[by] = data[by].astype(object)
    blank = data.index[[0, 5, 9]]
    data.loc[blank, by] = np.nan
    res = validate(data, inst, by=by, invariance=False)
    assert set(res.groups) == {"all", *example[by].astype(str).unique()}
    ids = set(data.respondent_id[blank])
    reasons = res.excluded.set_index("respondent_id").reason
    assert all(reasons[i].startswith(f"no value in the grouping column '{by}'") for i in ids)
    assert res.groups["all"].n == len(data) - len(set(res.excluded.respondent_id))


def test_fmi_summary_is_of_the_loadings(result):
    """Finding 16: 'of the loadings' means the =~ rows only."""
    g = result.groups["Telecom"]
    loadings = g.model.params_.query("op == '=~'").fmi.astype(float)
    loadings = loadings[np.isfinite(loadings)]
    assert g.missing["fmi_mean"] == pytest.approx(loadings.mean(), abs=1e-12)
    assert g.missing["fmi_max"] == pytest.approx(loadings.max(), abs=1e-12)


def test_model_based_reliability_is_computed_once_per_group(example, inst, monkeypatch):
    """Finding 14/15: once per group, not once per construct."""
    import analysis.validation.reliability as reliability
    import analysis.validation.validation as validation

    calls = []
    original = reliability.model_based_reliability
    counted = lambda *args: calls.append(1) or original(*args)    # noqa: E731
    monkeypatch.setattr(reliability, "model_based_reliability", counted)
    monkeypatch.setattr(validation, "model_based_reliability", counted, raising=False)
    res = validate(example[example.organisation == "Telecom"], inst, invariance=False)
    assert len(calls) == 1 and res.groups["all"].reliability.omega.notna().all()
