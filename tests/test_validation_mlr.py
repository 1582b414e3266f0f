"""Robust ML (``estimator="mlr"``) in the validation: invariance steps, result tables, JSON, summary, report.

The statistics themselves are pinned to lavaan in tests/test_sem_mlr.py; here the
invariance steps are checked against the same lavaan reference (lavTestLRT's scaled
difference tests, tests/fixtures/sem_mlr.json) and the validation result is checked
to carry and show the robust figures.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from analysis.report.i18n import Texts
from analysis.validation.invariance import invariance_steps
from analysis.validation.validation import validate
from instrument import load_instrument, read_responses
from sem_fixture_data import HS_MODEL

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"


@lru_cache(maxsize=None)
def reference() -> dict:
    return json.loads((FIXTURES / "sem_mlr.json").read_text())


def test_invariance_steps_use_the_scaled_difference_tests_and_robust_indices():
    data = pd.read_csv(FIXTURES / "sem_holzinger_missing.csv")
    res = invariance_steps(HS_MODEL, data, "school", estimator="mlr")
    table = res.table.set_index("level")
    for step in ("metric", "scalar"):
        ref = reference()["difference"][f"hsm_{step}"]
        row = table.loc[step]
        assert row["delta_chi2"] == pytest.approx(ref["satorra_bentler_2001"]["chi2"], rel=0.01)
        assert row["delta_pvalue"] == pytest.approx(ref["satorra_bentler_2001"]["pvalue"], abs=1e-3)
        assert row["delta_chi2_sb2010"] == pytest.approx(ref["satorra_bentler_2010"]["chi2"], rel=0.01)
        fit = reference()["fits"][f"hsm_{step}"]["fit"]
        previous = reference()["fits"][f"hsm_{'configural' if step == 'metric' else 'metric'}"]["fit"]
        assert row["cfi_robust"] == pytest.approx(fit["cfi.robust"], abs=1e-3)
        assert row["delta_cfi"] == pytest.approx(fit["cfi.robust"] - previous["cfi.robust"], abs=2e-3)
        assert row["chi2_scaled"] == pytest.approx(fit["chisq.scaled"], rel=0.01)
    ml = invariance_steps(HS_MODEL, data, "school").table
    assert ml["estimator"].eq("ml").all() and ml["chi2_scaled"].isna().all()
    assert ml["delta_chi2"].iloc[1] == pytest.approx(ml["chi2"].iloc[1] - ml["chi2"].iloc[0])


@pytest.fixture(scope="module")
def result():
    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    return validate(data.head(400), inst, estimator="mlr", invariance=False), inst


def test_validation_result_carries_and_shows_the_robust_figures(result):
    val, _ = result
    assert val.estimator == "mlr"
    fit = val.fit.iloc[0]
    f = val.groups["all"].fit
    assert f.estimator == "mlr" and fit["chi2_scaled"] == f.chi2_scaled
    assert math.isfinite(f.scaling_factor) and f.scaling_factor > 0
    assert fit["cfi_ok"] == (f.cfi_robust >= 0.95)      # the verdict judges the robust CFI
    doc = json.loads(json.dumps(val.to_dict(), allow_nan=False))
    assert doc["meta"]["estimator"] == "mlr"
    assert {"chi2_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"} <= set(doc["groups"]["all"]["fit"])
    text = str(val.summary())
    assert "estimator: robust ML (MLR)" in text and "chi2_scaled" in text
    assert "CFI (robust)" in repr(val)


@pytest.mark.parametrize("lang, word", [("en", "robust maximum likelihood"), ("nl", "robuuste maximum likelihood")])
def test_report_texts_name_the_estimator(lang, word):
    t = Texts(lang)
    assert word in t("validation.estimator", estimator=t("estimator.mlr"))
    assert t("validation.fit_note_mlr")
