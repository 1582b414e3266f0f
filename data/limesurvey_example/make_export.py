"""Make the synthetic LimeSurvey response export of notebook 03.

A study of three organisations x 250 respondents simulated with
:func:`analysis.simulate_study` (the example study's generator, its first three
organisation profiles and default data features: straight-liners, speeders, 'don't
know' answers, blanks, open answers with fake personal data), written with
:func:`instrument.platforms.write_limesurvey_export` as LimeSurvey's *Export responses*
writes it: headings 'Question code', 'Answer codes', comma separated, UTF-8 with BOM.
The survey is the one ``drivers export limesurvey`` builds, so the export reads back
without a mapping file. Run from the repository root::

    .venv/bin/python data/limesurvey_example/make_export.py [OUTPUT_DIR]

The same seed gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

from analysis.simulation.simulate import simulate_study
from instrument import load_instrument
from instrument.platforms import write_limesurvey_export

SEED = 1103
N_ORGS, N_PER_ORG = 3, 250
FILE_NAME = "results-survey-ccc.csv"   # LimeSurvey names its exports results-survey<id>.csv


def main(out_dir: Path) -> Path:
    inst = load_instrument()
    study = simulate_study(inst, n_orgs=N_ORGS, n_per_org=N_PER_ORG, seed=SEED, truth_draws=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_limesurvey_export(study.responses, out_dir / FILE_NAME, inst, answers="codes", lang="nl",
                                   seed=SEED)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    print(f"wrote {main(target)}")
