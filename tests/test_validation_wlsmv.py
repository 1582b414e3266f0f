"""WLSMV (``estimator="wlsmv"``) in the validation, the invariance steps, the SEM step and the CLI.

The statistics themselves are pinned to lavaan in tests/test_sem_wlsmv.py; here the
invariance steps are checked against the same reference (lavTestLRT satorra.2000,
tests/fixtures/sem_wlsmv.json) and the validation result, its JSON, its summary, the
report texts and the CLI are checked to carry and show the WLSMV figures.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drivers.sem import fit_structural
from analysis.sem.wls_score import intercept_score_rows
from analysis.report.i18n import Texts
from analysis.validation.categorical_omega import categorical_omegas
from analysis.validation.invariance import invariance_steps
from analysis.validation.validation import validate
from instrument import load_instrument, read_responses

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"
REF = json.loads((FIXTURES / "sem_wlsmv.json").read_text())


def test_invariance_steps_with_wlsmv_match_lavaan_difftest():
    """Metric = thresholds and loadings (Wu & Estabrook 2016), marker-identified here:
    the same models as lavaan's std.lv ones, so the same statistics."""
    cols = [f"{f}{k}" for f in ("rel", "cfo") for k in range(1, 5)]
    data = pd.read_csv(FIXTURES / "partial_invariance.csv")[["organisation"] + cols].dropna()
    model = "rel =~ rel1 + rel2 + rel3 + rel4\ncfo =~ cfo1 + cfo2 + cfo3 + cfo4"
    res = invariance_steps(model, data, "organisation", estimator="wlsmv", partial=True)
    table = res.table.set_index("level")
    for level in ("configural", "metric", "scalar"):
        fit = REF["fits"][f"mg_complete_{level}"]["fit"]
        assert table.loc[level, "chi2_scaled"] == pytest.approx(fit["chisq.scaled"], rel=0.01)
        assert table.loc[level, "cfi_scaled"] == pytest.approx(fit["cfi.scaled"], abs=1e-3)
        assert table.loc[level, "estimator"] == "wlsmv"
    for level, key in (("metric", "metric_configural"), ("scalar", "scalar")):
        ref = REF["difference"][f"mg_complete_{key}"]
        assert table.loc[level, "delta_chi2"] == pytest.approx(ref["chi2"], rel=0.01)
        assert table.loc[level, "delta_pvalue"] == pytest.approx(ref["pvalue"], abs=1e-3)
    metric = REF["fits"]["mg_complete_metric"]["fit"]["cfi.scaled"]
    scalar = REF["fits"]["mg_complete_scalar"]["fit"]["cfi.scaled"]
    assert table.loc["scalar", "delta_cfi"] == pytest.approx(scalar - metric, abs=2e-3)
    assert not table.loc["scalar", "holds"]              # the planted cfo3 shift in Telecom
    # the search frees the planted intercept, and the step then holds
    step = res.partial.iloc[0]
    assert (step["item"], step["parameter"], step["group"]) == ("cfo3", "intercept", "Telecom")
    assert res.stops["scalar"] == "holds" and res.final_holds("scalar")
    assert res.misfit.iloc[0]["item"] == "cfo3"


PARTIAL = json.loads((FIXTURES / "wlsmv_partial.json").read_text())
OPS = {"loading": "=~", "intercept": "~1"}


@pytest.fixture(scope="module")
def searched():
    data = pd.read_csv(FIXTURES / "wlsmv_partial.csv")
    return invariance_steps("a =~ a1 + a2 + a3 + a4\nb =~ b1 + b2 + b3 + b4", data, "group",
                            estimator="wlsmv", partial=True, std_lv=True)


