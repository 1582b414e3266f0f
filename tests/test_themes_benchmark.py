"""The theme coding's development figure stays at its recorded value; the held-out protocol holds.

The figures are those of ``benchmarks/bench_themes.py --split dev``: all of
``tests/data/themes/answers.csv``, development material (its former held-out half was
retired to development after it had been looked at three times; GUIDE.md, 'Split'). They
are **development figures, not held-out ones**: a change to the lexicons or the rules that
lowers the macro-F1 over the driver themes by more than :data:`MARGIN` fails here. The
held-out set is the fresh blind set (``fresh_{nl,en}.csv``), which these tests never read:
the ``--split fresh`` reading is checked on a made-up file in a temporary folder. The
held-out protocol itself is checked too: every lexicon phrase is supported by a
development answer or the simulator's phrase bank, so nothing was taken from the fresh set.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# Recorded in benchmarks/RESULTS.md ("Theme coding of the open answers"), all of answers.csv (development).
RECORDED_DEV = {"nl": 0.905, "en": 0.888}
MARGIN = 0.03


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_themes", ROOT / "benchmarks" / "bench_themes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def development(bench):
    return bench.evaluate("dev")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_development_macro_f1_stays_at_the_recorded_figure(development, lang):
    assert development[lang]["macro_f1_drivers"] >= RECORDED_DEV[lang] - MARGIN
    assert development[lang]["n"] >= 400          # both halves of answers.csv


def test_recorded_figures_are_those_in_results_md():
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    section = text[text.index("## Theme coding of the open answers"):]
    for lang, value in RECORDED_DEV.items():
        assert re.search(rf"\|\s*{lang}\s*\|[^\n]*development[^\n]*\*\*{value:.3f}\*\*", section), lang


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lexicon_phrases_come_from_the_development_material_or_the_simulator(development, lang):
    assert development[lang]["unsupported_phrases"] == 0


def _write(path: Path, rows: list[tuple[str, str, str, str, str]], split: str) -> None:
    lines = ["id,language,text,themes,polarity,split"]
    lines += [f'{i},{lang},"{text}",{themes},{pol},{split}' for i, lang, text, themes, pol in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_fresh_split_reads_the_fresh_files_in_the_same_report_format(bench, tmp_path):
    # a made-up folder: the real fresh set is evaluated by the lead only, never by the tests
    _write(tmp_path / "answers.csv", [("nl-1", "nl", "Veel te lang in de wacht", "wait_time:complaint", "complaint"),
                                      ("en-1", "en", "Far too long on hold", "wait_time:complaint", "complaint")], "dev")
    _write(tmp_path / "fresh_nl.csv", [("f-nl-1", "nl", "De medewerker was heel vriendelijk", "empathy:praise", "praise"),
                                       ("f-nl-2", "nl", "Het keuzemenu is een doolhof", "menu:complaint", "complaint")],
           "fresh")
    _write(tmp_path / "fresh_en.csv", [("f-en-1", "en", "The agent was very friendly", "empathy:praise", "praise")], "fresh")
    fresh, dev = bench.evaluate("fresh", tmp_path), bench.evaluate("dev", tmp_path)
    assert (fresh["nl"]["n"], fresh["en"]["n"], dev["nl"]["n"], dev["en"]["n"]) == (2, 1, 1, 1)
    scores = fresh["nl"]["scores"].set_index("theme")
    assert scores.loc["empathy", "tp"] == 1 and scores.loc["menu", "tp"] == 1
    assert set(fresh["nl"]) == set(dev["nl"])           # the same report


def test_fresh_split_without_the_files_says_where_they_belong(bench, tmp_path):
    _write(tmp_path / "answers.csv", [("nl-1", "nl", "Top", "", "praise")], "dev")
    with pytest.raises(SystemExit, match="fresh_nl.csv: not present"):
        bench.evaluate("fresh", tmp_path)
