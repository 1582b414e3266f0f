"""The executive summary's headline over every combination of quadrants, in both languages (issue 18, point 1).

The rows come from :func:`analysis.drivers.priorities.importance_performance` with the
cross-hairs at the scale midpoint and equal shares, which can produce every
combination of quadrants that can occur (at least one driver always weighs at least
an equal share, so 'low priority' and 'possible overkill' never occur alone).
"""
from __future__ import annotations

from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.drivers.priorities import CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL, QUADRANTS, importance_performance
from analysis.report.headline import headline
from analysis.report.i18n import Texts

IMPORTANT = {CONCENTRATE, KEEP_UP}
PERFORMING = {KEEP_UP, OVERKILL}
COMBINATIONS = [set(c) for k in range(1, 5) for c in combinations(QUADRANTS, k) if IMPORTANT & set(c)]
WORDS = {"en": {"act": "Concentrate here", "none": "No driver is in", "maintain": "Maintain:",
                "less": "Matters less for now:", "overserved": "Possibly more than needed:",
                "above": "scores above", "equal": "scores as high as", "below": "scores below"},
         "nl": {"act": "Hier verbeteren", "none": "Geen enkele driver", "maintain": "Vasthouden:",
                "less": "Minder belangrijk voor nu:", "overserved": "Mogelijk meer dan nodig:",
                "above": "scoort hoger dan", "equal": "scoort even hoog als", "below": "scoort lager dan"}}
OTHER_KEY = {KEEP_UP: "maintain", LOW_PRIORITY: "less", OVERKILL: "overserved"}


