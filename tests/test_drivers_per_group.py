"""Each group on the drivers that apply to it (issue 18: ``--by channel`` with the default drivers).

Grouped by channel, the chat, e-mail, messaging and social groups have no answer to the
phone-only drivers (wait time, menu): they are analysed on the five other drivers, the
phone group on all seven, the whole sample on the five that apply everywhere, and every
output says so.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.report.blocks import Paragraph
from analysis.report.content import report_content
from analysis.report.scope import StudyResults
from analysis.validation.validation import validate
from cli_results import ok
from instrument import read_responses
from report_fixtures import SAV

PHONE_ONLY = ("wait_time", "menu")


@pytest.fixture(scope="module")
def by_channel(inst):
    data, quality = read_responses(SAV, inst)
    return data, quality, analyse_drivers(data, inst, by="channel", bootstrap=50, seed=1, sem=False)


def test_each_channel_is_analysed_on_the_drivers_that_apply_to_it(by_channel, inst):
    _, _, res = by_channel
    five = tuple(d for d in inst.driver_keys if d not in PHONE_ONLY)
    assert res.settings.drivers == tuple(inst.driver_keys)
    assert res.settings.drivers_of("phone") == tuple(inst.driver_keys)
    for group in ("chat", "email", "messaging", "social", "all"):
        assert res.settings.drivers_of(group) == five
        assert tuple(res.group(group).sort_values("driver").driver) == tuple(sorted(five))
        assert res.group(group).lmg_pct.sum() == pytest.approx(100)
    assert set(res.group("phone").driver) == set(inst.driver_keys)
    # chat respondents are used (before: none, as they had no phone-only scores)
    groups = res.groups.set_index("group")
    assert groups.n_used["chat"] > 150 and groups.n_used["phone"] > 400
    assert not res.excluded.code.eq("not_asked").any()
    # groups on different drivers are not compared with each other
    d = res.differences
    assert len(d) and not (d.group.eq("phone") | d.versus.eq("phone")).any()


def test_it_is_said_in_the_warnings_the_summary_and_the_json(by_channel):
    _, _, res = by_channel
    kinds = res.warnings.set_index("kind")
    note = kinds.message["drivers_per_group"]
    assert "'chat', 'email', 'messaging', 'social' without Wait time, Phone menu" in note
    left_out = res.warnings[res.warnings.kind == "drivers_left_out"]
    assert set(left_out.group) == {"chat", "email", "messaging", "social"}
    assert (left_out.severity == "note").all()
    assert "drivers that apply to it" in str(res.summary())
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert doc["meta"]["group_drivers"]["chat"] == list(res.settings.drivers_of("chat"))
    assert "wait_time" not in doc["groups"]["chat"]["drivers"] and "menu" in doc["groups"]["phone"]["drivers"]


def test_explicit_drivers_are_kept_for_every_group(by_channel, inst):
    data, _, _ = by_channel
    res = analyse_drivers(data, inst, by="organisation", bootstrap=20, seed=1, sem=False)
    assert res.settings.group_drivers == () and "drivers_per_group" not in set(res.warnings.kind)


@pytest.mark.parametrize("lang, group_text, study_text", [
    ("en", "are not analysed here", "do not apply to all channels"),
    ("nl", "worden hier niet geanalyseerd", "zijn niet op alle kanalen van toepassing"),
])
def test_the_report_says_so_in_its_language(by_channel, inst, lang, group_text, study_text):
    data, quality, res = by_channel
    results = StudyResults(analysis=res, validation=validate(data, inst, by="channel", invariance=False),
                           quality=quality, inst=inst, source="responses.sav")
    paragraphs = lambda c: [b.text for s in c.sections for b in s.blocks if isinstance(b, Paragraph)]  # noqa: E731
    chat = paragraphs(report_content(results, "chat", lang, "x"))
    label = inst.construct("wait_time").label[lang]
    assert any(group_text in p and label in p for p in chat)
    assert any(study_text in p for p in paragraphs(report_content(results, "all", lang, "study")))
    assert not any(group_text in p for p in paragraphs(report_content(results, "phone", lang, "x")))


def test_cli_analyse_by_channel_with_the_defaults(run_cli):
    out = ok(run_cli("analyse", SAV, "--by", "channel", "--bootstrap", "20", "--seed", "1", "--no-sem"))
    assert "note: [chat] analysed on 5 drivers, without Wait time, Phone menu" in out


def test_partial_pooling_by_channel_is_not_used_and_says_why(by_channel, inst):
    # partial pooling borrows between groups asked the same drivers; the channels are not
    # (wait time and menu on the phone only): each channel is analysed on its own drivers,
    # without pooling, and the result says so instead of stopping
    from analysis.drivers.pooled import pooling_sentence

    data, _, _ = by_channel
    res = analyse_drivers(data, inst, by="channel", bootstrap=20, seed=1, sem=False, pooling="partial")
    plain = analyse_drivers(data, inst, by="channel", bootstrap=20, seed=1, sem=False, pooling="none")
    assert (res.settings.pooling, res.settings.pooling_used) == ("partial", "none")
    pd.testing.assert_frame_equal(res.importance, plain.importance)
    note = res.warnings[res.warnings.kind == "no_pooling"].message
    assert len(note) == 1 and "asked different drivers" in note.iloc[0] and "phone: 7 drivers" in note.iloc[0]
    assert pooling_sentence(res).startswith("No pooling: the groups of 'channel' are asked different drivers")
    assert res.to_dict()["meta"]["pooling"]["used"] == "none"
