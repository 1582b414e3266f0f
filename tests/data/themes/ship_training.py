"""Write (or check) the theme classifier's training answers shipped with the package.

The supervised part of the theme coder (:mod:`analysis.themes.classifier`) is trained at
run time on the **development material** of this folder: every answer of ``answers.csv``
(splits ``dev`` and ``retired``) and of the retired first fresh set ``fresh_nl.csv`` /
``fresh_en.csv`` (split ``retired``; see GUIDE.md, 'Split'). The package cannot read
``tests/``, so the columns it needs (``id``, ``text``, ``themes``, ``polarity``) are copied
to ``analysis/themes/data/labelled_<language>.csv``. Only rows whose split is ``dev`` or
``retired`` are copied: a blind set (split ``fresh2``, ``fresh2_<language>.csv``) is never
read here, so it can never be trained on.

Run ``python tests/data/themes/ship_training.py --check`` to verify the shipped files
(``tests/test_themes_data.py`` does), or without ``--check`` to (re)write them.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).parent
TARGET = FOLDER.parents[2] / "analysis" / "themes" / "data"
SOURCES = ("answers.csv", "fresh_{language}.csv")
DEVELOPMENT = ("dev", "retired")
COLUMNS = ["id", "text", "themes", "polarity"]


def development(language: str) -> pd.DataFrame:
    """The development answers of ``language`` in file order (answers.csv, then the retired fresh set)."""
    parts = []
    for name in SOURCES:
        table = pd.read_csv(FOLDER / name.format(language=language), dtype=str, keep_default_na=False)
        parts.append(table[(table["language"] == language) & table["split"].isin(DEVELOPMENT)])
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def shipped_path(language: str) -> Path:
    return TARGET / f"labelled_{language}.csv"


if __name__ == "__main__":
    stale = []
    for lang in ("nl", "en"):
        expected = development(lang)
        path = shipped_path(lang)
        if "--check" in sys.argv:
            shipped = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None
            if shipped is None or not shipped.equals(expected):
                stale.append(str(path))
        else:
            expected.to_csv(path, index=False)
    if stale:
        sys.exit(f"{', '.join(stale)}: not the development answers; run python tests/data/themes/ship_training.py")
