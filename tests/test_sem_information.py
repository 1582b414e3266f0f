"""The FIML information chained to the parameters (issue 15, third pass of the SEM's CPU).

* :func:`analysis.sem.fiml.information_in_parameters` folds the Gram product straight to the
  distinct covariance entries: it must equal ``J' I J`` formed from the full moment-space
  information of :func:`analysis.sem.fiml.pattern_information`.
* The observed information's second-order term is analytic: the whole observed information
  must equal the numerical Hessian of ``-logL`` (central differences of the analytic gradient).
* ``SEM.fit(fmi=False)`` leaves the fraction of missing information out and nothing else.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.sem import SEM
from analysis.sem.estimate import Objective
from analysis.sem.fiml import information_in_parameters, pattern_factors, pattern_information

MODEL = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\ny ~ f1 + f2"


def _data(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 2)) @ np.linalg.cholesky(np.array([[1.0, 0.4], [0.4, 1.0]])).T
    x = np.repeat(f, 3, axis=1) * np.array([1.0, 0.8, 0.7, 1.0, 0.9, 0.6]) + 0.6 * rng.standard_normal((n, 6))
    y = 0.5 * f[:, 0] - 0.3 * f[:, 1] + 0.7 * rng.standard_normal(n)
    frame = pd.DataFrame(np.column_stack([x, y]) + 3.0, columns=[f"x{i}" for i in range(1, 7)] + ["y"])
    frame = frame.mask(rng.random(frame.shape) < 0.15)             # 15% missing at random, many patterns
    return frame


@pytest.fixture(scope="module")
def fitted():
    return SEM(MODEL).fit(_data(), missing="ml")


def _objective(model: SEM) -> Objective:
    g = model._groups[0]
    return Objective(model._ram, [g.batches], [g.n], [g.mean])


@pytest.mark.parametrize("observed", [False, True])
def test_folded_information_equals_the_sandwich_of_the_full_one(fitted, observed):
    obj = _objective(fitted)
    (sigma, mu), = obj.moments(fitted._theta)
    batches = fitted._groups[0].batches
    d_mu, d_sigma, _ = obj.model.moment_jacobian(fitted._theta, 0)
    full = pattern_information(sigma, mu, batches, observed=observed)
    expected = d_sigma.T @ full["ss"] @ d_sigma
    cross = d_mu.T @ full["ms"] @ d_sigma
    expected = expected + cross + cross.T + d_mu.T @ full["mm"] @ d_mu
    got = information_in_parameters(sigma, mu, batches, observed, d_mu, d_sigma, True,
                                    factors=pattern_factors(sigma, batches))
    assert len(batches) > 3                                            # really several patterns
    np.testing.assert_allclose(got, 0.5 * (expected + expected.T), rtol=1e-10, atol=1e-8 * np.abs(expected).max())


def test_observed_information_is_the_hessian_of_minus_loglik(fitted):
    obj = _objective(fitted)
    theta = fitted._theta
    info = obj.information(theta, observed=True) / obj.N
    q = len(theta)
    hessian = np.empty((q, q))
    for k in range(q):
        step = 1e-5 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        hessian[:, k] = (obj.value_grad(up)[1] - obj.value_grad(down)[1]) / (2 * step)
    hessian = 0.5 * (hessian + hessian.T)
    np.testing.assert_allclose(info, hessian, rtol=1e-5, atol=1e-7 * np.abs(hessian).max())
    # the analytic second-order term matters here: without it the matrix is not the Hessian
    obj.value_grad(theta)
    G, gmu, _ = obj._last_grad[1][0]
    ids = np.unique(obj.model.slots[0].theta[obj.model.slots[0].theta >= 0])
    second = obj._second_order(theta, 0, ids, G, gmu) / obj.N
    assert np.abs(second).max() > 1e-3 * np.abs(hessian).max()
    assert not np.allclose(info - second, hessian, rtol=1e-5, atol=1e-7 * np.abs(hessian).max())


def test_fmi_false_leaves_out_only_the_fmi(fitted):
    lean = SEM(MODEL).fit(_data(), missing="ml", fmi=False)
    assert fitted.params_.loc[fitted.params_.free, "fmi"].notna().all()
    assert lean.params_.fmi.isna().all()
    columns = [c for c in fitted.params_.columns if c != "fmi"]
    pd.testing.assert_frame_equal(lean.params_[columns], fitted.params_[columns])
    assert lean.fit_ == fitted.fit_


def _counted_fit(monkeypatch, data: pd.DataFrame, contraction: float | None = None) -> tuple[SEM, list]:
    """A FIML fit of ``MODEL``, with the kinds of the informations it evaluated."""
    import analysis.sem.estimate as estimate

    calls: list = []
    evaluate = Objective.information

    def counted(self, theta, observed):
        if len(self.batches[0]) > 1 or self.batches[0][0].idx.shape[0] > 1:    # the FIML objective, not the warm start's
            calls.append("observed" if observed else "expected")
        return evaluate(self, theta, observed)

    monkeypatch.setattr(Objective, "information", counted)
    if contraction is not None:
        monkeypatch.setattr(estimate, "CHORD_CONTRACTION", contraction)
    model = SEM(MODEL).fit(data, missing="ml")
    monkeypatch.undo()
    return model, calls


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_chord_steps_save_informations_and_change_no_estimate(monkeypatch, seed):
    # Close to the optimum the observed information is kept while the steps contract
    # (estimate.fisher_scoring): from the warm start one information to step with and one
    # at the estimates (for the standard errors); without chord steps (a contraction no
    # decrement can meet) a fresh one at every step
    data = _data(seed=seed)
    chord, chord_calls = _counted_fit(monkeypatch, data)
    fresh, fresh_calls = _counted_fit(monkeypatch, data, contraction=0.0)
    assert chord_calls == ["observed", "observed"]
    assert len(fresh_calls) >= 3
    assert chord.converged_ and fresh.converged_
    a, b = chord.params_, fresh.params_
    np.testing.assert_allclose(a["est"], b["est"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-6, atol=0)
    assert chord.fit_.chi2 == pytest.approx(fresh.fit_.chi2, abs=1e-8)
