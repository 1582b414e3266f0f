"""Agreement of the theme coding with the hand labels: per-theme precision/recall, macro-F1.

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_themes.py [--split heldout] [--output FILE]

The labelled answers are ``tests/data/themes/answers.csv`` (guide: ``GUIDE.md`` there).
The lexicons were tuned on the ``dev`` half only; the ``heldout`` half (the default here)
is what ``benchmarks/RESULTS.md`` reports and ``tests/test_themes_benchmark.py`` guards.
For each language: per-theme support, precision, recall, F1 and polarity agreement
(:func:`analysis.themes.evaluate.theme_scores`), the macro-F1 over the seven driver themes
and over all eleven, the accuracy of the answer's overall polarity, the time per answer,
and the audit of the held-out protocol (lexicon phrases supported by neither the dev half
nor the simulator's phrase bank: must be 0).
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

DATA = ROOT / "tests" / "data" / "themes" / "answers.csv"


def simulator_bank(lang: str) -> list[str]:
    """Every sentence of the simulator's phrase bank in ``lang`` (a tuning source besides the dev half)."""
    bank = [p for d in (simtext.PRAISE, simtext.COMPLAINT, simtext.OTHER_PRAISE, simtext.OTHER_COMPLAINT)
            for ps in d[lang].values() for p in ps]
    bank += [p for d in (simtext.OPENERS, simtext.CLOSERS) for ps in d[lang].values() for p in ps]
    return bank + simtext.NEUTRAL[lang] + simtext.GENERIC_PRAISE[lang] + simtext.GENERIC_COMPLAINT[lang]


def evaluate(split: str = "heldout") -> dict:
    """Scores per language on one split of the labelled set."""
    table = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    out = {}
    for lang in ("nl", "en"):
        part = table[(table.language == lang) & (table.split == split)]
        lexicon = load_lexicon(lang)
        start = time.perf_counter()
        coded = [code_text(text, lexicon) for text in part.text]
        seconds = time.perf_counter() - start
        truth = [parse_labels(cell) for cell in part.themes]
        scores = theme_scores(truth, [c[0] for c in coded])
        dev = table[(table.language == lang) & (table.split == "dev")].text
        spec = yaml.safe_load((ROOT / "analysis" / "themes" / "data" / f"lexicon_{lang}.yaml").read_text("utf-8"))
        out[lang] = {"n": len(part), "scores": scores,
                     "macro_f1_drivers": macro_f1(scores, DRIVER_THEMES), "macro_f1_all": macro_f1(scores, THEMES),
                     "polarity_accuracy": polarity_accuracy(list(part.polarity), [c[1] for c in coded]),
                     "ms_per_answer": 1000 * seconds / max(len(part), 1),
                     "unsupported_phrases": len(unsupported_phrases(spec, [*dev, *simulator_bank(lang)], lang))}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=["heldout", "dev"])
    parser.add_argument("--output", help="also write the figures as JSON here")
    args = parser.parse_args()
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; split {args.split}")
    result = evaluate(args.split)
    for lang, r in result.items():
        print(f"\n{lang}: {r['n']} answers; macro-F1 drivers {r['macro_f1_drivers']:.3f}, all themes "
              f"{r['macro_f1_all']:.3f}; overall polarity accuracy {r['polarity_accuracy']:.3f}; "
              f"{r['ms_per_answer']:.2f} ms/answer; unsupported lexicon phrases {r['unsupported_phrases']}")
        print(r["scores"].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.output:
        Path(args.output).write_text(json.dumps(
            {lang: {**{k: v for k, v in r.items() if k != "scores"}, "scores": r["scores"].to_dict("records")}
             for lang, r in result.items()}, indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
