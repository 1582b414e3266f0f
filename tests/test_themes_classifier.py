"""The supervised part of the theme coder (analysis/themes/classifier.py): training, the vote, determinism."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.common.errors import OptionError
from analysis.themes.classifier import (LEXICON_WEIGHT, THRESHOLD, code_texts, code_with_model, combine, load_model,
                                        probabilities, train_model, training_material)
from analysis.themes.lexicon import THEMES

WAIT, EMPATHY, MENU = (THEMES.index(t) for t in ("wait_time", "empathy", "menu"))


def _probs(**values):
    p = np.zeros((1, len(THEMES)))
    for theme, value in values.items():
        p[0, THEMES.index(theme)] = value
    return p


def test_vote_classifier_alone_needs_the_threshold():
    found = [({}, "complaint")]
    assert combine(found, _probs(wait_time=THRESHOLD), np.array([1])) == [({"wait_time": "complaint"}, "complaint")]
    assert combine(found, _probs(wait_time=THRESHOLD - .01), np.array([1])) == [({}, "complaint")]


def test_vote_keeps_a_lexicon_find_unless_the_classifier_rejects_it():
    found = [({"price": "complaint"}, "complaint")]
    low = THRESHOLD - LEXICON_WEIGHT
    assert combine(found, _probs(price=low), np.array([0]))[0][0] == {"price": "complaint"}
    # the lexicon's polarity stands; with the theme dropped, the answer has no judged theme
    assert combine(found, _probs(price=low - .01), np.array([0])) == [({}, "complaint")]


def test_polarity_of_a_theme_only_the_classifier_found():
    # the lexicon's answer polarity when it is praise or complaint ...
    assert combine([({}, "praise")], _probs(empathy=.9), np.array([-1]))[0] == ({"empathy": "praise"}, "praise")
    # ... else the sentiment regression's sign
    assert combine([({"menu": "praise", "wait_time": "complaint"}, "mixed")], _probs(menu=.9, wait_time=.9, empathy=.9),
                   np.array([-1]))[0] == ({"empathy": "complaint", "wait_time": "complaint", "menu": "praise"}, "mixed")
    assert combine([({}, "neutral")], _probs(empathy=.9), np.array([1]))[0] == ({"empathy": "praise"}, "praise")


def test_train_model_learns_a_toy_theme_and_is_deterministic():
    texts = ["lang in de wacht", "heel lang wachten", "wachttijd te lang", "vriendelijke medewerker",
             "aardige dame", "vriendelijk geholpen"] * 3
    labels = [{"wait_time": "complaint"}] * 3 + [{"empathy": "praise"}] * 3
    labels = labels * 3
    model = train_model(texts, labels, "nl")
    p = probabilities(model, ["veel te lang in de wacht gestaan", "een vriendelijke meneer"])
    assert p[0, WAIT] > .5 > p[0, EMPATHY] and p[1, EMPATHY] > .5 > p[1, WAIT]
    assert model.themes[MENU] is None                       # never labelled: never coded
    again = probabilities(train_model(texts, labels, "nl"), ["veel te lang in de wacht gestaan"])
    np.testing.assert_array_equal(p[:1], again)


def test_training_material_is_the_shipped_answers_and_the_phrase_bank():
    for lang in ("nl", "en"):
        texts, labels, polarity = training_material(lang)
        assert len(texts) == len(labels) == len(polarity) > 1200
        assert {t for lab in labels for t in lab} == set(THEMES)
        assert set(polarity) <= {"praise", "complaint", "mixed", "neutral"}


@pytest.mark.parametrize("lang,text,themes", [
    ("nl", "ze zouden terugbellen maar dat is nooit gebeurd", {"customer_focus": "complaint"}),
    ("nl", "De medewerker was heel vriendelijk. Maar ik hing veel te lang in de wacht.",
     {"empathy": "praise", "wait_time": "complaint"}),
    ("en", "I had to tell my whole story again", {"customer_knowledge": "complaint"}),
    ("en", "Not unfriendly, decent enough", {"empathy": "praise"}),
])
def test_shipped_coder(lang, text, themes):
    assert code_texts([text], lang)[0][0] == themes


def test_shipped_coder_on_empty_and_generic_answers():
    assert code_texts(["", "Top!", "n.v.t."], "nl") == [({}, "neutral"), ({}, "praise"), ({}, "neutral")]
    assert code_texts([], "en") == []
    with pytest.raises(OptionError, match="language"):
        code_texts(["x"], "fr")


def test_shipped_model_is_deterministic_and_cached():
    assert load_model("en") is load_model("en")
    texts = ["waited ages on hold", "the agent was rude", "bill went up again"]
    assert code_with_model(texts, load_model("en")) == code_texts(texts, "en")
    texts_nl, labels, polarity = training_material("nl")
    a = probabilities(train_model(texts_nl, labels, "nl", polarity), texts_nl[:50])
    np.testing.assert_array_equal(a, probabilities(load_model("nl"), texts_nl[:50]))


def test_a_theme_the_lexicon_left_unjudged_takes_the_answers_judgement():
    # 'neutral' from the lexicon means no judging word was found; the guide keeps neutral for facts and wishes
    assert combine([({"channel": "neutral"}, "neutral")], _probs(channel=.9), np.array([-1]))[0] == (
        {"channel": "complaint"}, "complaint")
    assert combine([({"channel": "neutral", "empathy": "praise"}, "praise")], _probs(channel=.9, empathy=.9),
                   np.array([-1]))[0] == ({"empathy": "praise", "channel": "praise"}, "praise")
