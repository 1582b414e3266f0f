"""Agreement of the theme coding with the hand labels: per-theme precision/recall, macro-F1.

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_themes.py [--split dev|fresh] [--output FILE]

Two labelled sets, both labelled with ``tests/data/themes/GUIDE.md``:

* ``--split dev`` (the default): **all** of ``tests/data/themes/answers.csv``, both its
  first ``dev`` half and the ``retired`` half that served as the held-out half until it
  had been looked at three times. All of it is development material now: the lexicons
  are tuned on it, so its figures are **development figures, not held-out ones**.
* ``--split fresh``: the fresh blind set ``tests/data/themes/fresh_nl.csv`` and
  ``fresh_en.csv`` (split value ``fresh``), written and labelled by others without sight
  of the method. It is the held-out set: evaluated once, by the lead, at the end of a
  round of tuning; never read or evaluated while tuning (not by the tests either).

For each language: per-theme support, precision, recall, F1 and polarity agreement
(:func:`analysis.themes.evaluate.theme_scores`), the macro-F1 over the seven driver themes
and over all eleven, the accuracy of the answer's overall polarity, the time per answer,
and the audit of the held-out protocol (lexicon phrases supported by neither the
development material, all of ``answers.csv``, nor the simulator's phrase bank: must be 0).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.simulation import text as simtext  # noqa: E402
from analysis.themes.coding import code_text  # noqa: E402
from analysis.themes.evaluate import (macro_f1, parse_labels, polarity_accuracy, theme_scores,  # noqa: E402
                                      unsupported_phrases)
from analysis.themes.lexicon import DRIVER_THEMES, THEMES, load_lexicon  # noqa: E402

FOLDER = ROOT / "tests" / "data" / "themes"
SPLITS = ("dev", "fresh")
COLUMNS = ("language", "text", "themes", "polarity")


def simulator_bank(lang: str) -> list[str]:
    """Every sentence of the simulator's phrase bank in ``lang`` (a tuning source besides the dev material)."""
    bank = [p for d in (simtext.PRAISE, simtext.COMPLAINT, simtext.OTHER_PRAISE, simtext.OTHER_COMPLAINT)
            for ps in d[lang].values() for p in ps]
    bank += [p for d in (simtext.OPENERS, simtext.CLOSERS) for ps in d[lang].values() for p in ps]
    return bank + simtext.NEUTRAL[lang] + simtext.GENERIC_PRAISE[lang] + simtext.GENERIC_COMPLAINT[lang]


def _read(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        sys.exit(f"{path}: no column {', '.join(missing)}; the labelled sets have the columns of GUIDE.md")
    return table


def labelled(split: str, lang: str, folder: Path = FOLDER) -> pd.DataFrame:
    """The labelled answers of one split and language (see the module docstring)."""
    if split == "dev":
        table = _read(folder / "answers.csv")
    elif split == "fresh":
        path = folder / f"fresh_{lang}.csv"
        if not path.is_file():
            sys.exit(f"{path}: not present; the fresh blind set is written to tests/data/themes/fresh_{{nl,en}}.csv")
        table = _read(path)
    else:
        sys.exit(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return table[table.language == lang]


def evaluate(split: str = "dev", folder: Path = FOLDER) -> dict:
    """Scores per language on one labelled set (``split``: 'dev' or 'fresh'; see the module docstring)."""
    out = {}
    for lang in ("nl", "en"):
        part = labelled(split, lang, folder)
        lexicon = load_lexicon(lang)
        start = time.perf_counter()
        coded = [code_text(text, lexicon) for text in part.text]
        seconds = time.perf_counter() - start
        truth = [parse_labels(cell) for cell in part.themes]
        scores = theme_scores(truth, [c[0] for c in coded])
        # The development material that licenses the lexicon phrases: all of answers.csv.
        development = labelled("dev", lang, folder).text
        spec = yaml.safe_load((ROOT / "analysis" / "themes" / "data" / f"lexicon_{lang}.yaml").read_text("utf-8"))
        out[lang] = {"n": len(part), "scores": scores,
                     "macro_f1_drivers": macro_f1(scores, DRIVER_THEMES), "macro_f1_all": macro_f1(scores, THEMES),
                     "polarity_accuracy": polarity_accuracy(list(part.polarity), [c[1] for c in coded]),
                     "ms_per_answer": 1000 * seconds / max(len(part), 1),
                     "unsupported_phrases": len(unsupported_phrases(spec, [*development, *simulator_bank(lang)],
                                                                    lang))}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=SPLITS,
                        help="dev: all of answers.csv (development figures); fresh: the blind held-out set")
    parser.add_argument("--output", help="also write the figures as JSON here")
    args = parser.parse_args()
    kind = "held-out figures" if args.split == "fresh" else "DEVELOPMENT figures (tuned on these answers)"
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; split {args.split}: {kind}")
    result = evaluate(args.split)
    for lang, r in result.items():
        print(f"\n{lang}: {r['n']} answers; macro-F1 drivers {r['macro_f1_drivers']:.3f}, all themes "
              f"{r['macro_f1_all']:.3f}; overall polarity accuracy {r['polarity_accuracy']:.3f}; "
              f"{r['ms_per_answer']:.2f} ms/answer; unsupported lexicon phrases {r['unsupported_phrases']}")
        print(r["scores"].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.output:
        Path(args.output).write_text(json.dumps(
            {lang: {"split": args.split, **{k: v for k, v in r.items() if k != "scores"},
                    "scores": r["scores"].to_dict("records")}
             for lang, r in result.items()}, indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
