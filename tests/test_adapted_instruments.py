"""Adapted questionnaires (issue 18, point 3) through info, simulate, validate, analyse and report.

The questionnaires are under tests/fixtures/instruments/ (made from the shipped one by
make_instruments.py): an item renamed, a driver dropped, an item added, a language added,
and the README's worked example that does the last three at once.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cli_results import failed, ok
from instrument import InstrumentError, load_instrument
from instrument.definition import DEFAULT_PATH, InstrumentWarning
from instrument.description import describe_instrument

ROOT = Path(__file__).parents[1]
INSTRUMENTS = ROOT / "tests" / "fixtures" / "instruments"
EXAMPLE = ROOT / "data" / "example" / "responses.csv"
ADAPTED = ["renamed_item", "dropped_driver", "extra_item", "extra_language"]


@pytest.mark.parametrize("name", ADAPTED)
def test_an_adapted_questionnaire_runs_through_simulate_validate_and_analyse(name, run_cli, tmp_path):
    path = INSTRUMENTS / f"{name}.yaml"
    inst = load_instrument(path)
    lang = "de" if "de" in inst.languages else "nl"
    out = ok(run_cli("info", "--instrument", path, "--lang", lang))
    assert inst.title[lang] in out and inst.short_hash in out
    data = tmp_path / "study.csv"
    ok(run_cli("simulate", "--instrument", path, "--orgs", "1", "--n-per-org", "400", "--seed", "5",
               "--truth-draws", "0", "--lang", lang, "-o", data))
    frame = pd.read_csv(data)
    assert [c for c in frame.columns if c in inst.item_ids] == inst.item_ids        # exactly its items
    truth = json.loads((tmp_path / "study.truth.json").read_text())
    assert truth["drivers"] == inst.driver_keys
    assert truth["generator"]["instrument"]["sha256"] == inst.content_hash
    ok(run_cli("validate", data, "--instrument", path, "--json", tmp_path / "v.json"))
    validation = json.loads((tmp_path / "v.json").read_text())["groups"]["all"]
    assert set(validation["constructs"]) == {c.key for c in inst.constructs}
    assert set(validation["loadings"]) == set(inst.item_ids)
    ok(run_cli("analyse", data, "--instrument", path, "--bootstrap", "50", "--seed", "1", "--json",
               tmp_path / "a.json"))
    analysis = json.loads((tmp_path / "a.json").read_text())["groups"]["all"]
    assert set(analysis["drivers"]) == set(inst.driver_keys)
    ok(run_cli("report", data, "--instrument", path, "--bootstrap", "50", "--seed", "1", "--no-pdf", "--lang", "en",
               "--out", tmp_path / "rep"))
    html = (tmp_path / "rep" / "study.html").read_text(encoding="utf-8")
    assert f"--instrument {path}" in html and inst.content_hash in html


def test_the_simulated_truth_is_recovered_for_an_adapted_questionnaire(tmp_path):
    """Known truth: the top two of a simulated study with the README's questionnaire are the true ones."""
    from analysis import analyse_drivers, simulate_study
    from instrument import read_responses

    inst = load_instrument(INSTRUMENTS / "adapted.yaml")
    study = simulate_study(inst, n_orgs=1, n_per_org=1500, seed=11, truth_draws=0)
    assert "menu" not in study.truth["drivers"] and "emp5" in study.truth["measurement"]["items"]
    path = tmp_path / "s.csv"
    study.responses.to_csv(path, index=False)
    data, _ = read_responses(path, inst)
    result = analyse_drivers(data, inst, bootstrap=50, seed=1, sem=False)
    energie = result.importance.query("group == 'Energie'")
    top = energie.sort_values("rank")["driver"].head(2).tolist()
    assert set(top) == set(study.truth["organisations"]["Energie"]["latent"]["top_two"])


def test_renamed_item_with_the_old_data_is_an_error_naming_the_column_in_every_command(run_cli, tmp_path):
    path = INSTRUMENTS / "renamed_item.yaml"
    res = run_cli("check", EXAMPLE, "--instrument", path)
    message = failed(res, 1, "(reliability: rel_questions)", "does not know: rel1; a renamed item?")
    assert "Data quality:" in res.stdout and "NOT OK" in res.stdout     # the summary still printed
    for command in (["validate"], ["analyse", "--bootstrap", "50"], ["report", "--out", str(tmp_path), "--no-pdf"]):
        failed(run_cli(command[0], EXAMPLE, "--instrument", path, *command[1:]), 1, "(reliability: rel_questions)")
    assert "rel_questions" in message


def test_renamed_item_left_out_on_request_is_reported(run_cli, tmp_path):
    path = INSTRUMENTS / "renamed_item.yaml"
    out = ok(run_cli("check", EXAMPLE, "--instrument", path, "--absent-items", "leave_out"))
    assert "as asked (absent_items='leave_out'): reliability (no column for rel_questions; its column(s) rel2, rel3, " \
           "rel4 are not used)" in " ".join(out.split())


