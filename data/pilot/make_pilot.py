"""Make the synthetic pilot study of notebook 02 (``data/pilot/pilot.xlsx``).

One organisation, 180 respondents, simulated with :func:`analysis.simulate_study`
(the example study's generator, first organisation profile) and then given three
realistic flaws a pilot is run to find:

1. **a weak item**: ``cfo2`` was worded ambiguously in this pilot version, and 60 % of
   the respondents who answered it answered at random (their answers are replaced by
   a random permutation of the item's answers: same distribution, no relation to
   customer focus);
2. **a hard-to-answer item**: 16 % 'don't know / not applicable' (99) on ``ckn4``
   (``DataFeatures.na_rates``; about 1-3 % on the other customer-knowledge items);
3. **typing errors**: three cells were edited by hand in Excel and hold values that
   are not answer codes (``rel2`` = 55, ``emp1`` = 0, ``nps`` = 11).

What was planted (respondent ids) is written beside it, ``pilot.planted.json``.
Everything else (straight-liners, speeders, blanks, phone-only items) is the
generator's default. Run from the repository root::

    .venv/bin/python data/pilot/make_pilot.py [OUTPUT_DIR]

The same seed gives the same data (the .xlsx bytes differ only in the time stamps
openpyxl writes).
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from analysis.simulation.simulate import DataFeatures, simulate_study
from instrument import load_instrument

SEED = 2025
N = 180
ORGANISATION = "Pilot"
WEAK_ITEM, RANDOM_SHARE = "cfo2", 0.60
HARD_ITEM, HARD_NA_RATE = "ckn4", 0.16
TYPING_ERRORS = (("rel2", 55), ("emp1", 0), ("nps", 11))


def make_pilot(seed: int = SEED):
    """The pilot responses (raw file layout) and a description of what was planted."""
    inst = load_instrument()
    defaults = DataFeatures()
    features = replace(defaults, na_rates={**defaults.na_rates, HARD_ITEM: HARD_NA_RATE})
    study = simulate_study(inst, n_orgs=1, n_per_org=N, seed=seed, features=features, truth_draws=0)
    frame = study.responses.copy()
    frame["organisation"] = ORGANISATION
    rng = np.random.default_rng([seed, 1])

    planted_ids = set(study.truth["sample"]["planted"]["straightliners"]) | set(study.truth["sample"]["planted"]["speeders"])
    ordinary = ~frame["respondent_id"].isin(planted_ids)      # leave the planted straight-liners and speeders as they are
    answered = frame.index[frame[WEAK_ITEM].between(1, 7) & ordinary]
    at_random = answered[rng.random(len(answered)) < RANDOM_SHARE]
    frame.loc[at_random, WEAK_ITEM] = rng.permutation(frame.loc[answered, WEAK_ITEM].to_numpy())[:len(at_random)]

    rows = rng.choice(frame.index[(frame["channel"] == 1) & ordinary], size=len(TYPING_ERRORS), replace=False)
    for row, (column, value) in zip(rows, TYPING_ERRORS):
        frame.loc[row, column] = value
    planted = {
        "weak_item": WEAK_ITEM, "answered_at_random": [str(r) for r in frame.loc[at_random, "respondent_id"]],
        "hard_item": HARD_ITEM,
        "typing_errors": [{"respondent_id": str(frame.loc[r, "respondent_id"]), "column": c, "value": v}
                          for r, (c, v) in zip(rows, TYPING_ERRORS)],
        "straightliners": study.truth["sample"]["planted"]["straightliners"],
        "speeders": study.truth["sample"]["planted"]["speeders"],
    }
    return frame, planted


def main(out_dir: Path) -> Path:
    frame, planted = make_pilot()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "pilot.xlsx"
    frame.to_excel(path, index=False, sheet_name="responses")
    (out_dir / "pilot.planted.json").write_text(json.dumps(planted, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    print(f"wrote {main(target)}")
