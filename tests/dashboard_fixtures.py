"""Shared dashboards for tests/test_dashboard*.py: the example study's, with hostile open answers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.dashboard import build_dashboard
from analysis.report.voice import open_question
from report_fixtures import HOSTILE


@dataclass
class Board:
    path: Path
    html: str
    result: object


@pytest.fixture(scope="session")
def hostile_board(example, inst, tmp_path_factory) -> Board:
    """The example study's dashboard with every open answer replaced by a hostile string."""
    data = example.data.copy()
    why = open_question(inst)
    answers = list(HOSTILE) + ["<svg onload=\"window.__pwned=1\">", "<img src=x onerror=\"window.__pwned=1\">"]
    data[why] = [answers[i % len(answers)] for i in range(len(data))]
    path = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    result = build_dashboard(data, inst, example.quality, out=path, analysis=example.analysis, lang="en")
    return Board(path, path.read_text(encoding="utf-8"), result)