def test_report_with_an_adapted_questionnaire(run_cli, tmp_path):
    path = INSTRUMENTS / "adapted.yaml"
    data = tmp_path / "study.csv"
    ok(run_cli("simulate", "--instrument", path, "--orgs", "2", "--n-per-org", "300", "--seed", "3",
               "--truth-draws", "0", "-o", data))
    ok(run_cli("report", data, "--instrument", path, "--by", "organisation", "--bootstrap", "50", "--seed", "1",
               "--no-pdf", "--out", tmp_path / "rep"))
    html = (tmp_path / "rep" / "study.html").read_text(encoding="utf-8")
    assert "emp5" in html and "men1" not in html


# --- the schema: every problem, undeclared languages ------------------------------------

def _write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_every_schema_problem_is_listed(run_cli, tmp_path):
    def break_many(raw):
        for construct in raw["constructs"]:
            construct["items"][0]["text"].pop("en")        # 8 cross-check problems
    path = _write(tmp_path, break_many)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert len(info.value.problems) == 8 and "(and 7 more problem(s)" in str(info.value)
    res = run_cli("info", "--instrument", path)
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    assert "8 problems in the questionnaire file" in res.stderr
    for item in ("rel1", "emp1", "cfo1", "ckn1", "wai1", "acc1", "men1", "sat1"):
        assert f"item '{item}', field 'text': missing text in en" in res.stderr


def test_every_field_error_is_listed_too(tmp_path):
    def break_fields(raw):
        raw["constructs"][0]["items"][0]["colour"] = "red"
        raw["constructs"][1]["items"][0]["id"] = "1emp"
    with pytest.raises(InstrumentError) as info:
        load_instrument(_write(tmp_path, break_fields))
    problems = " | ".join(info.value.problems)
    assert "field 'colour': Extra inputs are not permitted" in problems and "field 'id'" in problems


def test_texts_in_an_undeclared_language_are_warned_about(run_cli, tmp_path):
    def german_without_declaring(raw):
        raw["title"]["de"] = "Ihre Erfahrung"
        raw["constructs"][0]["label"]["de"] = "Zuverlässigkeit"
    path = _write(tmp_path, german_without_declaring)
    with pytest.warns(InstrumentWarning, match=r"texts in language 'de' \(2 text\(s\), e.g. questionnaire, field "
                                               r"'title'\) are not used: 'de' is not in languages \['nl', 'en'\]"):
        inst = load_instrument(path)
    assert len(inst.warnings) == 1
    res = run_cli("info", "--instrument", path)
    assert res.exit_code == 0 and "warning:" in res.stderr and "'de' is not in languages" in res.stderr


def test_the_shipped_questionnaire_has_no_warnings_and_a_stable_identity():
    inst = load_instrument()
    assert inst.warnings == () and inst.is_shipped and inst.source_file.name == "questionnaire.yaml"
    assert len(inst.content_hash) == 64 and inst.short_hash == inst.content_hash[:12]
    other = load_instrument(INSTRUMENTS / "extra_item.yaml")
    assert not other.is_shipped and other.content_hash != inst.content_hash


# --- the instrument in words --------------------------------------------------------------

@pytest.mark.parametrize("lang, shipped, dropped", [
    ("en", ("the eight-factor measurement model (seven drivers and satisfaction)",
            "(four per driver, three for satisfaction)", "Wait time and Phone menu apply to the Phone channel only"),
     ("the seven-factor measurement model (six drivers and satisfaction)",
      "(Reliability 4, Empathy 5, Customer focus 4, Customer knowledge 4, Wait time 4, Accessibility 4, three for "
      "satisfaction)", "Wait time applies to the Phone channel only")),
    ("nl", ("het meetmodel met acht factoren (zeven drivers en tevredenheid)", "(vier per driver, drie voor tevredenheid)",
            "Wachttijd en Keuzemenu gelden alleen voor het kanaal Telefoon"),
     ("het meetmodel met zeven factoren (zes drivers en tevredenheid)",
      "(Betrouwbaarheid 4, Empathie 5", "Wachttijd geldt alleen voor het kanaal Telefoon")),
])
def test_description_follows_the_instrument(lang, shipped, dropped):
    d = describe_instrument(load_instrument(), lang)
    assert d.measurement_model == shipped[0] and shipped[1] in d.scoring and d.channels == shipped[2]
    a = describe_instrument(load_instrument(INSTRUMENTS / "adapted.yaml"), lang)
    assert a.measurement_model == dropped[0] and dropped[1] in a.scoring and a.channels == dropped[2]
    assert a.items_per_construct["empathy"] == 5 and a.channels_of_driver == {"wait_time": ("phone",)}
    assert a.source.startswith("adapted.yaml (SHA-256 ")