def test_partial_search_with_wlsmv_frees_what_lavaan_frees(searched):
    """The released sequence, the fits after each release and the score tests ranked, against the
    same search run with lavaan/semTools (tests/fixtures/r/wlsmv_partial.R)."""
    res = searched
    table = res.table.set_index("level")
    for level, ref in PARTIAL["levels"].items():
        assert table.loc[level, "chi2"] == pytest.approx(ref["chisq"], rel=0.01)
        assert table.loc[level, "cfi_scaled"] == pytest.approx(ref["cfi.scaled"], abs=1e-3)
    assert len(res.partial) == len(PARTIAL["steps"]) == 3
    for ours, ref in zip(res.partial.to_dict("records"), PARTIAL["steps"]):
        item = ref["rhs"] if ref["op"] == "=~" else ref["lhs"]
        assert (ours["level"], ours["step"], ours["item"], OPS[ours["parameter"]], ours["group"]) == \
            (ref["level"], ref["step"], item, ref["op"], ref["group"])
        assert ours["score_chi2"] == pytest.approx(ref["score_chi2"], rel=0.01)
        assert ours["chi2"] == pytest.approx(ref["chisq"], rel=0.01)
        assert ours["cfi"] == pytest.approx(ref["cfi.scaled"], abs=1e-3)
    assert res.stops == {"metric": "holds", "scalar": "holds"}
    comp = res.comparability.set_index("construct")
    assert comp.loc["a", "invariant_loadings"] == 3 and comp.loc["a", "invariant_intercepts"] == 2
    assert bool(comp.loc["a", "means_comparable"]) and comp.loc["b", "invariant_intercepts"] == 3


def test_partial_search_score_tests_match_lavaan_at_every_step(searched):
    # the first metric step: every threshold and loading constraint, as lavTestScore ranks them
    fit = searched.fits["metric"]
    uni = fit.score_tests().univariate
    ours = {(r.lhs, r.op, r.rhs, r.group): r.chi2 for r in uni.itertuples()}
    ref = pd.DataFrame(PARTIAL["score_tests"]["metric_1"])
    assert len(ref) == len(ours)
    for r in ref.itertuples():
        rhs = r.rhs if isinstance(r.rhs, str) else ""
        assert ours[(r.lhs, r.op, rhs, r.group)] == pytest.approx(r.chi2, rel=0.01, abs=0.01)
    assert {"|", "=~"} <= set(ref["op"])
    # the first scalar step (the metric release in place): intercepts by their modification index
    rows = intercept_score_rows(searched.fits["scalar"])
    ours = {(r.lhs, r.group): r.chi2 for r in rows.itertuples()}
    ref = pd.DataFrame(PARTIAL["score_tests"]["scalar_1"]).query("op == '~1'")
    assert len(ref) == len(ours) == 16
    for r in ref.itertuples():
        assert ours[(r.lhs, r.group)] == pytest.approx(r.chi2, rel=0.01, abs=0.01)


@pytest.fixture(scope="module")
def example():
    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    return inst, data


@pytest.fixture(scope="module")
def result(example):
    inst, data = example
    return validate(data.head(600), inst, estimator="wlsmv", invariance=False)


def test_validation_result_carries_and_shows_the_wlsmv_figures(result):
    val = result
    assert val.estimator == "wlsmv"
    f = val.groups["all"].fit
    row = val.fit.iloc[0]
    assert f.estimator == "wlsmv" and row["chi2_scaled"] == f.chi2_scaled
    assert math.isfinite(f.scaling_factor) and f.scaling_factor > 0 and math.isfinite(f.chi2_shift)
    assert row["cfi_ok"] == (f.cfi_scaled >= 0.95) and row["rmsea_ok"] == (f.rmsea_scaled <= 0.06)
    doc = json.loads(json.dumps(val.to_dict(), allow_nan=False))
    assert doc["meta"]["estimator"] == "wlsmv"
    assert {"chi2_scaled", "scaling_factor", "chi2_shift", "cfi_scaled", "tli_scaled",
            "rmsea_scaled"} <= set(doc["groups"]["all"]["fit"])
    assert doc["groups"]["all"]["missing"]["method"] == "pairwise"
    text = str(val.summary())
    assert "estimator: WLSMV (ordinal items)" in text and "cfi_scaled" in text and "pairwise" in text
    assert "CFI (scaled)" in repr(val)


