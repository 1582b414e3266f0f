"""The SEM step of the driver analysis with robust ML (``estimator="mlr"``)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analysis.drivers.sem import fit_structural
from instrument import load_instrument, read_responses

EXAMPLE = Path(__file__).parents[1] / "data" / "example" / "responses.csv"


@pytest.fixture(scope="module")
def example():
    inst = load_instrument()
    data, _ = read_responses(EXAMPLE, inst)
    return inst, data.head(500)


def _fit(example, estimator):
    inst, data = example
    return fit_structural(data, inst, data["organisation"].to_numpy(), [], drivers=list(inst.driver_keys),
                          outcome="satisfaction", whole_sample="all", estimator=estimator)


def test_structural_model_with_mlr_has_sandwich_ses_and_robust_fit(example):
    ml, mlr = _fit(example, "ml"), _fit(example, "mlr")
    assert np.allclose(ml.paths["est"], mlr.paths["est"])
    assert not np.allclose(ml.paths["se"], mlr.paths["se"])
    model = mlr.models["all"]
    assert model.information_ == "observed" and model.fit_.estimator == "mlr"
    fit = mlr.fit.set_index("group").loc["all"]
    assert fit["estimator"] == "mlr" and fit["chi2_scaled"] == pytest.approx(model.fit_.chi2_scaled)
    assert fit["cfi_robust"] == model.fit_.cfi_robust and math.isfinite(fit["rmsea_robust"])
    assert ml.fit.set_index("group").loc["all", "estimator"] == "ml"
    assert math.isnan(ml.fit.set_index("group").loc["all", "chi2_scaled"])
