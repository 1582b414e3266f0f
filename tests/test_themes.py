"""Theme coding of the open answers (analysis/themes): rules, determinism, recovery on simulated data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.common.errors import InstrumentError, OptionError
from analysis.scoring.scores import construct_scores
from analysis.themes.analyse import analyse_themes, code_themes, detect_language
from analysis.themes.coding import code_text
from analysis.themes.lexicon import DRIVER_THEMES, THEMES, build_lexicon, load_lexicon
from analysis.themes.text import compound_head, near_word, osa_distance, stem
from analysis.themes.topics import discover_topics
from instrument import load_instrument, read_responses


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def example(inst):
    data, _ = read_responses("data/example/responses.csv", inst)
    return data


def code(text, lang):
    return code_text(text, load_lexicon(lang))


@pytest.mark.parametrize("lang,text,themes,polarity", [
    ("nl", "Ik hing veel te lang in de wacht", {"wait_time": "complaint"}, "complaint"),
    ("nl", "ik hoefde niet lang in de wacht", {"wait_time": "praise"}, "praise"),            # negation
    ("nl", "De medewerker was heel vriendelijk en luisterde goed", {"empathy": "praise"}, "praise"),
    ("nl", "Het keuzemenu is veel te lang", {"menu": "complaint"}, "complaint"),             # longer match wins
    ("nl", "Prima.", {}, "praise"),
    ("nl", "n.v.t.", {}, "neutral"),
    ("en", "The agent was unfriendly", {"empathy": "complaint"}, "complaint"),
    ("en", "Not unfriendly, decent enough", {"empathy": "praise"}, "praise"),               # double negation
    ("en", "I did not have to repeat my story", {"customer_knowledge": "praise"}, "praise"),
    ("en", "I had to tell my whole story again", {"customer_knowledge": "complaint"}, "complaint"),
])
def test_rules(lang, text, themes, polarity):
    assert code(text, lang) == (themes, polarity)


def test_mixed_answer_and_contrast():
    themes, polarity = code("De medewerker was heel vriendelijk. Maar ik hing veel te lang in de wacht.", "nl")
    assert themes == {"empathy": "praise", "wait_time": "complaint"} and polarity == "mixed"


def test_irony_turns_praise_into_complaint():
    assert code("Lekker snel weer... NOT", "nl")[0] == {"wait_time": "complaint"}
    assert code("Snel geholpen", "nl")[0] == {"wait_time": "praise"}


def test_misspelling_one_edit_away():
    assert osa_distance("wachtijd", "wachttijd") == 1 and osa_distance("freindly", "friendly") == 1
    assert near_word("onvriendelijkk", load_lexicon("nl").vocabulary) == "onvriendelijk"
    assert code("medewerker was onvriendelijkk", "nl")[0] == {"empathy": "complaint"}


def test_near_miss_from_five_letters():
    assert near_word("blnut", load_lexicon("en").vocabulary) == "blunt"      # transposition, five letters
    assert code("the agent was blnut", "en")[0] == {"empathy": "complaint"}
    assert near_word("rdue", load_lexicon("en").vocabulary) is None          # four letters: too short to guess


def test_dutch_compounds_are_read_by_their_head():
    stems = load_lexicon("nl").stems
    assert compound_head(stem("telefoonwachttijd", "nl"), stems) == stem("wachttijd", "nl")
    assert compound_head(stem("verwacht", "nl"), stems) is None             # derivational prefix, no compound
    assert compound_head(stem("onvriendelijk", "nl"), stems) is None        # 'on-' negates: not a kind of friendly
    assert code("De telefoonwachttijd was belachelijk", "nl")[0] == {"wait_time": "complaint"}
    assert code("Dat had ik niet verwacht, top", "nl")[0] == {}


@pytest.mark.parametrize("lang,text,themes", [
    ("nl", "Bellen kost veel te veel geld", {"wait_time": "complaint"}),         # cost of calling: waiting, not price
    ("en", "The opening hours are far too limited", {"accessibility": "complaint"}),  # 'hours' of a multi-word cue
    ("en", "Simple menu for once, got the right person", {"menu": "praise"}),   # generic praise: the menu's
    ("en", "They do not keep their promises", {"customer_focus": "complaint"}),  # negated praise phrase
])
def test_disambiguation(lang, text, themes):
    assert code(text, lang)[0] == themes


def test_stems_join_word_forms():
    assert stem("wachtte", "nl") == stem("wachten", "nl") and stem("waited", "en") == stem("waiting", "en")


def test_empty_and_missing_answers():
    assert code("", "nl") == ({}, "neutral") and code("   ", "en") == ({}, "neutral")


def test_deterministic(example, inst):
    a = code_themes(example.head(300), inst)
    b = code_themes(example.head(300), inst)
    pd.testing.assert_frame_equal(a, b)


def test_language_detection():
    assert detect_language("De wachttijd was echt te lang", "nl") == "nl"
    assert detect_language("The waiting time was far too long", "nl") == "en"
    assert detect_language("Top!", "nl") == "nl"        # no stop word either way: the default


def test_bad_options(example, inst):
    with pytest.raises(OptionError, match="language must be one of auto, nl, en, got 'fr'"):
        code_themes(example, inst, language="fr")
    with pytest.raises(OptionError, match="language"):
        load_lexicon("de")


def test_unquoted_yaml_boolean_in_lexicon_is_refused():
    spec = {"themes": {t: {} for t in THEMES}, "sentiment": {"praise": ["goed"], "complaint": []},
            "negators": [False], "contrast": []}
    with pytest.raises(InstrumentError, match="lexicon_nl.yaml: False is not a phrase; quote it"):
        build_lexicon(spec, "nl")


def test_simulated_complaints_name_the_weakest_driver(example, inst):
    """Known truth: the simulator writes a dissatisfied respondent's complaint about their weakest driver."""
    scores = construct_scores(example, inst)
    drivers = [d for d in inst.driver_keys if d in DRIVER_THEMES]
    values = scores[drivers].to_numpy()
    lowest = np.nanmin(values, axis=1)
    unique = (np.isclose(values, lowest[:, None]).sum(axis=1) == 1)
    weakest = pd.Series(np.array(drivers)[np.nanargmin(np.where(np.isnan(values), np.inf, values), axis=1)],
                        index=example.index)
    sat = scores[inst.outcome_construct.key]
    coded = code_themes(example, inst)
    hit = total = 0
    for i, row in coded.iterrows():
        if pd.isna(sat.at[i]) or not (sat.at[i] <= 3.5 and unique[example.index.get_loc(i)]) or "<" in str(example.at[i, "why"]):
            continue
        complaints = [t for t in DRIVER_THEMES if pd.notna(row[t]) and row[t] == "complaint"]
        total += 1
        hit += weakest.at[i] in complaints
    assert total > 50
    assert hit / total >= 0.85


