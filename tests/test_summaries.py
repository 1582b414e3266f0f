"""Every result a notebook user meets shows tables (issue 18, point 5 'Jupyter').

``summary()`` returns :class:`analysis.common.display.Summary`: aligned text when
printed, HTML in Jupyter (``_repr_html_``), never a ``str`` full of literal ``\\n``.
"""
from __future__ import annotations

import pytest

from analysis.common.display import Summary
from analysis.drivers.analyse import analyse_drivers
from analysis.scoring.scores import keyed_items
from analysis.validation.discriminant import htmt
from analysis.validation.reliability import cronbach_alpha


def _check(result, *fragments):
    summary = result.summary()
    assert isinstance(summary, Summary), type(result)
    text = str(summary)
    assert "\\n" not in text and text == repr(summary)
    for fragment in fragments:
        assert fragment in text, fragment
        assert fragment in summary                      # Summary supports 'in' like the text it prints
    page = result._repr_html_()
    assert page.startswith("<") and ("<table" in page or "<pre" in page)
    return text


def test_the_driver_analysis_parts(example):
    res = example.analysis
    _check(res.regressions["all"], "OLS of 'satisfaction'", "HC3")
    _check(res.importances["all"], "Relative importance for 'satisfaction'", "reliability")
    _check(res.dominances["all"], "Dominance analysis", "General dominance", "Pairwise designations")
    _check(res.bootstrap, "Bootstrap of driver importance", "LMG share of R² (%)")
    _check(res.priorities, "Importance-performance analysis", "concentrate here")
    text = _check(res.structural, "Structural model (FIML)", "Paths (driver -> outcome)")
    assert "Energie" in text


def test_the_validation_parts(example, inst):
    val = example.validation
    _check(val.invariance, "Measurement invariance", "configural", "holds:")
    items = keyed_items(example.data, inst)
    constructs = {c.key: c.item_ids for c in inst.constructs if c.key in ("reliability", "empathy", "satisfaction")}
    _check(htmt(items, constructs), "HTMT", "reliability - empathy")
    whole = val.groups["all"]
    _check(whole.htmt, "HTMT")
    _check(whole.fornell_larcker, "Fornell-Larcker", "verdict")
    _check(cronbach_alpha(items[inst.construct("empathy").item_ids]), "alpha = ", "items")


def test_a_sem_fit_and_the_quality_report(example):
    fit = next(m for m in example.analysis.structural.models.values() if m is not None)
    _check(fit, "Comparative Fit Index (CFI)", "Latent Variables:")
    _check(example.quality, "Data quality:", "usable")


def test_the_pooled_result(example, inst):
    res = analyse_drivers(example.data, inst, bootstrap=20, seed=1, sem=False, pooling="partial")
    _check(res.pooling, "Pooling: partial", "Organisations", "Own-data LMG share")
