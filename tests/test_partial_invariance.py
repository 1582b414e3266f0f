"""The partial-invariance search (invariance_steps(partial=True), validate(partial=True)).

Reference: tests/fixtures/partial_invariance.json, written by
tests/fixtures/r/partial_invariance.R (lavaan 0.6-14 doing the same stepwise search
on tests/fixtures/partial_invariance.csv, made by tests/fixtures/partial_invariance_data.py
with a planted non-invariant cfo3 intercept in 'Telecom'); R is not needed here.
Chi-squares to 0.01 relative, score statistics to 1%.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from analysis.common.errors import OptionError
from analysis.sem import SEM
from analysis.validation.invariance import invariance_steps
from analysis.validation.partial import COMPARABILITY_COLUMNS, PARTIAL_COLUMNS, comparability
from instrument import load_instrument
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL

FIXTURES = Path(__file__).parent / "fixtures"
CHI2_REL = 0.01
STAT_REL = 0.01


@lru_cache(maxsize=None)
def reference() -> dict:
    return json.loads((FIXTURES / "partial_invariance.json").read_text())


@lru_cache(maxsize=None)
def searched():
    data = pd.read_csv(FIXTURES / "partial_invariance.csv")
    return invariance_steps(load_instrument().model_syntax(), data, "organisation", partial=True)


def _close(ours, lavaan, rel):
    return abs(ours - lavaan) <= rel * max(1.0, abs(lavaan))


def test_levels_match_lavaan():
    res, ref = searched(), reference()
    for row in res.table.itertuples():
        assert _close(row.chi2, ref["levels"][row.level]["chisq"], CHI2_REL), row.level
        assert row.df == ref["levels"][row.level]["df"]


def test_released_sequence_and_fits_match_lavaan():
    res, ref = searched(), reference()
    steps = res.partial
    assert list(steps.columns) == list(PARTIAL_COLUMNS)
    assert len(steps) == len(ref["steps"]) >= 1
    for ours, theirs in zip(steps.to_dict("records"), ref["steps"]):
        released = (ours["item"], "=~" if ours["parameter"] == "loading" else "~1", ours["group"])
        lavaan = (theirs["rhs"] if theirs["op"] == "=~" else theirs["lhs"], theirs["op"], theirs["group"])
        assert released == lavaan
        assert ours["level"] == theirs["level"] and ours["step"] == theirs["step"]
        assert _close(ours["score_chi2"], theirs["score_chi2"], STAT_REL)
        assert _close(ours["chi2"], theirs["chisq"], CHI2_REL) and ours["df"] == theirs["df"]
        assert abs(ours["cfi"] - theirs["cfi"]) < 1e-3
    assert steps["holds"].iloc[-1] and res.stops == {"scalar": "holds"}


def _score_map(frame) -> dict:
    return {(r["lhs"], r["op"], r["rhs"], r["group"]): r["chi2"] for r in frame.to_dict("records")}


@pytest.mark.parametrize("which", ["scalar_1", "final"])
def test_every_score_test_matches_lavaan(which):
    res, ref = searched(), reference()
    fit = res.fits["scalar"] if which == "scalar_1" else res.partial_fits["scalar"]
    ours = _score_map(fit.score_tests().univariate)
    theirs = _score_map(pd.DataFrame(ref["score_tests"][which]))
    assert set(ours) == set(theirs)
    bad = {k: (ours[k], theirs[k]) for k in theirs if not _close(ours[k], theirs[k], STAT_REL)}
    assert not bad


def test_planted_intercept_is_the_one_released():
    steps = searched().partial
    first = steps.iloc[0]
    assert (first["construct"], first["item"], first["parameter"], first["group"]) == \
        ("customer_focus", "cfo3", "intercept", "Telecom")
    assert first["epc"] > 0             # planted: more agreement at the same latent score


def test_comparability_per_factor():
    comp = searched().comparability
    assert list(comp.columns) == list(COMPARABILITY_COLUMNS)
    cfo = comp.set_index("construct").loc["customer_focus"]
    assert (cfo.invariant_loadings, cfo.invariant_intercepts) == (4, 3)
    assert cfo.freed == "cfo3 intercept (Telecom)" and bool(cfo.means_comparable)


def test_comparability_needs_two_invariant_items():
    items = {"f": ["a", "b", "c"], "g": ["d", "e", "h"]}
    released = [("a~1", "G2"), ("b~1", "G3"), ("g=~e", "G2"), ("g=~h", "G2")]
    comp = comparability(items, released, True, True).set_index("construct")
    assert comp.loc["f", "invariant_intercepts"] == 1 and not comp.loc["f", "means_comparable"]
    assert bool(comp.loc["f", "relations_comparable"])
    assert comp.loc["g", "invariant_loadings"] == 1 and not comp.loc["g", "relations_comparable"]
    assert not comp.loc["g", "means_comparable"]
    untested = comparability(items, [], True, None)
    assert untested["means_comparable"].isna().all()
    failed = comparability(items, [], False, False)
    assert not failed["relations_comparable"].any() and not failed["means_comparable"].any()


def test_release_in_one_group_frees_that_copy_only():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    both = SEM(HS_MODEL).fit(data, group="school", group_equal=["loadings", "intercepts"],
                             group_partial=["x3~1"], missing="listwise")
    one = SEM(HS_MODEL).fit(data, group="school", group_equal=["loadings", "intercepts"],
                            group_partial=[("x3~1", "Grant-White")], missing="listwise")
    # with two groups releasing the one constraint is lavaan's group.partial
    assert abs(both.fit_.chi2 - one.fit_.chi2) < 1e-6 and both.fit_.df == one.fit_.df
    three = pd.concat([data, data.assign(school="Copy")], ignore_index=True)
    fit = SEM(HS_MODEL).fit(three, group="school", group_equal=["loadings", "intercepts"],
                            group_partial=[("x3~1", "Copy")], missing="listwise")
    p = fit.params_
    x3 = p[(p.lhs == "x3") & (p.op == "~1")].set_index("group")["est"]
    x2 = p[(p.lhs == "x2") & (p.op == "~1")].set_index("group")["est"]
    assert x2.nunique() == 1 and x3["Pasteur"] == x3["Grant-White"] != x3["Copy"]
    with pytest.raises(ModelError, match="unknown group 'Nowhere'"):
        SEM(HS_MODEL).fit(data, group="school", group_equal=["intercepts"],
                          group_partial=[("x3~1", "Nowhere")], missing="listwise")


def test_without_failure_nothing_is_released():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    res = invariance_steps(HS_MODEL, data, "school", levels=("configural", "metric"), missing="listwise",
                           partial=True)
    assert res.table["holds"].iloc[-1] and res.partial.empty and res.stops == {}


def test_max_free_stops_the_search():
    data = pd.read_csv(FIXTURES / "sem_holzinger.csv")
    res = invariance_steps(HS_MODEL, data, "school", missing="listwise", partial=True, max_free=1)
    assert len(res.partial) == 1 and res.stops == {"scalar": "max_free"}
    assert res.partial.iloc[0]["item"] == "x3" and not res.partial.iloc[0]["holds"]
    assert res.final_holds("scalar") is False
    assert not res.comparability["means_comparable"].any()


def test_max_free_is_a_declared_option():
    from analysis.validation.validation import validate

    with pytest.raises(OptionError, match="max_free must be a whole number from 1 to 50"):
        validate(pd.DataFrame(), load_instrument(), max_free=0)


PLANTED = {"Verzekeraar": {"emp3": -1.0}}


@pytest.fixture(scope="module")
def planted_study(tmp_path_factory):
    """A simulated study with one planted non-invariant intercept, as a response file."""
    from analysis.simulation import simulate_study

    study = simulate_study(load_instrument(), n_orgs=3, n_per_org=350, seed=5, truth_draws=0,
                           item_shifts=PLANTED)
    path = tmp_path_factory.mktemp("planted") / "study.csv"
    study.responses.to_csv(path, index=False)
    return study, path


@pytest.fixture(scope="module")
def planted_validation(planted_study):
    from analysis.validation.validation import validate
    from instrument import read_responses

    inst = load_instrument()
    data, _ = read_responses(planted_study[1], inst)
    return validate(data, inst, by="organisation", partial=True)


def test_simulated_planted_intercept_is_recovered(planted_study, planted_validation):
    study, val = planted_study[0], planted_validation
    assert study.truth["organisations"]["Verzekeraar"]["item_shifts"] == {"emp3": -1.0}
    assert "item_shifts" not in study.truth["organisations"]["Energie"]
    first = val.partial_invariance.iloc[0]
    assert (first["item"], first["parameter"], first["group"]) == ("emp3", "intercept", "Verzekeraar")
    assert first["epc"] < 0 and val.invariance.final_holds("scalar")
    assert val.misfit.iloc[0]["item"] == "emp3"            # also the largest score test of the scalar model
    assert val.to_dict()["partial_invariance"]["steps"][0]["item"] == "emp3"
    text = str(val.summary())
    assert "Partial invariance" in text and "Comparable across groups" in text


def test_cli_validate_partial_at_80_columns(run_cli, planted_study, monkeypatch):
    from analysis.cli.app import console

    monkeypatch.setattr(console, "width", 80)
    res = run_cli("validate", planted_study[1], "--by", "organisation", "--partial", "--max-free", "3")
    assert res.exit_code == 0, res.stderr
    for heading in ("Constraints most responsible for misfit", "Partial invariance", "Comparable across groups",
                    "scalar: search stopped (holds)"):
        assert heading in res.stdout
    part = res.stdout.split("Partial invariance")[1].splitlines()
    assert any(line.split()[:4] == ["scalar", "emp3", "intercept", "Verzekeraar"] for line in part)
    assert "…" not in res.stdout and max(len(line) for line in res.stdout.splitlines()) <= 80


def test_cli_max_free_out_of_range_is_a_usage_error(run_cli, planted_study):
    from cli_results import failed

    failed(run_cli("validate", planted_study[1], "--by", "organisation", "--partial", "--max-free", "0"), 2,
           "max_free must be a whole number from 1 to 50")


def test_simulation_rejects_unknown_planted_item():
    from analysis.common.errors import ServiceDriversError
    from analysis.simulation import simulate_study

    with pytest.raises(ServiceDriversError, match="'xyz' is not an item"):
        simulate_study(load_instrument(), n_orgs=2, n_per_org=20, truth_draws=0, item_shifts={"Telecom": {"xyz": 1}})
    with pytest.raises(ServiceDriversError, match="unknown organisation"):
        simulate_study(load_instrument(), n_orgs=2, n_per_org=20, truth_draws=0, item_shifts={"Bank": {"emp1": 1}})


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_tables_in_both_languages(planted_validation, lang):
    from analysis.report.appendix import _partial_blocks
    from analysis.report.i18n import Texts

    t = Texts(lang)
    inst = load_instrument()
    construct = {c.key: c.label[lang] for c in inst.constructs}
    blocks = {b.name: b for b in _partial_blocks(planted_validation, t, construct)}
    assert list(blocks) == ["misfit", "partial", "comparable"]
    assert blocks["misfit"].title == t("validation.misfit") and blocks["misfit"].rows[0]["item"] == "emp3"
    step = blocks["partial"].rows[0]
    assert (step["item"], step["parameter_label"], step["group"]) == ("emp3", t("param.intercept"), "Verzekeraar")
    assert step["level_label"] == t("invariance.scalar")
    emp = next(r for r in blocks["comparable"].rows if r["construct"] == "empathy")
    assert emp["construct_label"] == construct["empathy"] and emp["invariant_intercepts"] == 3
    assert emp["means_comparable"] is True
    for block in blocks.values():                  # every header and note translated, no key left
        assert all(not c.header.startswith(("col.", "param.")) for c in block.columns)
        assert "{" not in block.note and "validation." not in block.note
