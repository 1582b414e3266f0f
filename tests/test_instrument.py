"""The shipped questionnaire definition and the schema that guards it."""
from pathlib import Path

import pytest
import yaml

from instrument import InstrumentError, load_instrument
from instrument.definition import DEFAULT_PATH

SEVEN_DRIVERS = [
    "reliability", "empathy", "customer_focus", "customer_knowledge",
    "wait_time", "accessibility", "menu",
]


def test_seven_drivers_with_four_items_each(inst):
    assert inst.driver_keys == SEVEN_DRIVERS
    assert all(len(c.items) == 4 for c in inst.drivers)
    assert inst.outcome_construct.key == "satisfaction"
    assert len(inst.outcome_construct.items) == 3
    assert len(inst.items) == 31


def test_every_text_is_in_dutch_and_english(inst):
    assert inst.languages == ["nl", "en"]
    for var in inst.variables:
        for text in (var.label, var.text):
            if text is not None:
                assert set(text) == {"nl", "en"}, var.id
                assert all(t.strip() for t in text.values()), var.id
    # the Dutch text is the source, not a copy of the English one
    assert inst.item("emp1").text["nl"] != inst.item("emp1").text["en"]


def test_not_applicable_is_a_declared_code_off_the_scale(inst):
    scale = inst.scale("agree7")
    assert scale.codes == [1, 2, 3, 4, 5, 6, 7]
    assert scale.na_code == 99
    assert all(p.label["nl"] and p.label["en"] for p in scale.points)


def test_phone_items_are_the_menu_and_wait_time_items(inst):
    phone_only = {i.id for i in inst.items if i.channels == ["phone"]}
    expected = set(inst.construct("menu").item_ids) | set(inst.construct("wait_time").item_ids)
    assert phone_only == expected


def test_outcome_measures(inst):
    assert inst.question_for("nps").scale == "likely11"
    assert inst.scale("likely11").codes == list(range(11))
    assert inst.scale("satisfied5").codes == [1, 2, 3, 4, 5]
    assert [c.key for c in inst.choices("fcr")] == ["yes", "partly", "no"]
    assert [c.key for c in inst.choices("channel")] == ["phone", "email", "chat", "messaging", "social"]
    order = [v.id for v in inst.variables]
    assert order.index("why") > max(order.index(k) for k in ("csat", "nps", "ces", "fcr"))


def test_versions_and_platform_codes(inst):
    assert inst.format_version == 1
    assert inst.content_version.count(".") == 2
    codes = [v.code for v in inst.variables]
    assert len(set(c.lower() for c in codes)) == len(codes)
    assert all(c[0].isalpha() and c.isalnum() for c in codes)


def test_model_syntax_lists_every_item(inst):
    syntax = inst.model_syntax()
    for item in inst.item_ids:
        assert item in syntax
    assert syntax.splitlines()[0] == "reliability =~ rel1 + rel2 + rel3 + rel4"


# --- a bad definition file gets a message naming the item and the field -----------

def _write_modified(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda r: r["constructs"][0]["items"][2]["text"].pop("en"),
         "item 'rel3', field 'text': missing text in en"),
        (lambda r: r["constructs"][1]["items"][0].__setitem__("scale", "agree5"),
         "item 'emp1', field 'scale': unknown scale 'agree5'"),
        (lambda r: r["constructs"][1]["items"][0].__setitem__("colour", "red"),
         "item 'emp1', field 'colour': Extra inputs are not permitted"),
        (lambda r: r["constructs"][2]["items"][1].__setitem__("id", "cfo1"),
         "item 'cfo1' (construct 'customer_focus', item 2): id 'cfo1' is already used by item 'cfo1' (construct 'customer_focus', item 1)"),
        (lambda r: r["constructs"][4]["items"][0].__setitem__("channels", ["fax"]),
         "item 'wai1', field 'channels': unknown channel 'fax'"),
        (lambda r: r["scales"]["agree7"]["not_applicable"].__setitem__("code", 4),
         "scale 'agree7', field 'not_applicable.code': 4 lies on the scale"),
        (lambda r: r.__setitem__("format_version", 7),
         "field 'format_version'"),
        (lambda r: r["questions"][1].__setitem__("id", "2csat"),
         "question '2csat', field 'id': String should match pattern"),
    ],
)
def test_bad_definition_names_item_and_field(tmp_path, change, expected):
    path = _write_modified(tmp_path, change)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    assert str(err.value).startswith(str(path))
    assert expected in str(err.value)


def test_missing_and_unparsable_files(tmp_path):
    with pytest.raises(InstrumentError, match="no such file"):
        load_instrument(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("scales: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid YAML"):
        load_instrument(broken)


def test_questionnaire_that_is_not_utf8_or_is_a_folder(tmp_path, run_cli):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(DEFAULT_PATH.read_text(encoding="utf-8").encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))
    with pytest.raises(InstrumentError, match=r"latin1\.yaml: not UTF-8 \(byte 0xe9 on line \d+\); save it as UTF-8"):
        load_instrument(latin1)
    with pytest.raises(InstrumentError, match=r": is a folder; give the questionnaire YAML file"):
        load_instrument(tmp_path)
    res = run_cli("info", "--instrument", tmp_path)
    assert res.exit_code == 1 and res.stderr.startswith("error: ") and "is a folder" in res.stderr
    assert "Traceback" not in res.stderr
