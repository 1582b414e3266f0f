"""The codebook in its three renderings, checked against the questionnaire definition."""
from __future__ import annotations

import io
import json

import pandas as pd

from instrument.export import codebook, codebook_csv, codebook_json, codebook_markdown


def parse_values(cell: str) -> dict[int, str]:
    """'1=Helemaal mee oneens; 2=...' -> {1: 'Helemaal mee oneens', ...}"""
    out = {}
    for entry in cell.split("; "):
        code, label = entry.split("=", 1)
        out[int(code)] = label
    return out


def test_json_has_versions_and_every_variable(inst):
    book = json.loads(json.dumps(codebook_json(inst), ensure_ascii=False))
    meta = book["instrument"]
    assert (meta["id"], meta["content_version"], meta["format_version"]) == ("ccc-quality", inst.content_version, 1)
    assert [v["id"] for v in book["variables"]] == [v.id for v in inst.variables]
    for entry, var in zip(book["variables"], inst.variables):
        assert entry["code"] == var.code
        assert entry["kind"] == var.kind and entry["type"] == var.type and entry["construct"] == var.construct
        assert entry["label"] == var.label and entry["text"] == var.text
        assert [x["code"] for x in entry["values"]] == (var.valid_codes or [])
        assert entry["na_code"] == var.na_code
        assert entry["reverse"] == var.reverse
        assert entry["channels"] == (list(var.channels) if var.channels else None)
        assert entry["required"] == var.required and entry["personal"] == var.personal


def test_json_value_labels_per_language(inst):
    book = codebook_json(inst)
    rel1 = next(v for v in book["variables"] if v["id"] == "rel1")
    assert rel1["values"][0] == {"code": 1, "label": {"nl": "Helemaal mee oneens", "en": "Strongly disagree"}}
    assert rel1["na_code"] == 99 and rel1["na_label"]["en"] == "Not applicable / don't know"
    channel = next(v for v in book["variables"] if v["id"] == "channel")
    assert channel["values"][0] == {"code": 1, "key": "phone", "label": {"nl": "Telefoon", "en": "Phone"}}
    assert rel1["limesurvey_column"] == "reliability[rel1]" and rel1["qualtrics_column"] == "rel1"
    duration = next(v for v in book["variables"] if v["id"] == "duration_sec")
    assert duration["limesurvey_column"] == "interviewtime"


def test_table_one_row_per_variable(inst):
    df = codebook(inst)
    assert list(df["id"]) == [v.id for v in inst.variables]
    assert df["instrument_id"].eq("ccc-quality").all() and df["content_version"].eq(inst.content_version).all()
    rows = df.set_index("id")
    assert rows.loc["ckn3", "reverse"] and not rows.loc["ckn2", "reverse"]
    assert rows.loc["wai1", "channels"] == "phone" and pd.isna(rows.loc["rel1", "channels"])
    assert rows.loc["rel1", "na_code"] == 99 and pd.isna(rows.loc["sat1", "na_code"])
    assert rows.loc["agent_id", "personal"] and rows.loc["respondent_id", "required"]
    scale = inst.scale("agree7")
    assert parse_values(rows.loc["rel1", "values_nl"]) == {p.code: p.label["nl"] for p in scale.points}
    assert parse_values(rows.loc["nps", "values_en"])[10] == "Extremely likely"
    assert rows.loc["emp1", "text_en"] == inst.item("emp1").text["en"]


def test_csv_round_trips(inst):
    back = pd.read_csv(io.StringIO(codebook_csv(inst)))
    assert back.shape == codebook(inst).shape
    assert list(back["code"]) == [v.code for v in inst.variables]
    for var in inst.variables:
        cell = back.loc[back["id"] == var.id, "values_en"].iloc[0]
        if var.valid_codes:
            assert list(parse_values(cell)) == var.valid_codes
        else:
            assert pd.isna(cell)


def test_markdown_tables(inst):
    md = codebook_markdown(inst)
    assert md.startswith("# Codebook: ")
    assert f"content version {inst.content_version}" in md and "format version 1" in md
    for var in inst.variables:
        assert f"| `{var.id}` | `{var.code}` |" in md
    for key in ("agree7", "agree7_no_na", "satisfied5", "likely11", "channel", "fcr", "contact_reason"):
        assert f"### `{key}`" in md
    assert "| 99 (N/A) | Niet van toepassing / weet ik niet | Not applicable / don't know |" in md
    header_cells = md.split("## Variables", 1)[1].strip().splitlines()[0].count("|")
    for line in md.split("## Value labels")[0].splitlines():
        if line.startswith("| `"):
            assert line.count("|") - line.count("\\|") == header_cells  # no cell breaks the table
