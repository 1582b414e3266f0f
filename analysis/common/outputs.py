"""Checks and writers for files the toolkit creates (results, simulated studies, reports).

Every command checks an output path before it starts computing, so that a typo in a
folder name costs a one-line error, not minutes of fitting followed by a traceback.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from analysis.common.errors import ServiceDriversError


def check_writable(path: Path, inputs: tuple[Path, ...] = ()) -> None:
    """Raise a one-line error unless ``path`` can be created (its folder exists and is writable).

    ``inputs`` are the files the command reads: writing over one of them is refused, since
    input files are never modified.

    Examples
    --------
    >>> check_writable(Path("/no/such/folder/out.json"))
    Traceback (most recent call last):
    ...
    analysis.common.errors.ServiceDriversError: /no/such/folder/out.json: the folder /no/such/folder does not exist; create it first
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ServiceDriversError(f"{path}: is a folder; give a file name")
    if not folder.is_dir():
        raise ServiceDriversError(f"{path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ServiceDriversError(f"{path}: no permission to write here")
    for source in inputs:
        if path.exists() and Path(source).exists() and path.samefile(source):
            raise ServiceDriversError(f"{path}: is the input file; write the output to another file "
                                      "(input files are never modified)")


JSON_SIGNIFICANT_DIGITS = 6


def round_floats(value, digits: int = JSON_SIGNIFICANT_DIGITS):
    """A copy of a JSON-ready document with every float rounded to ``digits`` significant digits.

    Why: the last bits of a figure depend on the machine (the BLAS kernel the CPU selects
    sums in another order; an iterative SEM fit stops at a point that differs by ~1e-11),
    so unrounded documents differ between machines for the same data and seed. Six
    significant digits are far beyond what any figure can be trusted to, and make the same
    run give the same document on any machine (unless a value lies within that noise of a
    rounding boundary, which is rare).

    Examples
    --------
    >>> round_floats({"a": 0.4232100233162717, "b": [14.285714285714288, 3, True, None]})
    {'a': 0.42321, 'b': [14.2857, 3, True, None]}
    """
    if type(value) is float:          # the most common case first
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: round_floats(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [round_floats(v, digits) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    return value


def write_json(document: dict, path: Path, what: str) -> None:
    """Write a JSON document (strict: no NaN; floats to 6 significant digits, see
    :func:`round_floats`), with a one-line error for an unwritable path."""
    text = json.dumps(round_floats(document), indent=2, ensure_ascii=False, allow_nan=False)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the {what} ({exc.strerror}); give a writable path") from None