def test_analyse_themes_tables(example, inst):
    from analysis.drivers.analyse import analyse_drivers
    analysis = analyse_drivers(example, inst, by="organisation", bootstrap=50, seed=3)
    res = analyse_themes(example, inst, analysis=analysis, seed=3)
    groups = set(analysis.group_names) | {"all"}
    assert set(res.frequency.group) == groups
    assert set(res.frequency.theme) == set(THEMES)
    # every respondent is either coded or excluded with a reason
    assert len(res.coded) + len(res.excluded) == len(example)
    assert set(res.excluded.reason) >= {"no open answer"}
    # detractors complain more than promoters
    d = res.by_score[(res.by_score.group == "all")].groupby("nps_group")[["n_complaint", "n_answers"]].sum()
    rate = d.n_complaint / d.n_answers
    assert rate["detractors"] > rate["promoters"]
    # quadrants and quotes
    assert set(res.by_quadrant.group) == groups
    top = analysis.importance[(analysis.importance.group == "all") & (analysis.importance.priority <= 3)]
    quoted = res.quotes[res.quotes.group == "all"]
    assert set(quoted.driver) == set(top.driver)
    assert quoted.groupby("driver").size().max() <= 3
    for q in quoted.itertuples():
        assert res.coded.set_index("respondent_id").at[q.respondent_id, q.driver] == q.polarity
    again = analyse_themes(example, inst, analysis=analysis, seed=3)
    pd.testing.assert_frame_equal(res.quotes, again.quotes)
    assert "Themes of" in str(res) and res.to_dict()["settings"]["by"] == "organisation"


def test_topics_find_a_recurring_unthemed_subject():
    lexicon = load_lexicon("nl")
    texts = ([f"De parkeerplaats bij de winkel was vol, parkeren kostte {i} minuten zoeken" for i in range(15)]
             + [f"Het cadeaupapier en de verpakking van bestelling {i} waren mooi" for i in range(15)])
    topics, assignment = discover_topics(texts, lexicon, seed=1)
    assert len(topics) == 2 and set(assignment) == {1, 2}
    labels = " ".join(topics.label)
    assert "parkeerplaats" in labels or "parkeren" in labels
    assert discover_topics(texts[:5], lexicon)[0].empty
