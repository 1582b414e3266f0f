"""Shared dashboards for tests/test_dashboard*.py: the example study's, with hostile open answers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.dashboard import build_dashboard
from analysis.drivers.analyse import analyse_drivers
from analysis.report.voice import open_question
from report_fixtures import HOSTILE, RESAMPLES


@dataclass
class Board:
    path: Path
    html: str
    result: object
    data: object = None


@pytest.fixture(scope="session")
def hostile_board(example, inst, tmp_path_factory) -> Board:
    """The example study's dashboard, a hostile string before every open answer (or instead of an empty one).

    The answers keep their words, so they are still coded by theme and quoted in the themes
    view too; the waves are the months of the contact date (three).
    """
    data = example.data.copy()
    why = open_question(inst)
    answers = list(HOSTILE) + ["<svg onload=\"window.__pwned=1\">", "<img src=x onerror=\"window.__pwned=1\">"]
    data[why] = [f"{answers[i % len(answers)]} {text}" if isinstance(text, str) and text.strip()
                 else answers[i % len(answers)] for i, text in enumerate(data[why])]
    path = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    result = build_dashboard(data, inst, example.quality, out=path, analysis=example.analysis, lang="en",
                             period="month", bootstrap=RESAMPLES)
    return Board(path, path.read_text(encoding="utf-8"), result, data)


@pytest.fixture(scope="session")
def pooled_board(example, inst, tmp_path_factory) -> Board:
    """The example study's dashboard with partial pooling (the default), opening in Dutch; no themes or waves view."""
    analysis = analyse_drivers(example.data, inst, by="organisation", bootstrap=100, seed=5, sem=False,
                               pooling="partial")
    path = tmp_path_factory.mktemp("dashboard") / "pooled.html"
    result = build_dashboard(example.data, inst, example.quality, out=path, analysis=analysis, lang="nl",
                             themes=False)
    return Board(path, path.read_text(encoding="utf-8"), result, example.data)
