"""Write responses as a LimeSurvey response export: the inverse of :func:`instrument.platforms.read_limesurvey_export`.

For examples, teaching material and tests of the whole path from platform export to
report: a simulated study written as LimeSurvey would export it.
"""
from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from instrument.definition import Instrument, Variable
from instrument.errors import DataError, OptionError
from instrument.naming import DURATION_FIELD, LIMESURVEY_DURATION, platform_questions

LIMESURVEY_ANSWERS = ("codes", "texts")
#: Completion time assumed for a respondent without ``duration_sec`` (seconds).
_DEFAULT_DURATION = 300.0


def _text_value(var: Variable, value: object, answers: str, lang: str) -> str:
    """One cell as LimeSurvey exports it: '' for missing, the code, or the answer text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if answers == "texts" and isinstance(value, (int, np.integer)):
        labels = {code: label[lang] for code, label in var.answer_options}
        if int(value) in labels:
            return labels[int(value)]
    return str(value)


def write_limesurvey_export(responses: pd.DataFrame, path: str | Path, inst: Instrument, *,
                            answers: str = "codes", lang: str | None = None, delimiter: str = ",",
                            seed: int = 0) -> Path:
    """Write responses as a LimeSurvey response export (CSV), the inverse of :func:`instrument.platforms.read_limesurvey_export`.

    The file looks like LimeSurvey's *Export responses* with headings 'Question code':
    UTF-8 with byte-order mark, every field quoted, CRLF line ends; LimeSurvey's own
    columns (``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``,
    ``startdate``, ``datestamp``) first, then the questions of the survey that
    :func:`instrument.export.to_limesurvey` builds (hidden context fields, batteries as
    ``QCODE[SQCODE]``), then the timings ``interviewtime`` and ``groupTime1..k``.

    Parameters
    ----------
    responses : DataFrame
        Responses in the raw file layout with our codes, e.g.
        ``analysis.simulation.simulate.simulate_study(...).responses`` (``channel`` as its code,
        scale items 1-7, 99 = not applicable, blank = missing). Variables it lacks are
        written empty.
    path : str or Path
        The CSV file to write.
    inst : Instrument
    answers : {'codes', 'texts'}, default 'codes'
        LimeSurvey's 'Answer codes' or 'Full answers' (answer texts in ``lang``).
    lang : str, optional
        The respondents' survey language (``startlanguage``, and the answer texts);
        default the questionnaire's source language.
    delimiter : str, default ','
    seed : int, default 0
        Seeds the platform columns that are not in the responses (start times,
        LimeSurvey's per-response ``seed``), so the same call writes the same bytes.

    Returns
    -------
    Path

    Notes
    -----
    As on LimeSurvey, a question that was not shown is empty: the wait-time and menu
    items (phone only) are blank for respondents of other channels or of unknown
    channel, whatever the responses hold. The survey starts the day after the contact
    (``contact_date``; the first day of the earliest contact's month when missing) at
    a random time between 08:00 and 22:00 and is submitted ``duration_sec`` later
    (300 s when missing); ``groupTime1..k`` split that time over the question groups in
    proportion to the questions each shows. ``id`` numbers the rows from 1.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from instrument import load_instrument, read_responses
    >>> from analysis.simulation.simulate import simulate_study
    >>> inst = load_instrument()
    >>> study = simulate_study(inst, n_orgs=1, n_per_org=20, seed=1, truth_draws=0)
    >>> path = write_limesurvey_export(study.responses, pathlib.Path(tempfile.mkdtemp()) / "export.csv", inst)
    >>> data, report = read_responses(path, inst)          # recognised as a LimeSurvey export
    >>> report.format, len(data)
    ('limesurvey', 20)
    """
    if answers not in LIMESURVEY_ANSWERS:
        raise OptionError("answers", f"must be one of {', '.join(LIMESURVEY_ANSWERS)}, got {answers!r}")
    lang = lang or inst.definition.source_language
    if lang not in inst.languages:
        raise OptionError("lang", f"must be a language of the questionnaire ({', '.join(inst.languages)}), got {lang!r}")
    if "respondent_id" in responses.columns and responses["respondent_id"].isna().any():
        raise DataError("column 'respondent_id': every response needs a respondent id; fill in the empty ones")
    n = len(responses)
    rng = np.random.default_rng(seed)
    frame = responses.reset_index(drop=True)

    def column(vid: str) -> list:
        return frame[vid].tolist() if vid in frame.columns else [None] * n

    questions = platform_questions(inst)
    channel_codes_of = {c.key: c.code for c in inst.choices("channel")}
    channel = pd.to_numeric(pd.Series(column("channel"), dtype=object), errors="coerce")

    cells: dict[str, list[str]] = {}
    shown_per_block: dict[str, int] = {b.id: 0 for b in inst.definition.blocks}
    for q in questions:
        if q.block is not None:
            shown_per_block[q.block] += len(q.variable_ids)
        for vid in q.variable_ids:
            var = inst.variable(vid)
            name = f"{q.code}[{q.row_code(vid)}]" if q.kind == "battery" else q.code
            values = [_text_value(var, v, answers, lang) for v in column(vid)]
            if var.channels:
                allowed = {channel_codes_of[k] for k in var.channels}
                values = [v if c in allowed else "" for v, c in zip(values, channel)]
            cells[name] = values

    duration = pd.to_numeric(pd.Series(column(DURATION_FIELD), dtype=object), errors="coerce")
    contact = pd.to_datetime(pd.Series(column("contact_date"), dtype=object), errors="coerce")
    fallback = contact.min()
    fallback = date(2024, 1, 1) if pd.isna(fallback) else fallback.date().replace(day=1)
    start_seconds = rng.integers(8 * 3600, 22 * 3600, n)
    response_seed = rng.integers(1, 100_000_000, n)
    starts, submits = [], []
    for k in range(n):
        day = contact[k].date() + timedelta(days=1) if not pd.isna(contact[k]) else fallback
        start = datetime.combine(day, datetime.min.time()) + timedelta(seconds=int(start_seconds[k]))
        seconds = float(duration[k]) if not pd.isna(duration[k]) else _DEFAULT_DURATION
        starts.append(start)
        submits.append(start + timedelta(seconds=round(seconds)))
    stamp = "%Y-%m-%d %H:%M:%S"
    blocks = [b.id for b in inst.definition.blocks]
    weights = np.array([shown_per_block[b] for b in blocks], dtype=float)
    weights = weights / weights.sum()
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
              *cells, LIMESURVEY_DURATION, *[f"groupTime{g}" for g in range(1, len(blocks) + 1)]]
    rows = []
    for k in range(n):
        seconds = duration[k] if not pd.isna(duration[k]) else _DEFAULT_DURATION
        own = [str(k + 1), submits[k].strftime(stamp), str(len(blocks)), lang, str(response_seed[k]),
               starts[k].strftime(stamp), submits[k].strftime(stamp)]
        timing = [f"{seconds:.2f}", *[f"{seconds * w:.2f}" for w in weights]]
        rows.append(own + [values[k] for values in cells.values()] + timing)

    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        path.write_bytes(("\ufeff" + buffer.getvalue() + "\r\n").encode("utf-8"))
    except OSError as exc:
        raise DataError(f"cannot write the export ({exc.strerror or exc})", file=str(path)) from None
    return path
