"""Partial pooling with an organisation that has no phone respondents (issue 12).

A web shop served by chat and e-mail only is not asked wait time or the phone menu. It
used to switch pooling off for every organisation; now the five drivers asked in every
channel are pooled across all organisations (the web shop gets its figures on those,
as with ``pooling='none'``), and the organisations with phone respondents are pooled
among themselves on all seven drivers.
"""
from __future__ import annotations

import json
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
    assert "pooled across all groups of 'organisation'" in meta["reason"] and SHOP in meta["reason"]
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
    assert "pooled across all groups of 'organisation'" in flat


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
