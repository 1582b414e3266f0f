"""The codebook: every variable of a response file with its codes, texts and flags.

Three renderings of one description: :func:`codebook_json` (nested, machine-readable),
:func:`codebook` (one row per variable, as written to CSV by :func:`codebook_csv`) and
:func:`codebook_markdown` (readable tables). Each carries the instrument id and its
content and format versions, and the column names the LimeSurvey and Qualtrics
exports give every variable.

>>> from instrument import load_instrument
>>> book = codebook_json(load_instrument())
>>> book["variables"][0]["id"]
'respondent_id'
"""
from __future__ import annotations

import io

import pandas as pd

from instrument.definition import Instrument, Variable
from instrument.naming import (
    DURATION_FIELD,
    LIMESURVEY_DURATION,
    QUALTRICS_DURATION,
    platform_questions,
)

#: Separator of the 'code=label' entries in the CSV codebook.
CODE_SEPARATOR = "; "


def _platform_columns(inst: Instrument) -> dict[str, dict[str, str]]:
    """Per variable id: its column name in LimeSurvey and Qualtrics response exports.

    The respondent id falls back to the platforms' own response id when the sample's
    id was not passed in (see :mod:`instrument.platforms`); that fallback is not listed.
    """
    out: dict[str, dict[str, str]] = {DURATION_FIELD: {"limesurvey": LIMESURVEY_DURATION,
                                                       "qualtrics": QUALTRICS_DURATION}}
    for q in platform_questions(inst):
        if q.kind == "battery":
            for vid in q.variable_ids:
                out[vid] = {"limesurvey": f"{q.code}[{q.row_code(vid)}]", "qualtrics": q.row_code(vid)}
        else:
            out[q.variable_ids[0]] = {"limesurvey": q.code, "qualtrics": q.code}
    return out


def _values(var: Variable) -> list[dict]:
    if var.choices is not None:
        return [{"code": c.code, "key": c.key, "label": dict(c.label)} for c in var.choices]
    if var.scale is not None:
        return [{"code": p.code, "label": dict(p.label)} for p in var.scale.points]
    return []


def codebook_json(inst: Instrument) -> dict:
    """The codebook as a nested dictionary (ready for ``json.dump``).

    Returns
    -------
    dict
        ``instrument`` (id, content_version, format_version, languages, source_language)
        and ``variables``: per variable its id, platform code, construct, kind, type,
        measure, text and label per language, valid codes with labels per language, the
        N/A code and label, reverse flag, channels, required and personal flags, and the
        LimeSurvey and Qualtrics column names (None where the platform does not carry it).
    """
    columns = _platform_columns(inst)
    variables = []
    for var in inst.variables:
        na = var.scale.not_applicable if var.scale is not None else None
        variables.append({
            "id": var.id, "code": var.code, "construct": var.construct, "kind": var.kind, "type": var.type,
            "measure": var.measure, "scale": _scale_key(inst, var), "choices": _choices_key(inst, var),
            "text": dict(var.text) if var.text else None, "label": dict(var.label),
            "values": _values(var), "na_code": na.code if na else None, "na_label": dict(na.label) if na else None,
            "reverse": var.reverse, "channels": list(var.channels) if var.channels else None,
            "required": var.required, "personal": var.personal,
            "limesurvey_column": columns.get(var.id, {}).get("limesurvey"),
            "qualtrics_column": columns.get(var.id, {}).get("qualtrics"),
        })
    d = inst.definition
    return {"instrument": {"id": d.id, "content_version": inst.content_version,
                           "format_version": inst.format_version, "languages": inst.languages,
                           "source_language": d.source_language, "title": dict(d.title)},
            "variables": variables}


def _scale_key(inst: Instrument, var: Variable) -> str | None:
    if var.scale is None:
        return None
    return next(k for k, s in inst.definition.scales.items() if s is var.scale)


