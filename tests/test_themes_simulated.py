"""The theme coder recovers the themes the simulator wrote into the open answers.

``drivers simulate`` writes each answer from a phrase bank about the respondent's
strongest and/or weakest driver and, in a share of the answers, one sentence about price,
product, outcome or channel (:mod:`analysis.simulation.text`); the truth lists, per theme
and polarity, the answers written about it. The coder (language detected per answer) must
find every planted theme with recall and precision of at least :data:`FLOOR` and the
planted polarity in at least :data:`FLOOR` of the hits.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.simulation.simulate import simulate_study
from analysis.simulation.text import OTHER_THEME_SHARE, OTHER_THEMES
from analysis.themes.analyse import code_themes
from analysis.themes.evaluate import theme_scores
from analysis.themes.lexicon import DRIVER_THEMES

FLOOR = .85


@pytest.fixture(scope="module")
def recovered(inst):
    study = simulate_study(inst, n_per_org=400, seed=31, truth_draws=0)
    planted = study.truth["sample"]["planted"]["themes"]
    frame = study.responses
    answered = frame[frame["why"].notna() & (frame["why"] != "None")]
    coded = code_themes(answered, inst).set_index("respondent_id")
    truth = {rid: {} for rid in coded.index}
    for theme, by_polarity in planted.items():
        for polarity, ids in by_polarity.items():
            for rid in ids:
                truth[rid][theme] = polarity
    found = [{t: coded.at[rid, t] for t in (*DRIVER_THEMES, *OTHER_THEMES)
              if isinstance(coded.at[rid, t], str) and coded.at[rid, t]} for rid in coded.index]
    return planted, theme_scores([truth[rid] for rid in coded.index], found)


def test_the_simulator_writes_non_driver_themes_in_the_planted_share(recovered):
    planted, _ = recovered
    judged = {rid for t in DRIVER_THEMES for ids in planted[t].values() for rid in ids}
    other = {rid for t in OTHER_THEMES for ids in planted[t].values() for rid in ids}
    assert other <= judged
    assert abs(len(other) / len(judged) - OTHER_THEME_SHARE) < .05
    for theme in OTHER_THEMES:
        assert len(planted[theme]["praise"]) >= 20 and len(planted[theme]["complaint"]) >= 20, theme


@pytest.mark.parametrize("theme", [*OTHER_THEMES, *DRIVER_THEMES])
def test_the_coder_recovers_each_planted_theme(recovered, theme):
    scores = recovered[1].set_index("theme").loc[theme]
    assert scores["support"] >= 40
    assert scores["recall"] >= FLOOR, dict(scores)
    assert scores["precision"] >= FLOOR, dict(scores)
    assert scores["polarity_agreement"] >= FLOOR, dict(scores)
