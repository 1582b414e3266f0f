"""Shared studies for the report tests (imported by tests/test_report_*.py and tests/test_cli_report.py).

``example``: the shipped example study with its analysis (200 resamples, seed 7) and
validation, computed once per test session. ``small_study``: two example
organisations plus an organisation of 20 respondents ('Klein') and a channel of 10
respondents ('social'), to test the minimum group size.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.validation.validation import validate
from instrument import read_responses

EXAMPLE = Path(__file__).parents[1] / "data" / "example"
SAV, CSV = EXAMPLE / "responses.sav", EXAMPLE / "responses.csv"
HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><b>bold</b>', "{{ 7*7 }}",
           "</textarea><p>injected</p>")
SEED, RESAMPLES = 7, 200


@dataclass
class Study:
    data: pd.DataFrame
    quality: object
    analysis: object
    validation: object


@pytest.fixture(scope="session")
def example(inst) -> Study:
    data, quality = read_responses(SAV, inst)
    return Study(data, quality, analyse_drivers(data, inst, by="organisation", bootstrap=RESAMPLES, seed=SEED, pooling="none"),
                 validate(data, inst, by="organisation"))


@pytest.fixture(scope="session")
def small_study(inst) -> Study:
    data, quality = read_responses(SAV, inst)
    keep = data[data.organisation.isin(["Energie", "Telecom"])].copy()
    klein = data[(data.organisation == "Webwinkel") & (data.channel == "phone")].head(20).copy()
    klein["organisation"] = "Klein"
    klein["respondent_id"] = [f"K{i:03d}" for i in range(len(klein))]
    small = pd.concat([keep, klein], ignore_index=True)
    social = small.index[small.channel == "social"]
    small.loc[social[10:], "channel"] = "messaging"        # 10 respondents left on social media
    return Study(small, quality, analyse_drivers(small, inst, by="organisation", bootstrap=100, seed=3, pooling="none"),
                 validate(small, inst, by="organisation", invariance=False))
