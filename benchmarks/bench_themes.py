"""Agreement of the theme coding with the hand labels: per-theme precision/recall, macro-F1.

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_themes.py [--split dev|cross|fresh2] [--method combined|lexicon]
                                                [--output FILE]

Labelled sets, all labelled with ``tests/data/themes/GUIDE.md``:

* ``--split dev`` (the default): **all development material**: every answer of
  ``tests/data/themes/answers.csv`` (splits ``dev`` and ``retired``) and of the first
  fresh blind set ``fresh_{nl,en}.csv`` (evaluated once in session 4, then retired to
  development: split ``retired``). The lexicons were tuned and the classifier is trained
  on it, so its figures are **development figures, not held-out ones**.
* ``--split cross``: the **cross-source estimate** of what a new set will show, from
  development material only. Per language, two folds, each trained on one writer's
  labelled answers plus the simulator's phrase bank and tested on the other's:
  answers.csv -> fresh (the lexicons were never tuned on the fresh set before it was
  retired, so this fold is honest for every method) and fresh -> answers.csv (honest
  for the classifier alone; the lexicons were written from answers.csv, so the
  combined and lexicon figures of this fold are development figures). Also a small grid
  of the combination's weight and threshold (the method's choice,
  :mod:`analysis.themes.classifier`).
* ``--split fresh2``: the second blind set ``tests/data/themes/fresh2_{nl,en}.csv`` (same
  columns as the others; split value ``fresh2``), written and labelled by others without
  sight of the method. It is the held-out set: evaluated once, by the lead, after the
  method is merged; never read or evaluated while tuning (not by the tests either).

``--method combined`` (default) is the shipped coder (lexicon and classifier,
:func:`analysis.themes.classifier.code_texts`); ``--method lexicon`` the lexicon rules
alone (:func:`analysis.themes.coding.code_text`), for comparison.

For each language: per-theme support, precision, recall, F1 and polarity agreement
(:func:`analysis.themes.evaluate.theme_scores`), the macro-F1 over the seven driver themes
and over all eleven, the accuracy of the answer's overall polarity, the CPU time per
answer (after training), and the audit of the lexicons' phrases (supported by neither the
development material nor the simulator's phrase bank: must be 0).
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
from analysis.themes.classifier import (LEXICON_WEIGHT, THRESHOLD, code_with_model, combine,  # noqa: E402
                                        load_model, probabilities, sentiment, train_model)
from analysis.themes.coding import code_text  # noqa: E402
from analysis.themes.evaluate import (macro_f1, parse_labels, polarity_accuracy, theme_scores,  # noqa: E402
                                      unsupported_phrases)
from analysis.themes.lexicon import DRIVER_THEMES, THEMES, load_lexicon  # noqa: E402

FOLDER = ROOT / "tests" / "data" / "themes"
SPLITS = ("dev", "cross", "fresh2")
METHODS = ("combined", "lexicon")
COLUMNS = ("language", "text", "themes", "polarity")
DEVELOPMENT = ("dev", "retired")
# The grid of the soft vote (lexicon weight, threshold) shown by --split cross.
GRID_WEIGHTS = (0.0, 0.15, 0.25, 0.35, 0.5)
GRID_THRESHOLDS = (0.3, 0.4, 0.5, 0.6)


def simulator_bank(lang: str) -> list[str]:
    """Every sentence of the simulator's phrase bank in ``lang`` (a tuning source besides the dev material)."""
    bank = [p for d in (simtext.PRAISE, simtext.COMPLAINT, simtext.OTHER_PRAISE, simtext.OTHER_COMPLAINT)
            for ps in d[lang].values() for p in ps]
    bank += [p for d in (simtext.OPENERS, simtext.CLOSERS) for ps in d[lang].values() for p in ps]
    return bank + simtext.NEUTRAL[lang] + simtext.GENERIC_PRAISE[lang] + simtext.GENERIC_COMPLAINT[lang]


def bank_labelled(lang: str) -> pd.DataFrame:
    """The phrase bank's theme sentences as labelled rows (one theme each)."""
    rows = [{"text": p, "themes": f"{theme}:{tone}", "polarity": tone}
            for d, tone in ((simtext.PRAISE, "praise"), (simtext.COMPLAINT, "complaint"),
                            (simtext.OTHER_PRAISE, "praise"), (simtext.OTHER_COMPLAINT, "complaint"))
            for theme, ps in d[lang].items() for p in ps]
    return pd.DataFrame(rows)


