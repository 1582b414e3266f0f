"""analysis.validation.invariance: the invariance table against lavaan (via the JSON fixtures of
tests/fixtures/r/sem_*.R) and the Cheung & Rensvold / Chen decision rules."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from analysis.sem import SEM
from analysis.validation.invariance import LEVELS, TABLE_COLUMNS, invariance_steps
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL, SURVEY_MODEL

FIXTURES = Path(__file__).parent / "fixtures"


def lavaan(name: str) -> dict:
    return json.loads((FIXTURES / f"sem_{name}.json").read_text())


def assert_table_matches(table: pd.DataFrame, ref: dict) -> None:
    keys = {"chi2": "chisq", "df": "df", "pvalue": "pvalue", "cfi": "cfi", "tli": "tli",
            "rmsea": "rmsea", "srmr": "srmr"}
    assert len(table) >= 2 and set(table.level) <= set(ref)      # the loops below compare something
    for row in table.itertuples():
        fit = ref[row.level]["fit"]
        for ours, theirs in keys.items():
            tol = 1e-3 if ours == "chi2" else 1e-4
            assert getattr(row, ours) == pytest.approx(fit[theirs], abs=tol), (row.level, ours)
    for prev, row in zip(table.itertuples(), list(table.itertuples())[1:]):
        a, b = ref[prev.level]["fit"], ref[row.level]["fit"]
        assert row.delta_chi2 == pytest.approx(b["chisq"] - a["chisq"], abs=1e-3)
        assert row.delta_df == b["df"] - a["df"]
        assert row.delta_pvalue == pytest.approx(stats.chi2.sf(b["chisq"] - a["chisq"], b["df"] - a["df"]),
                                                 abs=1e-4)
        assert row.delta_cfi == pytest.approx(b["cfi"] - a["cfi"], abs=1e-4)
        assert row.delta_rmsea == pytest.approx(b["rmsea"] - a["rmsea"], abs=1e-4)
        assert row.delta_srmr == pytest.approx(b["srmr"] - a["srmr"], abs=1e-4)


def test_holzinger_steps_match_lavaan_and_published_values():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    res = invariance_steps(HS_MODEL, data, "school", levels=("configural", "metric", "scalar", "means"),
                           missing="listwise")
    table = res.table
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table.level.tolist() == ["configural", "metric", "scalar", "means"]
    assert [(round(c, 3), d) for c, d in zip(table.chi2, table.df)] == \
        [(115.851, 48), (124.044, 54), (164.103, 60), (204.605, 63)]
    assert_table_matches(table, lavaan("holzinger"))
    # first level has nothing to compare with
    assert math.isnan(table.delta_chi2[0]) and pd.isna(table.holds[0])
    # metric: CFI drops by .002 -> holds; scalar: drops by .038 -> does not
    assert table.holds.tolist()[1:] == [True, False, False]
    assert table.chen_srmr[1] and not table.chen_srmr[2]       # .030 for metric, .010 for scalar
    assert set(res.fits) == {"configural", "metric", "scalar", "means"}
    assert isinstance(res.fits["scalar"], SEM) and res.fits["scalar"].fit_.df == 60
    assert "Cheung & Rensvold 2002" in res.summary() and "<table" in res._repr_html_()


def test_holzinger_fiml_steps_match_lavaan():
    data = pd.read_csv(FIXTURES / "sem_holzinger_missing.csv")
    res = invariance_steps(HS_MODEL, data, "school")
    assert_table_matches(res.table, lavaan("holzinger_missing"))
    assert all(f.missing_ == "ml" for f in res.fits.values())


def test_survey_fiml_steps_match_lavaan():
    data = pd.read_csv(FIXTURES / "sem_survey.csv")
    res = invariance_steps(SURVEY_MODEL, data, "site")
    assert_table_matches(res.table, lavaan("survey"))
    assert res.table.converged.all()


def test_partial_invariance_and_strict_level():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    res = invariance_steps(HS_MODEL, data, "school", levels=("scalar",), missing="listwise",
                           group_partial=("x3~1", "x7~1"))
    assert res.table.chi2[0] == pytest.approx(lavaan("holzinger")["scalar_partial"]["fit"]["chisq"], abs=1e-3)
    res = invariance_steps(HS_MODEL, data, "school", levels=("scalar", "strict"), missing="listwise")
    assert res.table.chi2[1] == pytest.approx(lavaan("holzinger")["strict"]["fit"]["chisq"], abs=1e-3)
    assert LEVELS["strict"] == ("loadings", "intercepts", "residuals")


def test_holds_is_missing_when_a_fit_did_not_converge():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    res = invariance_steps(HS_MODEL, data, "school", missing="listwise", max_iter=2)
    assert not res.table.converged.any()
    assert res.table.holds.isna().all() and res.table.chen_rmsea.isna().all()
    assert "nonconvergence" in res.summary()


@pytest.mark.parametrize("levels, message", [
    (("configural", "weak"), "unknown invariance level"),
    ((), "unknown invariance level"),
    (("scalar", "metric"), "does not add constraints"),
    (("strict", "means"), "does not add constraints"),
])
def test_bad_levels_raise(levels, message):
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    with pytest.raises(ModelError, match=message):
        invariance_steps(HS_MODEL, data, "school", levels=levels)


def test_one_group_is_an_error_not_invariance():
    """Finding 5: with one group nothing is compared, so nothing can 'hold'."""
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    one = data[data.school == "Pasteur"]
    with pytest.raises(ModelError, match="the group column 'school' has 1 group"):
        invariance_steps(HS_MODEL, one, "school", missing="listwise")
    with pytest.raises(ModelError, match="has 0 group"):
        invariance_steps(HS_MODEL, data.assign(school=None), "school", missing="listwise")


def test_holds_is_missing_when_a_level_adds_no_constraint():
    """Finding 5: every loading exempted from 'metric' leaves delta_df = 0: nothing was tested."""
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    free = ("visual=~x2", "visual=~x3", "textual=~x5", "textual=~x6", "speed=~x8", "speed=~x9")
    res = invariance_steps(HS_MODEL, data, "school", levels=("configural", "metric"), missing="listwise",
                           group_partial=free)
    assert res.table.delta_df[1] == 0
    assert pd.isna(res.table.holds[1]) and pd.isna(res.table.chen_rmsea[1]) and pd.isna(res.table.chen_srmr[1])
