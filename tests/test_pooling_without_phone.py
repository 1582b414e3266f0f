"""Partial pooling with an organisation that has no phone respondents (issue 12).

A web shop served by chat and e-mail only is not asked wait time or the phone menu. It
used to switch pooling off for every organisation; now the five drivers asked in every
channel (and the outcome's relation to them) are pooled across all organisations, the
web shop included (it gets its figures on those five), and wait time and menu across
the organisations with phone respondents when there are at least three of them, else
from each one's own phone respondents. The whole study ``'all'`` is on all seven
drivers, from every respondent, and every group says how many respondents of each
channel its figures rest on.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.pooled import pooling_sentence
from cli_results import ok
from instrument import read_responses

CSV = Path(__file__).resolve().parents[1] / "data" / "example" / "responses.csv"
PHONE_ONLY = ("wait_time", "menu")
SHOP = "Webwinkel"


@pytest.fixture(scope="module")
def shop_without_phone(tmp_path_factory):
    """The example study without Webwinkel's phone respondents (channel code 1), as a CSV file."""
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    keep = ~((raw.organisation == SHOP) & (raw.channel == "1"))
    assert (~keep).sum() > 50            # there were phone respondents to drop
    path = tmp_path_factory.mktemp("shop") / "responses.csv"
    raw[keep].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def analyses(shop_without_phone, inst):
    data, _ = read_responses(shop_without_phone, inst)
    run = lambda pooling: analyse_drivers(data, inst, by="organisation", bootstrap=100, seed=1,  # noqa: E731
                                          sem=False, pooling=pooling)
    return run("partial"), run("none")


def test_pooling_is_kept_when_one_organisation_has_no_phone_respondents(analyses, inst):
    res, plain = analyses
    assert (res.settings.pooling, res.settings.pooling_used) == ("partial", "partial")
    assert "no_pooling" not in set(res.warnings.kind)
    five = {d for d in inst.driver_keys if d not in PHONE_ONLY}
    shop = res.group(SHOP).set_index("driver")
    assert set(shop.index) == five                      # its five drivers, as with 'none'
    assert set(plain.group(SHOP).driver) == five
    # pooled: its own data weigh less than 1, the pooled shares differ from its own ones,
    # and its own-data figures are those of 'none'
    assert shop.pooling_weight.between(0, 1, inclusive="neither").all()
    assert not np.allclose(shop.lmg, shop.own_lmg)
    own = plain.group(SHOP).set_index("driver").lmg.reindex(shop.index)
    np.testing.assert_allclose(shop.own_lmg, own, rtol=1e-9)
    # the bootstrap intervals hold the estimate
    assert shop[["lmg_ci_low", "lmg_ci_high"]].notna().all().all()
    assert ((shop.lmg_ci_low <= shop.lmg) & (shop.lmg <= shop.lmg_ci_high)).all()
    assert shop.lmg_pct.sum() == pytest.approx(100)
    # the organisations with phone respondents: every driver, pooled among themselves
    for org in ("Energie", "Telecom", "Verzekeraar"):
        rows = res.group(org).set_index("driver")
        assert set(rows.index) == set(inst.driver_keys)
        assert rows.pooling_weight.between(0, 1, inclusive="neither").all()
        assert rows.lmg_ci_low.notna().all()


def test_it_is_said_in_the_json_and_the_pooling_sentence(analyses):
    res, _ = analyses
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    meta = doc["meta"]["pooling"]
    assert (meta["requested"], meta["used"]) == ("partial", "partial")
    assert "pooled across all 4 groups of 'organisation'" in meta["reason"] and SHOP in meta["reason"]
    assert "across the 3 groups with phone respondents" in meta["reason"]
    shop = doc["groups"][SHOP]
    assert not set(PHONE_ONLY) & set(shop["drivers"])
    assert 0 < shop["pooling"]["weight"] < 1
    assert "menu" in doc["groups"]["Energie"]["drivers"]
    assert "Partial pooling" in pooling_sentence(res)


def test_studies_where_every_organisation_has_phone_respondents_are_unchanged(inst):
    # the split applies only when a group lacks the phone-only drivers: grouped by
    # channel (one phone group) nothing is pooled, as before (tests/test_drivers_per_group.py)
    from analysis.drivers.per_group import groups_with_every_driver

    sets = {"chat": ("reliability",), "phone": ("reliability", "menu")}
    data = pd.DataFrame({"channel": ["1", "3"], "org": ["phone", "chat"]})
    assert groups_with_every_driver(data, inst, "org", sets, ["reliability", "menu"]) is None


