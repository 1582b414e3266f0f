"""FIML from pattern statistics (analysis.sem.patterns) equals FIML from the rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.common.errors import ModelError
from analysis.sem import SEM, fiml
from analysis.sem.data import group_from_values
from analysis.sem.patterns import pattern_statistics

MODEL = "f1 =~ x1 + x2 + x3 + x4\nf2 =~ x5 + x6 + x7\ny ~ f1 + f2"
NAMES = ("x1", "x2", "x3", "x4", "x5", "x6", "x7", "y")


def _data(n=900, seed=5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lat = rng.normal(size=(n, 2)) @ np.linalg.cholesky(np.array([[1.0, 0.4], [0.4, 1.0]])).T
    lam = np.array([[1, 0], [0.8, 0], [0.7, 0], [0.9, 0], [0, 1], [0, 0.8], [0, 0.6]], dtype=float)
    X = 3 + lat @ lam.T + 0.6 * rng.normal(size=(n, 7))
    y = 2 + lat @ np.array([0.5, 0.3]) + 0.7 * rng.normal(size=n)
    Y = np.column_stack([X, y])
    Y[rng.random(Y.shape) < 0.07] = np.nan
    Y[: n // 3, 4:7] = np.nan                      # a block missing by design (like phone-only items)
    Y[5] = np.nan                                  # a respondent with nothing observed
    frame = pd.DataFrame(Y, columns=list(NAMES))
    frame["site"] = np.where(np.arange(n) % 3 == 0, "a", np.where(np.arange(n) % 3 == 1, "b", "c"))
    return frame


def _batch_stats(group):
    out = {}
    for b in group.batches:
        for i in range(len(b.n)):
            out[tuple(b.idx[i])] = (b.n[i], b.ybar[i], b.cov[i])
    return out


def _same_group(a, b):
    assert (a.n, a.n_empty, a.n_patterns, a.complete) == (b.n, b.n_empty, b.n_patterns, b.complete)
    sa, sb = _batch_stats(a), _batch_stats(b)
    assert sa.keys() == sb.keys()
    for key in sa:
        assert sa[key][0] == sb[key][0]
        np.testing.assert_allclose(sa[key][1], sb[key][1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(sa[key][2], sb[key][2], rtol=0, atol=1e-12)
    for field in ("mean", "coverage", "observed_share", "n_available", "var_available"):
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=0, atol=1e-12)


def test_statistics_of_groups_and_whole_sample_equal_those_of_their_rows():
    frame = _data()
    Y = frame[list(NAMES)].to_numpy()
    codes = pd.Categorical(frame.site, categories=["a", "b", "c"]).codes
    groups, whole = pattern_statistics(Y, codes, ["a", "b", "c"], NAMES)
    for k, label in enumerate("abc"):
        rows = Y[codes == k]
        empty = np.isnan(rows).all(axis=1)
        _same_group(groups[label].group, group_from_values(rows[~empty], n_empty=int(empty.sum())))
    empty = np.isnan(Y).all(axis=1)
    _same_group(whole.group, group_from_values(Y[~empty], n_empty=int(empty.sum())))
    assert whole.group.n_empty == 1 and sum(groups[g].group.n_empty for g in "abc") == 1
    # rows in no fitted group (index -1) still count for the whole sample
    only_ab, whole_ab = pattern_statistics(Y, np.where(codes == 2, -1, codes), ["a", "b"], NAMES)
    _same_group(whole_ab.group, whole.group)
    _same_group(only_ab["a"].group, groups["a"].group)


def test_fit_from_statistics_equals_casewise_fiml():
    frame = _data()
    Y = frame[list(NAMES)].to_numpy()
    codes = pd.Categorical(frame.site, categories=["a", "b", "c"]).codes
    groups, whole = pattern_statistics(Y, codes, ["a", "b", "c"], NAMES)
    for stats, rows in ((groups["b"], frame[frame.site == "b"]), (whole, frame)):
        fast = SEM(MODEL).fit(stats, missing="ml")
        slow = SEM(MODEL).fit(rows[list(NAMES)], missing="ml")
        assert fast.converged_ and slow.converged_
        assert fast.fit_.n_obs == slow.fit_.n_obs and fast.n_patterns_ == slow.n_patterns_
        for col in ("est", "se", "std_all", "std_se", "fmi"):
            np.testing.assert_allclose(fast.params_[col], slow.params_[col], rtol=1e-7, atol=1e-9)
        for k in ("chi2", "cfi", "tli", "rmsea", "srmr", "loglik"):
            assert getattr(fast.fit_, k) == pytest.approx(getattr(slow.fit_, k), rel=1e-8, abs=1e-10)
        assert [p.kind for p in fast.problems_] == [p.kind for p in slow.problems_]


def test_statistics_are_refused_where_the_rows_are_needed():
    frame = _data()
    Y = frame[list(NAMES)].to_numpy().copy()
    groups, _ = pattern_statistics(Y, np.zeros(len(Y), dtype=int), ["all"], NAMES, whole_sample=False)
    with pytest.raises(ModelError, match="mlr"):
        SEM(MODEL).fit(groups["all"], missing="ml", estimator="mlr")
    with pytest.raises(ModelError, match="one group"):
        SEM(MODEL).fit(groups["all"], missing="listwise")
    with pytest.raises(ModelError, match="observed variables"):
        SEM("f1 =~ x1 + x2 + x3").fit(groups["all"], missing="ml")
    Y[:, 0] = np.where(np.isnan(Y[:, 0]), np.nan, 4.0)
    constant, _ = pattern_statistics(Y, np.zeros(len(Y), dtype=int), ["all"], NAMES, whole_sample=False)
    with pytest.raises(ModelError, match="same value"):
        SEM(MODEL).fit(constant["all"], missing="ml")


def test_pattern_inverses_from_the_full_inverse_equal_direct_ones():
    rng = np.random.default_rng(11)
    p = 9
    root = rng.normal(size=(p, p))
    sigma = root @ root.T / p + np.eye(p)
    Y = rng.normal(size=(500, p))
    Y[rng.random(Y.shape) < 0.2] = np.nan
    Y = Y[~np.isnan(Y).all(axis=1)]
    batches = group_from_values(Y).batches
    fast = fiml.pattern_factors(sigma, batches)
    for b, (K, logdet) in zip(batches, fast):
        K_direct, logdet_direct = fiml._factor(sigma, b)
        np.testing.assert_allclose(K, K_direct, rtol=0, atol=1e-11)
        np.testing.assert_allclose(logdet, logdet_direct, rtol=0, atol=1e-11)
    indefinite = sigma - 3.0 * np.eye(p)
    assert fiml.pattern_loglik(indefinite, np.zeros(p), batches) == -np.inf


def test_structural_model_of_the_analysis_equals_the_fit_to_the_rows(inst):
    # drivers analyse fits each organisation and the whole sample from pattern statistics
    from pathlib import Path

    from analysis.drivers.sem import fit_structural, model_data, structural_syntax
    from instrument import read_responses

    data, _ = read_responses(Path(__file__).parents[1] / "data" / "example" / "responses.csv", inst)
    data = data[~data[["flag_straightlining", "flag_too_many_missing", "flag_speeding"]].any(axis=1)]
    groups = data.organisation.to_numpy()
    first = sorted(set(groups))[0]
    fits = fit_structural(data, inst, groups, [first], drivers=inst.driver_keys, outcome="satisfaction")
    syntax = structural_syntax(inst, inst.driver_keys, "satisfaction")
    rows = model_data(data, inst, inst.driver_keys, "satisfaction")
    for label, mask in ((first, groups == first), ("all", np.ones(len(groups), dtype=bool))):
        direct = SEM(syntax).fit(rows[mask], missing="ml")
        fast = fits.models[label]
        assert fast.fit_.n_obs == direct.fit_.n_obs
        np.testing.assert_allclose(fast.params_.est, direct.params_.est, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(fast.params_.se, direct.params_.se, rtol=1e-7, atol=1e-9)
        assert fast.fit_.chi2 == pytest.approx(direct.fit_.chi2, rel=1e-8)


def test_whole_sample_statistics_alone_equal_those_with_the_groups():
    frame = _data()
    Y = frame[list(NAMES)].to_numpy()
    codes = pd.Categorical(frame.site, categories=["a", "b", "c"]).codes
    _, whole = pattern_statistics(Y, codes, ["a", "b", "c"], NAMES)
    none, alone = pattern_statistics(Y, codes, ["a", "b", "c"], NAMES, by_group=False)
    assert none == {}
    _same_group(alone.group, whole.group)


def test_em_log_likelihood_from_the_e_step_equals_the_pattern_log_likelihood():
    # logL = Q - H (missing-information principle): the SQUAREM checks use it instead of pattern_loglik,
    # also for patterns missing more variables than they observe (solved per pattern, not from K)
    from analysis.sem import h1

    frame = _data()
    Y = frame[list(NAMES)].to_numpy().copy()
    Y[10:14, :6] = np.nan                         # patterns with m > k
    Y = Y[~np.isnan(Y).all(axis=1)]
    group = group_from_values(Y)
    fixed = h1._observed_part(group)
    rng = np.random.default_rng(2)
    for _ in range(3):
        root = rng.normal(size=(8, 8)) * 0.3 + np.eye(8)
        sigma, mu = root @ root.T, 3 + rng.normal(size=8)
        _, _, ll = h1._estep(mu, sigma, group, fixed)
        assert ll == pytest.approx(fiml.pattern_loglik(sigma, mu, group.batches), rel=1e-12)
    bad = np.eye(8)
    bad[0, 1] = bad[1, 0] = 2.0                   # not positive definite: -inf and no sums
    assert h1._estep(np.zeros(8), bad, group, fixed) == (None, None, -np.inf)


def test_analysis_rows_option_equals_fitting_the_subset(inst):
    from pathlib import Path

    from analysis.drivers.sem import fit_structural
    from instrument import read_responses

    data, _ = read_responses(Path(__file__).parents[1] / "data" / "example" / "responses.csv", inst)
    rows = ~data[["flag_straightlining", "flag_too_many_missing", "flag_speeding"]].any(axis=1).to_numpy()
    groups = data.organisation.to_numpy()
    labels = sorted(set(groups))[:2]
    kwargs = {"drivers": inst.driver_keys, "outcome": "satisfaction"}
    direct = fit_structural(data[rows], inst, groups[rows], labels, **kwargs)
    masked = fit_structural(data, inst, groups, labels, rows=rows, **kwargs)
    pd.testing.assert_frame_equal(masked.paths, direct.paths, rtol=1e-12)
    pd.testing.assert_frame_equal(masked.fit, direct.fit, rtol=1e-12)
    # the kept models hold no data: estimates and fit yes, modification indices need a refit
    model = masked.models[labels[0]]
    assert model.params_ is not None and np.isfinite(model.fit_.chi2)
    with pytest.raises(ModelError, match="release_data"):
        model.modindices()


def test_a_group_without_any_answer_is_not_estimated(inst):
    # each organisation's task takes its own statistics: one with no answered item must not fail the analysis
    from pathlib import Path

    from analysis.drivers.sem import _model_columns, fit_structural
    from instrument import read_responses

    data, _ = read_responses(Path(__file__).parents[1] / "data" / "example" / "responses.csv", inst)
    groups = data.organisation.to_numpy()
    empty, other = sorted(set(groups))[:2]
    for column in _model_columns(inst, inst.driver_keys, "satisfaction"):
        data[column] = data[column].astype(float).where(groups != empty)
    fits = fit_structural(data, inst, groups, [empty, other], drivers=inst.driver_keys, outcome="satisfaction")
    assert fits.problems[fits.problems.group == empty].kind.tolist() == ["not_estimated"]
    assert fits.fit.set_index("group").loc[empty, "n"] == 0
    assert bool(fits.fit.set_index("group").loc[other, "usable"])


def test_rows_sent_as_answer_codes_are_the_float_rows(inst):
    # the structural models' tasks carry answer codes (int8, analysis.drivers.sem._compact_rows):
    # read back they must be exactly the float rows; a decimal answer keeps the rows float
    from pathlib import Path

    from analysis.drivers.sem import (MISSING_CODE, _compact_rows, _float_rows, _model_array, fit_structural,
                                      structural_syntax)
    from analysis.sem.spec import variable_roles
    from analysis.sem.syntax import parse_syntax
    from instrument import read_responses

    data, _ = read_responses(Path(__file__).parents[1] / "data" / "example" / "responses.csv", inst)
    names = tuple(variable_roles(parse_syntax(structural_syntax(inst, inst.driver_keys, "satisfaction"))).observed)
    rows = ~data[["flag_straightlining", "flag_too_many_missing", "flag_speeding"]].any(axis=1).to_numpy()
    args = (inst, inst.driver_keys, "satisfaction", names, rows)
    floats = _model_array(data, *args)
    codes = _compact_rows(data, *args)
    assert codes.dtype == np.int8 and codes.flags.c_contiguous and (codes == MISSING_CODE).any()
    np.testing.assert_array_equal(_float_rows(codes), floats)          # NaN where missing, in the same places
    assert np.isnan(floats).any()
    decimal = data.copy()
    decimal.loc[decimal.index[rows][0], "rel1"] = 2.5
    kept = _compact_rows(decimal, *args)
    assert kept.dtype == float
    np.testing.assert_array_equal(kept, _model_array(decimal, *args))
    # and the fits are those of the float rows (the groups' tasks and the whole sample's)
    groups = data.organisation.to_numpy()
    labels = sorted(set(groups))[:2]
    kwargs = {"drivers": inst.driver_keys, "outcome": "satisfaction", "rows": rows}
    sent = fit_structural(data, inst, groups, labels, **kwargs)
    first = floats[groups[rows] == labels[0]]
    from analysis.drivers.sem import _fit_group, free_parameters
    syntax = structural_syntax(inst, inst.driver_keys, "satisfaction")
    direct = _fit_group(syntax, first, free_parameters(syntax), labels[0], "satisfaction", tuple(inst.driver_keys))
    pd.testing.assert_frame_equal(sent.paths[sent.paths.group == labels[0]].reset_index(drop=True), direct[2],
                                  check_exact=True)