def _read(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        sys.exit(f"{path}: no column {', '.join(missing)}; the labelled sets have the columns of GUIDE.md")
    return table


def _one(path: Path, lang: str, what: str) -> pd.DataFrame:
    if not path.is_file():
        sys.exit(f"{path}: not present; {what}")
    table = _read(path)
    return table[table.language == lang]


def source(name: str, lang: str, folder: Path = FOLDER) -> pd.DataFrame:
    """One labelled source of development material: 'answers' (answers.csv) or 'fresh' (the retired fresh set)."""
    if name == "answers":
        table = _one(folder / "answers.csv", lang, "the development answers are tests/data/themes/answers.csv")
    else:
        table = _one(folder / f"fresh_{lang}.csv", lang, "the retired fresh set is tests/data/themes/fresh_{nl,en}.csv")
    return table[table.split.isin(DEVELOPMENT)] if "split" in table else table


def labelled(split: str, lang: str, folder: Path = FOLDER) -> pd.DataFrame:
    """The labelled answers of one split and language (see the module docstring)."""
    if split in ("dev", "cross"):
        parts = [source("answers", lang, folder)]
        if (folder / f"fresh_{lang}.csv").is_file():
            parts.append(source("fresh", lang, folder))
        return pd.concat(parts, ignore_index=True)
    if split == "fresh2":
        return _one(folder / f"fresh2_{lang}.csv", lang,
                    "the second blind set is written to tests/data/themes/fresh2_{nl,en}.csv")
    sys.exit(f"split must be one of {', '.join(SPLITS)}, got {split!r}")


def _figures(part: pd.DataFrame, coded: list, seconds: float) -> dict:
    truth = [parse_labels(cell) for cell in part.themes]
    scores = theme_scores(truth, [c[0] for c in coded])
    return {"n": len(part), "scores": scores, "macro_f1_drivers": macro_f1(scores, DRIVER_THEMES),
            "macro_f1_all": macro_f1(scores, THEMES),
            "polarity_accuracy": polarity_accuracy(list(part.polarity), [c[1] for c in coded]),
            "ms_per_answer": 1000 * seconds / max(len(part), 1)}


def _audit(lang: str, folder: Path) -> int:
    """Lexicon phrases supported by neither the development material nor the phrase bank."""
    development = labelled("dev", lang, folder).text
    spec = yaml.safe_load((ROOT / "analysis" / "themes" / "data" / f"lexicon_{lang}.yaml").read_text("utf-8"))
    return len(unsupported_phrases(spec, [*development, *simulator_bank(lang)], lang))


def evaluate(split: str = "dev", folder: Path = FOLDER, method: str = "combined") -> dict:
    """Scores per language on one labelled set (``split``: 'dev' or 'fresh2'; see the module docstring)."""
    if method not in METHODS:
        sys.exit(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    out = {}
    for lang in ("nl", "en"):
        part = labelled(split, lang, folder)
        texts = list(part.text)
        if method == "combined":
            model = load_model(lang)                 # trained once, before the clock starts
            start = time.process_time()
            coded = code_with_model(texts, model)
        else:
            lexicon = load_lexicon(lang)
            start = time.process_time()
            coded = [code_text(text, lexicon) for text in texts]
        out[lang] = {**_figures(part, coded, time.process_time() - start),
                     "unsupported_phrases": _audit(lang, folder)}
    return out


def _train(rows: pd.DataFrame, lang: str):
    return train_model(list(rows.text), [parse_labels(c) for c in rows.themes], lang, polarity=list(rows.polarity))


def cross_source(folder: Path = FOLDER) -> dict:
    """The cross-source folds per language (see the module docstring): figures of three methods and the grid."""
    out = {}
    for lang in ("nl", "en"):
        lexicon = load_lexicon(lang)
        bank = bank_labelled(lang)
        folds = {}
        for train_name, test_name in (("answers", "fresh"), ("fresh", "answers")):
            train, test = source(train_name, lang, folder), source(test_name, lang, folder)
            start = time.process_time()
            model = _train(pd.concat([train, bank], ignore_index=True), lang)
            fit_seconds = time.process_time() - start
            texts = list(test.text)
            lexicon_coded = [code_text(t, lexicon) for t in texts]
            probs, signs = probabilities(model, texts), sentiment(model, texts)
            classifier_only = combine([({}, "neutral")] * len(texts), probs, signs, weight=0.0)
            grid = {(w, t): macro_f1(theme_scores([parse_labels(c) for c in test.themes],
                                                  [c[0] for c in combine(lexicon_coded, probs, signs, w, t)]))
                    for w in GRID_WEIGHTS for t in GRID_THRESHOLDS}
            folds[f"{train_name}->{test_name}"] = {
                "n_train": model.n_train, "fit_seconds": fit_seconds,
                "combined": _figures(test, combine(lexicon_coded, probs, signs), 0.0),
                "classifier": _figures(test, classifier_only, 0.0),
                "lexicon": _figures(test, lexicon_coded, 0.0), "grid": grid}
        out[lang] = folds
    return out


def _print_cross(result: dict) -> None:
    print(f"shipped soft vote: lexicon weight {LEXICON_WEIGHT}, threshold {THRESHOLD}")
    for lang, folds in result.items():
        for name, fold in folds.items():
            print(f"\n{lang}, train {name.split('->')[0]} + phrase bank ({fold['n_train']} texts, "
                  f"{fold['fit_seconds']:.2f} s CPU) -> test {name.split('->')[1]} ({fold['combined']['n']} answers)")
            for method in ("combined", "classifier", "lexicon"):
                r = fold[method]
                print(f"  {method:10s} macro-F1 drivers {r['macro_f1_drivers']:.3f}, all themes {r['macro_f1_all']:.3f},"
                      f" overall polarity accuracy {r['polarity_accuracy']:.3f}")
            print("  grid, macro-F1 drivers (weight: thresholds " + ", ".join(map(str, GRID_THRESHOLDS)) + "): "
                  + "; ".join(f"{w}: " + " ".join(f"{fold['grid'][(w, t)]:.3f}" for t in GRID_THRESHOLDS)
                              for w in GRID_WEIGHTS))
            print(fold["combined"]["scores"].to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=SPLITS,
                        help="dev: all development material; cross: cross-source estimate; fresh2: the blind set")
    parser.add_argument("--method", default="combined", choices=METHODS,
                        help="combined: lexicon and classifier (shipped); lexicon: the rules alone")
    parser.add_argument("--output", help="also write the figures as JSON here")
    args = parser.parse_args()
    kind = {"fresh2": "HELD-OUT figures (blind set)", "cross": "cross-source estimate (development material only)",
            "dev": "DEVELOPMENT figures (tuned and trained on these answers)"}[args.split]
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; split {args.split}: {kind}; method {args.method}")
    if args.split == "cross":
        result = cross_source()
        _print_cross(result)
        if args.output:
            Path(args.output).write_text(json.dumps(
                {lang: {name: {m: {k: v for k, v in fold[m].items() if k != "scores"} | {
                    "scores": fold[m]["scores"].to_dict("records")} for m in ("combined", "classifier", "lexicon")}
                    | {"grid": {f"{w},{t}": v for (w, t), v in fold["grid"].items()}}
                    for name, fold in folds.items()} for lang, folds in result.items()},
                indent=2, default=float), encoding="utf-8")
        return
    result = evaluate(args.split, method=args.method)
    for lang, r in result.items():
        print(f"\n{lang}: {r['n']} answers; macro-F1 drivers {r['macro_f1_drivers']:.3f}, all themes "
              f"{r['macro_f1_all']:.3f}; overall polarity accuracy {r['polarity_accuracy']:.3f}; "
              f"{r['ms_per_answer']:.2f} ms CPU/answer; unsupported lexicon phrases {r['unsupported_phrases']}")
        print(r["scores"].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.output:
        Path(args.output).write_text(json.dumps(
            {lang: {"split": args.split, "method": args.method, **{k: v for k, v in r.items() if k != "scores"},
                    "scores": r["scores"].to_dict("records")}
             for lang, r in result.items()}, indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
