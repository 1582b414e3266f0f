"""A printable questionnaire: self-contained HTML with print CSS, and PDF via WeasyPrint.

One language gives an A4 portrait page; several languages are printed side by side on
A4 landscape, the base language first. Every item carries its variable code in small
print, so that paper questionnaires can be keyed in against the codebook.

>>> from instrument import load_instrument
>>> html = to_html(load_instrument(), ["en"])
>>> "The agent was friendly." in html
True
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from instrument.definition import Instrument, Variable
from instrument.errors import ServiceDriversError
from instrument.naming import (
    PlatformQuestion,
    battery_prompt,
    default_languages,
    parse_languages,
    platform_questions,
)

#: Routing note for questions limited to some contact channels; other languages show an arrow.
_ROUTING = {
    "nl": "Alleen invullen bij contact via: {channels}",
    "en": "Only answer if your contact was by: {channels}",
}


def _environment() -> Environment:
    # Autoescape is on for every template: question texts are data, never markup.
    return Environment(loader=PackageLoader("instrument", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _options(var: Variable) -> list[dict]:
    return [{"code": code, "label": labels} for code, labels in var.answer_options]


def _routing(inst: Instrument, channels: Sequence[str] | None, langs: list[str]) -> dict[str, str] | None:
    if not channels:
        return None
    labels = {c.key: c.label for c in inst.choices("channel")}
    return {lang: _ROUTING.get(lang, "\u2192 {channels}").format(channels=", ".join(labels[k][lang] for k in channels))
            for lang in langs}


def _question_view(inst: Instrument, q: PlatformQuestion, langs: list[str]) -> dict:
    if q.kind == "battery":
        items = [inst.variable(v) for v in q.variable_ids]
        rows = []
        for n, item in enumerate(items):
            own = q.item_channels[n] if q.item_channels else None
            text = dict(item.text)
            routing = _routing(inst, own, langs)
            if routing:
                text = {lang: f"{text[lang]} ({routing[lang]})" for lang in langs}
            rows.append({"code": item.code, "text": text})
        return {"kind": "battery", "prompt": {lang: battery_prompt(inst, q.block, lang) for lang in langs},
                "rows": rows, "options": _options(items[0]), "routing": _routing(inst, q.channels, langs)}
    var = inst.variable(q.variable_ids[0])
    return {"kind": q.kind, "code": var.code, "text": dict(var.text), "options": _options(var),
            "horizontal": var.scale is not None and var.scale.type == "nps",
            "routing": _routing(inst, q.channels, langs)}


def to_html(inst: Instrument, languages: str | Sequence[str] | None = None) -> str:
    """Render the questionnaire as a self-contained, printable HTML page.

    Parameters
    ----------
    inst : Instrument
        The questionnaire.
    languages : str or sequence of str, optional
        One language, or several to print side by side (base language first);
        default all, source language first.

    Returns
    -------
    str
        The HTML document (no external resources).

    Raises
    ------
    ValueError
        If a language is unknown.
    """
    langs = parse_languages(languages if languages is not None else default_languages(inst), inst)
    questions = [q for q in platform_questions(inst) if q.kind != "hidden"]
    blocks = []
    for block in inst.definition.blocks:
        blocks.append({"title": dict(block.title),
                       "questions": [_question_view(inst, q, langs) for q in questions if q.block == block.id]})
    template = _environment().get_template("questionnaire.html")
    d = inst.definition
    return template.render(langs=langs, doc=d, blocks=blocks, instrument_id=d.id,
                           content_version=inst.content_version,
                           title=" / ".join(d.title[lang] for lang in langs))


def to_pdf(inst: Instrument, languages: str | Sequence[str] | None, path: str | Path) -> Path:
    """Write the printable questionnaire as a PDF file (rendered with WeasyPrint).

    Parameters
    ----------
    inst : Instrument
        The questionnaire.
    languages : str or sequence of str or None
        As for :func:`to_html`.
    path : str or Path
        The PDF file to write.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ServiceDriversError
        If the file cannot be written.
    """
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    path = Path(path)
    html = to_html(inst, languages)
    try:
        HTML(string=html).write_pdf(path)
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the PDF ({exc.strerror or exc}); choose a writable path") from None
    return path
