"""Write a simulated study to disk: responses as CSV, SPSS, Excel or Parquet, and its truth as JSON.

The responses keep the raw file layout (file codes, 99 = not applicable, empty =
blank). The SPSS file carries variable labels, value labels and 99 declared as
user-missing, and its header's creation stamp is fixed (to the first day of the
simulated quarter) so that the same seed gives a byte-identical file; CSV is UTF-8
with ``\\n`` line ends.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from analysis.common.errors import ServiceDriversError
from analysis.common.outputs import check_writable
from instrument import Instrument

FORMATS = {".csv": "csv", ".sav": "sav", ".xlsx": "xlsx", ".parquet": "parquet"}
SPSS_LABEL_BYTES = 255
_SAV_MAGIC = (b"$FL2", b"$FL3")
_SAV_STAMP_OFFSET = 92  # creation date (9 bytes, 'dd Mon yy') then time (8 bytes, 'hh:mm:ss')


def output_format(path: Path, fmt: str | None = None) -> str:
    """The format to write ``path`` in: ``fmt`` if given, else from the extension.

    Examples
    --------
    >>> output_format(Path("study.SAV"))
    'sav'
    """
    if fmt is not None:
        if fmt not in FORMATS.values():
            raise ServiceDriversError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS.values())}")
        return fmt
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ServiceDriversError(
            f"{path}: cannot tell the format from the extension '{path.suffix}'; use "
            f"{', '.join(FORMATS)} or name the format") from None


def truth_path_for(path: Path) -> Path:
    """Where the truth goes beside a responses file: ``study.csv`` -> ``study.truth.json``."""
    return path.with_name(path.stem + ".truth.json")


def write_responses(frame: pd.DataFrame, path: Path, inst: Instrument, fmt: str | None = None,
                    lang: str = "en", quarter_start: str = "2024-01-01") -> Path:
    """Write the responses of a simulated study in the raw file layout.

    Parameters
    ----------
    frame : DataFrame
        ``SimulatedStudy.responses``.
    path : Path
    inst : Instrument
    fmt : {'csv', 'sav', 'xlsx', 'parquet'}, optional
        By default from the extension.
    lang : str
        Language of the SPSS variable and value labels.
    quarter_start : str
        ISO date stamped into the SPSS header as its creation time.

    Returns
    -------
    Path
    """
    fmt = output_format(path, fmt)
    check_writable(path)
    try:
        if fmt == "csv":
            frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        elif fmt == "sav":
            _write_sav(frame, path, inst, lang, date.fromisoformat(quarter_start))
        elif fmt == "xlsx":
            frame.to_excel(path, index=False, sheet_name="responses")
        else:
            frame.to_parquet(path, index=False)
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def write_truth(text: str, path: Path) -> Path:
    """Write the truth JSON text (UTF-8)."""
    check_writable(path)
    path.write_text(text, encoding="utf-8")
    return path


def spss_metadata(inst: Instrument, lang: str = "en") -> dict:
    """Variable labels, value labels, user-missing 99 and measurement levels for pyreadstat."""
    if lang not in inst.languages:
        raise ServiceDriversError(f"no labels in language '{lang}'; use one of {', '.join(inst.languages)}")
    labels, value_labels, missing, measure = [], {}, {}, {}
    for var in inst.variables:
        label = var.label[lang]
        if var.kind == "item" and var.text:
            label = f"{label}: {var.text[lang]}"
        labels.append(_clip_bytes(label, SPSS_LABEL_BYTES))
        if var.scale is not None:
            value_labels[var.id] = {p.code: p.label[lang] for p in var.scale.points}
            if var.na_code is not None:
                value_labels[var.id][var.na_code] = var.scale.not_applicable.label[lang]
                missing[var.id] = [var.na_code]
            measure[var.id] = "ordinal"
        elif var.choices is not None:
            value_labels[var.id] = {c.code: c.label[lang] for c in var.choices}
            measure[var.id] = "nominal"
        else:
            measure[var.id] = "scale" if var.type == "number" else "nominal"
    return {"column_labels": labels, "variable_value_labels": value_labels,
            "missing_ranges": missing, "variable_measure": measure}


def _write_sav(frame: pd.DataFrame, path: Path, inst: Instrument, lang: str, stamp: date) -> None:
    import pyreadstat

    out = pd.DataFrame(index=frame.index)
    for var in inst.variables:
        column = frame[var.id]
        if var.type == "date":
            out[var.id] = pd.to_datetime(column, errors="coerce").dt.date
        elif pd.api.types.is_numeric_dtype(column):
            out[var.id] = column.astype("float64")
        else:
            out[var.id] = column.astype(object).where(column.notna(), "")
    meta = spss_metadata(inst, lang)
    # Row (bytecode) compression: the standard .sav compression every SPSS version reads.
    pyreadstat.write_sav(out, str(path), file_label="Synthetic study - simulated data, not real customers",
                         row_compress=True, **meta)
    _fix_sav_stamp(path, stamp)


def _fix_sav_stamp(path: Path, stamp: date) -> None:
    """Overwrite the creation date and time in a .sav header (ReadStat writes the wall clock)."""
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    text = f"{stamp.day:02d} {months[stamp.month - 1]} {stamp.year % 100:02d}00:00:00".encode("ascii")
    with open(path, "r+b") as handle:
        if handle.read(4) not in _SAV_MAGIC:
            raise ServiceDriversError(f"{path}: not an SPSS file after writing; cannot fix its header")
        handle.seek(_SAV_STAMP_OFFSET)
        handle.write(text)


def _clip_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (on a character boundary)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore").rstrip() + "..."