def test_cli_pools_with_an_organisation_without_phone_respondents(run_cli, shop_without_phone):
    out = ok(run_cli("analyse", shop_without_phone, "--by", "organisation", "--pooling", "partial",
                     "--bootstrap", "20", "--seed", "1", "--no-sem"))
    flat = " ".join(out.split())
    assert "Partial pooling" in flat and "No pooling" not in flat
    assert "pooled across all 4 groups of 'organisation'" in flat


def test_the_report_is_made_for_every_organisation(analyses, shop_without_phone, inst):
    # 'versus the rest' is left out for the organisations analysed on other drivers than
    # the whole study (before: KeyError 'wait_time', with or without pooling)
    from analysis.report.content import report_content
    from analysis.report.scope import StudyResults
    from analysis.validation.validation import validate

    res, _ = analyses
    data, quality = read_responses(shop_without_phone, inst)
    results = StudyResults(analysis=res, validation=validate(data, inst, by="organisation", invariance=False),
                           quality=quality, inst=inst, source="responses.csv")
    for org in ("Energie", SHOP):
        assert report_content(results, org, "en", "x").sections


# --- the whole study, the respondents per channel, and three organisations of which one is phone-less

TRIO = ("Energie", "Telecom", SHOP)        # two organisations with phone respondents and the web shop