def test_reliability_table_has_categorical_omega_beside_alpha(result):
    val = result
    rel = val.groups["all"].reliability
    cols = list(rel.columns)
    assert cols.index("omega_cat") == cols.index("alpha_ci_high") + 1
    want = categorical_omegas(val.groups["all"].model)
    assert rel.set_index("construct")["omega_cat"].to_dict() == pytest.approx(want)
    assert rel["omega_cat"].between(0.5, 1).all()
    doc = val.to_dict()
    assert all("omega_cat" in c for c in doc["groups"]["all"]["constructs"].values())


def test_not_applicable_is_never_an_answer_category(example):
    """99 (N/A) in the file is read as missing: no item gets an eighth category."""
    inst, data = example
    from analysis.scoring.scores import keyed_items
    items = keyed_items(data.head(600), inst)
    val_model = validate(data.head(600), inst, estimator="wlsmv", invariance=False).groups["all"].model
    for item, th in val_model.thresholds_[""].groupby(lambda k: k.split("|")[0]):
        assert len(th) == items[item].dropna().nunique() - 1 <= 6


@pytest.mark.parametrize("lang, word", [("en", "WLSMV"), ("nl", "WLSMV")])
def test_report_texts_name_the_estimator(lang, word):
    t = Texts(lang)
    assert word in t("validation.estimator", estimator=t("estimator.wlsmv"))
    assert t("validation.fit_note_wlsmv") and t("col.omega_cat") and t("missing.pairwise")


def test_structural_step_with_wlsmv(example):
    inst, data = example
    data = data.head(600)
    ml = fit_structural(data, inst, data["organisation"].to_numpy(), [], drivers=list(inst.driver_keys),
                        outcome="satisfaction", whole_sample="all", estimator="ml")
    res = fit_structural(data, inst, data["organisation"].to_numpy(), [], drivers=list(inst.driver_keys),
                         outcome="satisfaction", whole_sample="all", estimator="wlsmv")
    model = res.models["all"]
    assert model.fit_.estimator == "wlsmv" and model.converged_
    paths = res.paths.set_index("driver")
    assert np.isfinite(paths["std"]).all() and (paths["se"] > 0).all()
    # ordinal and normal-theory standardized paths agree in sign where ML finds a clear effect
    clear = ml.paths.set_index("driver")
    clear = clear[clear["pvalue"] < 0.01]
    assert (np.sign(clear["std"]) == np.sign(paths.loc[clear.index, "std"])).all()
    assert res.fit.set_index("group").loc["all", "estimator"] == "wlsmv"


def test_cli_validate_with_wlsmv_names_the_estimator_and_shows_the_scaled_fit(run_cli, tmp_path, monkeypatch):
    from analysis.cli.app import console

    monkeypatch.setattr(console, "width", 80)
    out = tmp_path / "val.json"
    res = run_cli("validate", EXAMPLE, "--estimator", "wlsmv", "--no-invariance", "--json", out)
    assert res.exit_code == 0, res.stderr
    assert "estimator: WLSMV (ordinal items)" in res.stdout and "mean- and variance-adjusted" in res.stdout
    assert "omega-cat" in res.stdout
    doc = json.loads(out.read_text())
    fit = doc["groups"]["all"]["fit"]
    assert doc["meta"]["estimator"] == fit["estimator"] == "wlsmv"
    line = next(x for x in res.stdout.splitlines() if x.split()[:1] == ["all"])
    assert line.split()[2:4] == [f"{fit['chi2_scaled']:.1f}", f"{fit['scaling_factor']:.3f}"]
    # the interval of the RMSEA judged (rmsea_scaled_ci), as in the JSON and the HTML report
    low, high = (f"{x:.3f}".lstrip("0") for x in fit["rmsea_scaled_ci"])
    assert "90% CI" in res.stdout and f"{low}-{high}" in line
    assert max(len(x) for x in res.stdout.splitlines()) <= 80


@pytest.mark.parametrize("lang, expected", [("en", "threshold t3"), ("nl", "drempel t3")])
def test_report_names_a_released_threshold_in_its_language(lang, expected):
    from analysis.report.appendix import _parameter_label

    t = Texts(lang)
    assert _parameter_label("threshold t3", t) == expected
    assert _parameter_label("loading", t) == t("param.loading")
    assert _parameter_label("f ~1 ", t) == "f ~1 "          # a latent mean: as lavaan writes it