def _choices_key(inst: Instrument, var: Variable) -> str | None:
    if var.choices is None:
        return None
    return next(k for k, c in inst.definition.choices.items() if tuple(c) == var.choices)


def codebook(inst: Instrument) -> pd.DataFrame:
    """The codebook as a table, one row per variable in questionnaire order.

    Texts, labels and value labels get one column per language (``text_nl``,
    ``label_en``, ``values_nl`` ...); value labels are ``code=label`` entries joined by
    ``'; '``. The instrument id and versions are repeated on every row so that each
    row stands on its own.
    """
    book = codebook_json(inst)
    meta = book["instrument"]
    rows = []
    for v in book["variables"]:
        row = {"instrument_id": meta["id"], "content_version": meta["content_version"],
               "format_version": meta["format_version"]}
        row.update({k: v[k] for k in ("id", "code", "limesurvey_column", "qualtrics_column", "kind", "construct",
                                      "type", "measure", "scale", "choices")})
        for lang in meta["languages"]:
            row[f"label_{lang}"] = v["label"][lang]
            row[f"text_{lang}"] = v["text"][lang] if v["text"] else None
            row[f"values_{lang}"] = CODE_SEPARATOR.join(f"{x['code']}={x['label'][lang]}" for x in v["values"]) or None
            row[f"na_label_{lang}"] = v["na_label"][lang] if v["na_label"] else None
        row.update({"na_code": v["na_code"], "reverse": v["reverse"],
                    "channels": ",".join(v["channels"]) if v["channels"] else None,
                    "required": v["required"], "personal": v["personal"]})
        rows.append(row)
    df = pd.DataFrame(rows)
    df["na_code"] = df["na_code"].astype("Int64")
    return df


def codebook_csv(inst: Instrument) -> str:
    """The codebook table as CSV text (UTF-8, one row per variable)."""
    buf = io.StringIO()
    codebook(inst).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _md(text: object) -> str:
    """A table cell: pipes escaped, newlines flattened, None as an empty cell."""
    if text is None:
        return ""
    return " ".join(str(text).split()).replace("|", "\\|")


def codebook_markdown(inst: Instrument) -> str:
    """The codebook as Markdown: versions, a variable table and one value-label table per scale/list."""
    book = codebook_json(inst)
    meta = book["instrument"]
    langs = meta["languages"]
    out = [f"# Codebook: {meta['title'][meta['source_language']]}", "",
           f"Instrument `{meta['id']}`, content version {meta['content_version']}, "
           f"format version {meta['format_version']}; languages {', '.join(langs)}.", "",
           "## Variables", ""]
    head = ["id", "code", "LimeSurvey", "Qualtrics", "kind", "construct", "type", "values", "N/A", "reverse",
            "channels", "required", "personal", *[f"text ({lang})" for lang in langs]]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in book["variables"]:
        values = v["scale"] or v["choices"] or ""
        cells = [f"`{v['id']}`", f"`{v['code']}`", _md(v["limesurvey_column"]), _md(v["qualtrics_column"]), v["kind"],
                 _md(v["construct"]), v["type"], _md(values), _md(v["na_code"]), "yes" if v["reverse"] else "",
                 _md(", ".join(v["channels"] or [])), "yes" if v["required"] else "", "yes" if v["personal"] else "",
                 *[_md((v["text"] or v["label"])[lang]) for lang in langs]]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Value labels", ""]
    shown: set[str] = set()
    for v in book["variables"]:
        key = v["scale"] or v["choices"]
        if not key or key in shown:
            continue
        shown.add(key)
        out += [f"### `{key}`", "", "| code | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
        for x in v["values"]:
            out.append(f"| {x['code']} | " + " | ".join(_md(x["label"][lang]) for lang in langs) + " |")
        if v["na_code"] is not None:
            out.append(f"| {v['na_code']} (N/A) | " + " | ".join(_md(v["na_label"][lang]) for lang in langs) + " |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