@pytest.fixture(scope="module")
def trio_without_phone(shop_without_phone, tmp_path_factory):
    """Three organisations: Energie and Telecom with phone respondents, Webwinkel without."""
    raw = pd.read_csv(shop_without_phone, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("trio") / "responses.csv"
    raw[raw.organisation.isin(TRIO)].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trio(trio_without_phone, inst):
    data, _ = read_responses(trio_without_phone, inst)
    return analyse_drivers(data, inst, by="organisation", bootstrap=100, seed=1, sem=False, pooling="partial")


def _consistent_whole_study(res, inst):
    """'all' is on all seven drivers, from every respondent the organisations' figures rest on."""
    assert res.settings.drivers_of("all") == tuple(inst.driver_keys)
    assert set(res.group("all").driver) == set(inst.driver_keys)
    groups = res.groups.set_index("group")
    assert groups.n_used["all"] == res.n_used == groups.n_used.drop("all").sum()
    assert groups.n_input["all"] == res.n_input
    # wait time and menu from the phone respondents of the organisations that have them
    assert groups.n_complete["all"] == groups.n_complete.drop("all").sum() > 0 == groups.n_complete[SHOP]
    rows = res.group("all").set_index("driver")
    assert rows.n_driver["menu"] == groups.n_complete["all"] < rows.n_driver["empathy"] == res.n_used
    assert rows.lmg_pct.sum() == pytest.approx(100)
    assert rows.lmg_ci_low.notna().all()


def _by_channel_filled(doc, res):
    """Every group's (and the study's) respondents per channel, summing to its respondents used."""
    groups = res.groups.set_index("group")
    for g, v in doc["groups"].items():
        channels = v["pooling"]["respondents_by_channel"]
        assert channels, g
        assert sum(c["n"] for c in channels.values()) == groups.n_used[g]
        phone = sum(c["n_phone_only"] for c in channels.values())
        assert phone == groups.n_complete[g] == v["n_complete"]
    assert doc["groups"][SHOP]["n_complete"] == 0
    assert doc["groups"][SHOP]["pooling"]["weight_phone_only"] is None
    assert "phone" not in doc["groups"][SHOP]["pooling"]["respondents_by_channel"]
    energie = doc["groups"]["Energie"]["pooling"]["respondents_by_channel"]
    assert energie["phone"]["n"] == energie["phone"]["n_phone_only"] > 0
    assert energie["chat"]["n"] > 0 == energie["chat"]["n_phone_only"]


@pytest.mark.parametrize("which", ["partial", "none"])
def test_the_whole_study_keeps_every_driver_and_every_group_its_channels(analyses, inst, which):
    res = dict(zip(("partial", "none"), analyses))[which]
    _consistent_whole_study(res, inst)
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert doc["meta"]["group_drivers"]["all"] == list(inst.driver_keys)
    assert sorted(doc["groups"]["all"]["drivers"]) == sorted(inst.driver_keys)
    _by_channel_filled(doc, res)


def test_phone_organisations_borrow_the_common_block_from_the_phone_less_one(shop_without_phone, inst):
    # the pooled covariance of the five common drivers and the outcome is the same whether an
    # organisation is analysed on five drivers (all four organisations) or on seven with the
    # web shop lending its respondents: the common block is pooled across all four
    from analysis.drivers.sample import analysis_sample
    from analysis.pooling import pooled_importance

    data, _ = read_responses(shop_without_phone, inst)
    sample = analysis_sample(data, inst, by="organisation", outcome="satisfaction", drivers=list(inst.driver_keys))
    asked = ~sample.excluded.code.astype(str).isin(["flagged", "no_outcome", "missing_score", "no_group"])
    used = sample.used.copy()
    used[np.flatnonzero(~sample.used)[asked.to_numpy()]] = True
    rows = sample.frame.loc[used, ["group", *inst.driver_keys, "satisfaction"]]
    five = [d for d in inst.driver_keys if d not in PHONE_ONLY]
    run = lambda frame, drivers, **kw: pooled_importance(  # noqa: E731
        frame[["group", *drivers, "satisfaction"]], "satisfaction", drivers, group="group", n_resamples=20, seed=1,
        **kw)
    seven = run(rows, list(inst.driver_keys), auxiliary=[SHOP])
    common = run(rows, five)
    alone = run(rows[rows.group != SHOP], list(inst.driver_keys))
    assert list(seven.groups.group) == ["Energie", "Telecom", "Verzekeraar"]        # the web shop is not reported
    assert SHOP not in seven.cov and list(seven.boot.groups.group) == ["Energie", "Telecom", "Verzekeraar"]
    assert SHOP not in seven.boot.replicates and SHOP not in set(seven.boot.estimates.group)
    at = [list(inst.driver_keys).index(d) for d in five] + [len(inst.driver_keys)]
    for org in ("Energie", "Telecom", "Verzekeraar"):
        np.testing.assert_allclose(seven.cov[org][np.ix_(at, at)], common.cov[org], rtol=1e-9)
        # without the web shop the common block is pooled differently
        assert not np.allclose(alone.cov[org][np.ix_(at, at)], common.cov[org], rtol=1e-6)
    np.testing.assert_allclose(seven.groups.weight, common.groups.set_index("group").weight.drop(SHOP), rtol=1e-12)
    # the whole sample: every respondent, wait time and menu from the phone respondents
    assert int(seven.boot.whole.groups.n.iloc[0]) == len(rows)


def test_three_organisations_one_without_phone_pool_the_common_drivers(trio, inst):
    res = trio
    assert (res.settings.pooling, res.settings.pooling_used) == ("partial", "partial")
    assert "no_pooling" not in set(res.warnings.kind)
    groups = res.groups.set_index("group")
    for org in ("Energie", "Telecom"):
        rows = res.group(org).set_index("driver")
        assert set(rows.index) == set(inst.driver_keys)
        # the common drivers pooled across the three, wait time and menu from its own phone respondents
        assert 0 < groups.pooling_weight[org] < 1
        assert groups.pooling_weight_phone_only[org] == 1.0
        assert (rows.pooling_weight[list(PHONE_ONLY)] == 1.0).all()
        assert (rows.drop(list(PHONE_ONLY)).pooling_weight < 1).all()
    assert set(res.group(SHOP).driver) == {d for d in inst.driver_keys if d not in PHONE_ONLY}
    assert 0 < groups.pooling_weight[SHOP] < 1
    _consistent_whole_study(res, inst)
    notes = res.warnings[res.warnings.kind.eq("pooling_per_driver_set")].set_index("group", drop=False)
    assert "from its own phone respondents only" in notes.message["Energie"]
    assert "no phone respondents" in notes.message[SHOP]
    sentence = pooling_sentence(res)
    assert "pooled across all 3 groups" in sentence and "own phone respondents" in sentence


def test_three_organisations_with_pooling_none(trio_without_phone, inst):
    data, _ = read_responses(trio_without_phone, inst)
    res = analyse_drivers(data, inst, by="organisation", bootstrap=50, seed=1, sem=False, pooling="none")
    assert res.settings.pooling_used == "none" and (res.groups.pooling_weight == 1).all()
    _consistent_whole_study(res, inst)
    _by_channel_filled(json.loads(json.dumps(res.to_dict(), allow_nan=False)), res)


def test_cli_json_with_three_organisations(run_cli, trio_without_phone, tmp_path, inst):
    out_json = tmp_path / "trio.json"
    out = ok(run_cli("analyse", trio_without_phone, "--by", "organisation", "--bootstrap", "20", "--seed", "1",
                     "--no-sem", "--json", out_json))
    flat = " ".join(out.split())
    assert "No pooling" not in flat and "pooled across all 3 groups of 'organisation'" in flat
    used = int(re.search(r"(\d+) of \d+ respondents used", flat).group(1))
    assert re.search(rf"all: n = {used} of \d+", flat)
    doc = json.loads(out_json.read_text())
    assert doc["meta"]["pooling"]["used"] == "partial"
    assert doc["meta"]["group_drivers"]["all"] == list(inst.driver_keys)
    assert doc["meta"]["group_drivers"][SHOP] == [d for d in inst.driver_keys if d not in PHONE_ONLY]
    for g in (*TRIO, "all"):
        assert doc["groups"][g]["pooling"]["respondents_by_channel"], g
    assert doc["groups"]["Energie"]["pooling"]["weight_phone_only"] == 1.0
    assert 0 < doc["groups"]["Energie"]["pooling"]["weight"] < 1
    kinds = {(w["group"], w["kind"]) for w in doc["meta"]["warnings"]}
    assert {("Energie", "pooling_per_driver_set"), (SHOP, "pooling_per_driver_set")} <= kinds


def test_help_states_the_rule(run_cli):
    flat = " ".join(ok(run_cli("analyse", "--help")).split())
    flat = re.sub(r"[│╭╮╰╯─]", " ", flat)
    flat = " ".join(flat.split())
    assert "wait time and menu across those with phone respondents if 3+, else from their own" in flat


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_report_says_per_organisation_what_was_pooled(trio, trio_without_phone, inst, lang):
    from analysis.report.content import report_content
    from analysis.report.scope import StudyResults
    from analysis.validation.validation import validate

    data, quality = read_responses(trio_without_phone, inst)
    results = StudyResults(analysis=trio, validation=validate(data, inst, by="organisation", invariance=False),
                           quality=quality, inst=inst, source="responses.csv")
    text = {org: _text(report_content(results, org, lang, "x")) for org in TRIO}
    own, none_ = {"en": ("own phone respondents", "no phone respondents"),
                  "nl": ("eigen telefonische respondenten", "geen telefonische respondenten")}[lang]
    assert own in text["Energie"] and none_ not in text["Energie"]
    assert none_ in text[SHOP]
    # the web shop has no phone-only drivers: no 'rests on the phone respondents' table of them
    assert "respondents_by_channel" in _ids(report_content(results, "Energie", lang, "x"))
    assert "respondents_by_channel" not in _ids(report_content(results, SHOP, lang, "x"))


def _text(content) -> str:
    """Every text of the report (the blocks' reprs hold their paragraphs, notes and cells)."""
    return " ".join(repr(content).split())


def _ids(content) -> set:
    """The names of the report's tables."""
    return {getattr(b, "name", None) for section in content.sections for b in section.blocks}


def test_the_phone_only_factor_can_be_left_unpooled():
    # fewer than three organisations with phone respondents: the phone-only drivers' factor is
    # each organisation's own (weight 1, its own covariance), the common block still pooled
    from analysis.pooling.moments import Blocks, own_covariance, pattern_features, stats_from_sums
    from analysis.pooling.shrinkage import pool_covariances

    rng = np.random.default_rng(3)
    blocks = Blocks(4, np.arange(3), np.arange(3, 4))          # 2 common drivers + outcome, 1 phone-only
    chol = np.linalg.cholesky([[1, .4, .3, .2], [.4, 1, .5, .3], [.3, .5, 1, .4], [.2, .3, .4, 1]])
    sums = []
    for g in range(4):
        values = rng.standard_normal((80, 4)) @ chol.T
        complete = np.arange(80) < (0 if g == 3 else 40)       # the fourth: no phone respondents
        values[~complete, 3] = np.nan
        sums.append(pattern_features(values, complete, blocks, np.zeros(4)).sum(axis=0))
    stats = stats_from_sums(np.array(sums), 80, blocks)
    pooled = pool_covariances(stats, 3)
    own = pool_covariances(stats, 3, pool_phone_only=False)
    for f in ("drivers", "outcome"):                            # the common block: the same either way
        np.testing.assert_array_equal(pooled.weight[f], own.weight[f])
        assert (own.weight[f] < 1).all()
    np.testing.assert_allclose(own.cov[:, :3, :3], pooled.cov[:, :3, :3])
    assert (own.weight["phone_only"][:3] == 1).all() and (pooled.weight["phone_only"][:3] < 1).all()
    mine = own_covariance(stats, 3)
    # the phone-only driver's regression on the common block is the organisation's own
    for k in range(3):
        beta = np.linalg.solve(mine[k, :3, :3], mine[k, :3, 3])
        np.testing.assert_allclose(np.linalg.solve(own.cov[k, :3, :3], own.cov[k, :3, 3]),
                                   np.linalg.solve(own.cov[k, :3, :3], own.cov[k, :3, :3] @ beta), rtol=1e-9)
        assert not np.allclose(np.linalg.solve(pooled.cov[k, :3, :3], pooled.cov[k, :3, 3]), beta, rtol=1e-3)
