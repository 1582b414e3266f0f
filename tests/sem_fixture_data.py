"""Seeded data sets for the SEM tests (written to tests/fixtures/sem_*.csv).

Run ``python tests/sem_fixture_data.py`` from the repository root to regenerate
the CSV files; then run the R scripts in ``tests/fixtures/r/sem_*.R`` to
regenerate the lavaan reference values (JSON).  The tests only read the files.

* ``sem_holzinger.csv``: Holzinger & Swineford (1939), as shipped with semopy.
* ``sem_holzinger_missing.csv``: the same with 10% of the x1-x9 values deleted
  completely at random (seed 20240611).
* ``sem_political_democracy.csv``: Bollen (1989), as shipped with semopy.
* ``sem_survey.csv``: a simulated contact-centre survey: 600 respondents in 3
  sites, 31 items on a 1-7 scale measuring 8 correlated factors (7 with 4 items,
  satisfaction with 3); ~3% of answers missing completely at random, the 8 items
  of the two phone-only factors (voc, hld) missing by design for the ~60% of
  respondents who did not use the phone, and 3 respondents with no answers.
  Site C has one intercept (spd2) and one loading (kno3) that differ.
* ``sem_heywood.csv``: two factors whose first has indicator correlations
  .8/.8/.4, so the ML solution has a negative residual variance.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from random_data import normal_rows

FIXTURES = Path(__file__).parent / "fixtures"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_MODEL = """
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
"""
SURVEY_FACTORS = {"acc": 4, "spd": 4, "emp": 4, "kno": 4, "res": 4, "voc": 4, "hld": 4, "sat": 3}
PHONE_ONLY = ("voc", "hld")
SURVEY_MODEL = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, k + 1))
                         for f, k in SURVEY_FACTORS.items())
SURVEY_ITEMS = [f"{f}{i}" for f, k in SURVEY_FACTORS.items() for i in range(1, k + 1)]


def holzinger() -> pd.DataFrame:
    from semopy.examples import holzinger39
    return holzinger39.get_data().reset_index(drop=True)


def holzinger_missing(seed: int = 20240611, share: float = 0.10) -> pd.DataFrame:
    data = holzinger()
    rng = np.random.default_rng(seed)
    cols = [f"x{i}" for i in range(1, 10)]
    values = data[cols].to_numpy(copy=True)
    values[rng.random(values.shape) < share] = np.nan
    data[cols] = values
    return data


def political_democracy() -> pd.DataFrame:
    from semopy.examples import political_democracy as pd_example
    return pd_example.get_data().reset_index(drop=True)


def simulate_survey(n_per_group=(200, 200, 200), seed: int = 7, mcar: float = 0.03,
                    phone_share: float = 0.4, n_empty: int = 3) -> pd.DataFrame:
    """Simulated survey (see module docstring); group labels A, B, C, D, ..."""
    rng = np.random.default_rng(seed)
    k = len(SURVEY_FACTORS)
    phi = np.full((k, k), 0.0)
    upper = rng.uniform(0.30, 0.60, size=(k, k))
    phi = np.triu(upper, 1) + np.triu(upper, 1).T + np.eye(k)
    loadings, residual_sd, intercepts, owner = [], [], [], []
    for f, (name, n_items) in enumerate(SURVEY_FACTORS.items()):
        for _ in range(n_items):
            loadings.append(rng.uniform(0.75, 1.15))
            residual_sd.append(rng.uniform(0.55, 0.85))
            intercepts.append(rng.uniform(4.3, 5.4))
            owner.append(f)
    loadings, residual_sd, intercepts = map(np.array, (loadings, residual_sd, intercepts))
    owner = np.array(owner)
    frames = []
    for g, n in enumerate(n_per_group):
        label = "ABCDEFGH"[g]
        kappa = rng.normal(0.0, 0.15, size=k) if g else np.zeros(k)
        eta = normal_rows(rng, phi, n, mean=kappa)
        lam, nu = loadings.copy(), intercepts.copy()
        if g == 2:  # site C: one non-invariant loading and intercept
            lam[SURVEY_ITEMS.index("kno3")] *= 0.6
            nu[SURVEY_ITEMS.index("spd2")] += 0.6
        y = nu + eta[:, owner] * lam + rng.normal(size=(n, len(lam))) * residual_sd
        y = np.clip(np.rint(y), 1, 7)
        frame = pd.DataFrame(y, columns=SURVEY_ITEMS)
        frame.insert(0, "channel", np.where(rng.random(n) < phone_share, "phone", "web"))
        frame.insert(0, "site", label)
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    values = data[SURVEY_ITEMS].to_numpy(copy=True)
    values[rng.random(values.shape) < mcar] = np.nan
    phone_cols = [i for i, c in enumerate(SURVEY_ITEMS) if c[:3] in PHONE_ONLY]
    values[np.ix_(data["channel"].to_numpy() != "phone", phone_cols)] = np.nan
    values[rng.choice(len(data), size=n_empty, replace=False)] = np.nan
    data[SURVEY_ITEMS] = values
    data.insert(0, "id", np.arange(1, len(data) + 1))
    return data


def heywood(seed: int = 11, n: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    corr = np.eye(6)
    corr[0, 1] = corr[1, 0] = corr[0, 2] = corr[2, 0] = 0.8
    corr[1, 2] = corr[2, 1] = 0.4
    block = np.array([[1, .6, .5], [.6, 1, .55], [.5, .55, 1]])
    corr[3:, 3:] = block
    corr[:3, 3:] = corr[3:, :3] = 0.25
    y = normal_rows(rng, corr, n)
    return pd.DataFrame(y, columns=[f"x{i}" for i in range(1, 7)])


def write_all() -> None:
    holzinger().to_csv(FIXTURES / "sem_holzinger.csv", index=False)
    holzinger_missing().to_csv(FIXTURES / "sem_holzinger_missing.csv", index=False)
    political_democracy().to_csv(FIXTURES / "sem_political_democracy.csv", index=False)
    simulate_survey().to_csv(FIXTURES / "sem_survey.csv", index=False)
    heywood().to_csv(FIXTURES / "sem_heywood.csv", index=False)


if __name__ == "__main__":
    write_all()
