"""Reproduce the fixed ``split`` column of ``answers.csv`` (see GUIDE.md, 'Split').

Within each language (Dutch first, then English) the row positions are permuted by one
``numpy.random.default_rng(SEED)``; the first half of each permutation is ``dev``, the
rest ``retired``: until session 4 it was the ``heldout`` half, used for evaluation only;
after it had been looked at three times it was retired to development (GUIDE.md, 'Split').
Both halves are development material now, and so is the first fresh blind set
(``fresh_nl.csv``, ``fresh_en.csv``, split value ``retired`` since session 5); the held-out
set is the second blind set (``fresh2_{nl,en}.csv``). This script reads neither.
Run ``python tests/data/themes/assign_split.py --check`` to verify the file, or without
``--check`` to (re)write the column.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261206
PATH = Path(__file__).with_name("answers.csv")
# The former held-out half (named "heldout" until session 4), now development material too.
RETIRED = "retired"


def assign_split(table: pd.DataFrame, seed: int = SEED) -> pd.Series:
    """The split column for ``table`` (rows in file order, a ``language`` column)."""
    rng = np.random.default_rng(seed)
    split = pd.Series("", index=table.index, dtype=object)
    for lang in ("nl", "en"):
        rows = table.index[table["language"] == lang]
        order = rng.permutation(len(rows))
        half = len(rows) // 2
        split.loc[rows[order[:half]]] = "dev"
        split.loc[rows[order[half:]]] = RETIRED
    return split


if __name__ == "__main__":
    table = pd.read_csv(PATH, dtype=str, keep_default_na=False)
    expected = assign_split(table)
    if "--check" in sys.argv:
        sys.exit(0 if (table["split"] == expected).all() else 1)
    table["split"] = expected
    table.to_csv(PATH, index=False)