def study(quadrants: set[str], performance: dict | None = None, seed: int = 0):
    """Rows, group row and settings of a group with two drivers in each quadrant of ``quadrants``."""
    drivers = [(f"{q.split()[0]}_{i}", q) for q in sorted(quadrants) for i in (1, 2)]
    p = len(drivers)
    less = any(q not in IMPORTANT for _, q in drivers)
    # shares: important drivers above 1/p, the others below (all equal when every driver is important)
    imp = pd.Series({d: (1.0 + 0.1 * i if less else 1.0) if q in IMPORTANT else 0.3 + 0.05 * i
                     for i, (d, q) in enumerate(drivers)})
    perf = pd.Series({d: (70.0 + i if q in PERFORMING else 30.0 - i) for i, (d, q) in enumerate(drivers)})
    if performance:
        perf.update(pd.Series(performance))
    rng = np.random.default_rng(seed)
    res = importance_performance(imp, perf, scale=(0, 100), crosshair="midpoint",
                                 importance_replicates=imp.to_numpy() * rng.uniform(0.9, 1.1, (200, p)),
                                 performance_replicates=perf.to_numpy() + rng.normal(0, 1, (200, p)), n=500)
    tab = res.table
    rows = pd.DataFrame({"driver": tab.driver, "quadrant": tab.quadrant, "priority": tab.priority_rank,
                         "priority_ci_low": tab.priority_rank_ci_low, "priority_ci_high": tab.priority_rank_ci_high,
                         "performance": tab.performance, "performance_ci_low": tab.performance_ci_low,
                         "performance_ci_high": tab.performance_ci_high, "importance_share": tab.importance,
                         "lmg_pct": tab.importance, "ci_low": tab.importance_ci_low, "ci_high": tab.importance_ci_high})
    ch = res.crosshairs.iloc[0]
    g = SimpleNamespace(crosshair_importance=ch.importance, crosshair_performance=ch.performance,
                        unstable_ranks=False, n_used=500)
    settings = SimpleNamespace(importance="lmg", crosshair="midpoint", n_resamples=1000)
    return rows, g, settings


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("quadrants", COMBINATIONS, ids=lambda c: "+".join(sorted(q.split()[0] for q in c)))
def test_headline_acts_on_concentrate_here_only_and_names_the_rest_apart(quadrants, lang):
    rows, g, settings = study(quadrants)
    assert set(rows.quadrant) == quadrants              # the fixture produces the combination it names
    t, w = Texts(lang), WORDS[lang]
    h = headline(rows, g, settings, str.upper, t)
    ordered = rows.sort_values("priority")
    act = ordered[ordered.quadrant == CONCENTRATE]
    if len(act):
        assert h.intro.startswith(w["act"])
        assert [d.driver for d in h.top] == list(act.driver)
        for d in h.top:
            assert w["below"] in d.why and w["above"] not in d.why
        listed = set(ordered.driver) - set(act.driver)
    else:
        # none to act on: said so, and the driver ranked first shown with its intervals
        assert h.intro.startswith(w["none"])
        first = ordered.iloc[0]
        assert [d.driver for d in h.top] == [first.driver]
        assert t.interval(first.performance_ci_low, first.performance_ci_high) in h.top[0].figures
        assert t.rank_interval(first.priority_ci_low, first.priority_ci_high) in h.top[0].figures
        listed = set(ordered.driver) - {first.driver}
    # the others, each in its own words, once
    expected = {OTHER_KEY[q] for q in quadrants - {CONCENTRATE} if (rows[rows.driver.isin(listed)].quadrant == q).any()}
    said = {key for key in OTHER_KEY.values() for line in h.others if line.startswith(w[key])}
    assert said == expected and len(h.others) == len(expected)
    for line in h.others:
        key = next(k for k in OTHER_KEY.values() if line.startswith(w[k]))
        quadrant = next(q for q, k in OTHER_KEY.items() if k == key)
        named = {d for d in rows.driver if d.upper() in line}
        assert named == set(rows.driver[(rows.quadrant == quadrant) & rows.driver.isin(listed)])
    assert not any(d.upper() in line for d in act.driver for line in h.others)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figures_that_round_alike_are_shown_with_a_decimal(lang):
    # 50.3 is above the cross-hair (50) but rounds to 50: the card shows '50.3 against 50.0'
    # and says 'above', so that words and figures agree (never 'above (50 against 50)')
    rows, g, settings = study({CONCENTRATE, KEEP_UP}, performance={"keep_1": 50.3})
    assert rows.set_index("driver").quadrant["keep_1"] == KEEP_UP
    t, w = Texts(lang), WORDS[lang]
    # make keep_1 the driver ranked first among the rest by removing the concentrate drivers
    rest = rows[rows.quadrant == KEEP_UP].copy()
    rest["priority"] = rest.priority.rank().astype(int)
    h = headline(rest, g, settings, str.upper, t)
    assert h.top[0].driver == "keep_1"
    assert w["above"] in h.top[0].why and w["equal"] not in h.top[0].why
    assert f"({t.num(50.3, 1)} " in h.top[0].why and f" {t.num(50, 1)})" in h.top[0].why


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_driver_just_below_the_crosshair_is_never_called_as_high_as(lang):
    # 49.7 rounds to the cross-hair's 50 but is below it: 'concentrate here' in the summary,
    # so the card must say 'below' with the decimal that shows it (the audit's case: 63 against 63)
    rows, g, settings = study({CONCENTRATE, KEEP_UP}, performance={"concentrate_1": 49.7})
    assert rows.set_index("driver").quadrant["concentrate_1"] == CONCENTRATE
    t, w = Texts(lang), WORDS[lang]
    h = headline(rows, g, settings, str.upper, t)
    card = next(c for c in h.top if c.driver == "concentrate_1")
    assert w["below"] in card.why and w["equal"] not in card.why
    assert f"({t.num(49.7, 1)} " in card.why


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_equal_figures_are_called_equal(lang):
    rows, g, settings = study({CONCENTRATE, KEEP_UP}, performance={"keep_1": 50.0})
    t, w = Texts(lang), WORDS[lang]
    rest = rows[rows.quadrant == KEEP_UP].copy()
    rest["priority"] = rest.priority.rank().astype(int)
    h = headline(rest, g, settings, str.upper, t)
    assert h.top[0].driver == "keep_1"
    assert w["equal"] in h.top[0].why and f"({t.num(50)} " in h.top[0].why


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_rule_is_stated_in_the_method_appendix(lang):
    t = Texts(lang)
    text = t("method.quadrants", k="seven", crosshair="x")
    for q in QUADRANTS:
        assert t("quadrant." + q).lower() in text.lower()
    assert "100 − " in text
