"""``analyse_dissatisfiers``: penalty-reward contrast analysis of a study, per group.

The respondents are those the driver analysis uses
(:func:`analysis.drivers.sample.analysis_sample`: an outcome and a score for every
driver asked in their channel, flagged respondents left out), every one of them: as in
the driver analysis, a chat or e-mail respondent without the phone-only drivers is used,
the common drivers' contrasts resting on every respondent and the phone-only drivers'
on the phone respondents (one regression with a 'not asked' indicator,
:mod:`analysis.dissatisfiers.contrast`). Each group is analysed on the drivers that
apply to it (:func:`analysis.drivers.per_group.applicable_drivers`): a group without any
answer to a driver (e.g. ``by='channel'``, chat) is analysed without it. Every
respondent not used is counted per group and reason (``respondents`` and
``exclusion_counts`` of the result; the codes of :mod:`analysis.drivers.sample`, and
``too_few`` for a group too small for a contrast). Each group is
resampled within itself from its own stream, spawned from ``seed`` with
``numpy.random.SeedSequence`` in the order of the groups (as :mod:`analysis.bootstrap`
does), so a group's result does not depend on the other groups. Pure: no file is read
or written.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.common.errors import DataError
from analysis.common.groups import ALL
from analysis.common.options import validate_options
from analysis.dissatisfiers.contrast import (
    CLASSES, classify, classify_with_interval, impact_asymmetry, penalty_reward,
)
from analysis.dissatisfiers.result import COLUMNS, RESPONDENT_COLUMNS, DissatisfierAnalysis
from analysis.drivers.per_group import applicable_drivers
from analysis.drivers.sample import GROUP, analysis_sample
from analysis.scoring.sample import check_group_column
from instrument import Instrument

# Fewer usable respondents than this per driver leave too few in each quarter for a contrast.
MIN_PER_DRIVER = 10


@validate_options("bootstrap", "seed", "level", "outcome")
def analyse_dissatisfiers(data: pd.DataFrame, inst: Instrument | None = None, *, by: str | None = "organisation",
                          outcome: str = "satisfaction", drivers: Sequence[str] | None = None,
                          bootstrap: int = 1000, seed: int | None = None, level: float = 0.95,
                          exclude_flagged: bool = True) -> DissatisfierAnalysis:
    """Classify each driver per group as basic, performance or excitement factor.

    Penalty-reward contrast analysis (Brandt 1987; Matzler et al. 2004); the method,
    the cut points and the classification rule are in
    :mod:`analysis.dissatisfiers.contrast`.

    Parameters
    ----------
    data : DataFrame
        Responses from :func:`instrument.read_responses`.
    inst : Instrument, optional
        The questionnaire; the shipped one by default.
    by : str or None, default 'organisation'
        Grouping column; None analyses the whole sample only.
    outcome : {'satisfaction', 'csat', 'nps', 'ces'}
    drivers : sequence of str, optional
        Driver keys; by default every driver, each group on the drivers that apply to it.
    bootstrap : int, default 1000
        Resamples within each group.
    seed : int, optional
        Seed of the bootstrap; when None one is drawn at random and recorded in
        ``settings['seed']``, so the run can be repeated.
    level : float, default 0.95
        Level of the percentile interval of ``penalty - reward`` (per point).
    exclude_flagged : bool, default True

    Returns
    -------
    DissatisfierAnalysis

    Examples
    --------
    >>> from instrument import load_instrument, read_responses
    >>> inst = load_instrument()
    >>> data, _ = read_responses("data/example/responses.csv", inst)
    >>> res = analyse_dissatisfiers(data, inst, bootstrap=50, seed=1)
    >>> set(res.table["class"]) <= {"basic", "performance", "excitement", "undetermined"}
    True
    >>> res.table.groupby("group").size().tolist()
    [7, 7, 7, 7]
    >>> res.respondents[["group", "n_input", "n_used", "n_complete"]].values.tolist()[0]  # every channel used
    ['Energie', 375, 357, 221]
    >>> res.exclusion_counts.groupby("code").n.sum().to_dict()      # and who is not, and why
    {'flagged': 80, 'missing_score': 1, 'no_outcome': 2}
    """
    if inst is None:
        from instrument import load_instrument
        inst = load_instrument()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    keys = list(inst.driver_keys) if drivers is None else list(drivers)
    unknown = [d for d in keys if d not in inst.driver_keys]
    if unknown:
        raise DataError(f"unknown driver(s) {', '.join(unknown)}; the drivers are {', '.join(inst.driver_keys)}")
    check_group_column(data, by)
    if outcome == "satisfaction":
        outcome = inst.outcome_construct.key
    if by is None:
        sets = {ALL: tuple(keys)}
    else:
        sets = applicable_drivers(data, inst, by, keys) if drivers is None else None
    # one sample per driver set: the respondents with a score for exactly those drivers
    samples = {}
    for s in sorted(set(sets.values()) if sets is not None else {tuple(keys)}):
        if s:
            samples[s] = analysis_sample(data, inst, by=by, outcome=outcome, drivers=list(s),
                                         exclude_flagged=exclude_flagged)
    labels = sorted(sets) if sets is not None else sorted(
        str(g) for g in data[by].dropna().astype("string").unique())
    # a seed drawn at random is recorded (as analyse_drivers does): the result names the seed that repeats it
    root = np.random.SeedSequence(seed)
    seed = int(root.entropy) if seed is None else seed
    streams = root.spawn(len(labels))
    rows, notes, respondents, counts = [], [], [], []
    alpha = (1 - level) / 2
    for label, stream in zip(labels, streams):
        group_drivers = sets[label] if sets is not None else tuple(keys)
        if not group_drivers:
            notes.append(f"group '{label}': no driver applies; left out")
            n_in = int(data[by].astype("string").eq(label).fillna(False).sum()) if by is not None else len(data)
            respondents.append({"group": label, "n_input": n_in, "n_used": 0, "n_complete": 0})
            counts.append({"group": label, "code": "too_few", "n": n_in})
            continue
        sample = samples[group_drivers]
        in_group = (sample.frame[GROUP].astype("string") == label).fillna(False).to_numpy()
        used = _used(sample) & in_group
        frame = sample.frame[used]
        asked = frame[list(group_drivers)].notna().to_numpy()
        excluded = sample.excluded[(sample.excluded[GROUP].astype("string") == label).fillna(False).to_numpy()
                                   & ~_by_design(sample.excluded)]
        counts += [{"group": label, "code": code, "n": int(n)}
                   for code, n in excluded.code.astype(str).value_counts(sort=False).items() if n]
        need = MIN_PER_DRIVER * len(group_drivers)
        fewest = int(asked.sum(axis=0).min()) if len(frame) else 0
        respondents.append({"group": label, "n_input": int(in_group.sum()), "n_used": len(frame) if fewest >= need
                            else 0, "n_complete": int(asked.all(axis=1).sum()) if fewest >= need else 0})
        if fewest < need:
            notes.append(f"group '{label}': {fewest} usable respondents with every driver asked, fewer than the "
                         f"{need} a contrast of {len(group_drivers)} drivers needs; left out")
            counts.append({"group": label, "code": "too_few", "n": len(frame)})
            continue
        contrast = penalty_reward(frame[list(group_drivers)].to_numpy(float), frame[outcome].to_numpy(float),
                                  bootstrap, np.random.default_rng(stream))
        rows += _group_rows(label, group_drivers, len(frame), contrast, alpha)
        if len(group_drivers) < len(keys):
            notes.append(f"group '{label}': analysed on {', '.join(group_drivers)} (the other drivers were not "
                         "asked there)")
    if not rows:
        raise DataError("no group has enough usable respondents for a penalty-reward contrast; "
                        f"at least {MIN_PER_DRIVER} per driver are needed")
    table = pd.DataFrame(rows, columns=COLUMNS)
    if by is not None:          # respondents without a group: in no group's count (the same in every sample)
        first = next(iter(samples.values()))
        no_group = int(first.excluded.code.astype(str).eq("no_group").sum())
        if no_group:
            counts.append({"group": None, "code": "no_group", "n": no_group})
    settings = {"by": by, "outcome": outcome, "bootstrap": bootstrap, "seed": seed, "level": level,
                "exclude_flagged": exclude_flagged}
    return DissatisfierAnalysis(table=table, settings=settings, notes=tuple(notes),
                                respondents=pd.DataFrame(respondents, columns=RESPONDENT_COLUMNS),
                                exclusion_counts=pd.DataFrame(counts, columns=["group", "code", "n"]))


def _by_design(excluded: pd.DataFrame) -> np.ndarray:
    """Excluded rows whose only reason is a driver not asked in their channel (code ``not_asked``)."""
    return excluded.code.astype(str).eq("not_asked").to_numpy()


def _used(sample) -> np.ndarray:
    """The sample's used respondents and those without only the drivers not asked in their channel.

    The latter are used as :func:`analysis.drivers.pooled.pooled_analysis` uses them:
    their dummies of those drivers are 0 (:mod:`analysis.dissatisfiers.contrast`).
    """
    used = sample.used.copy()
    used[np.flatnonzero(~sample.used)[_by_design(sample.excluded)]] = True
    return used


def _group_rows(label: str, drivers: tuple, n: int, c, alpha: float) -> list[dict]:
    ia = impact_asymmetry(c.penalty_per_point, c.reward_per_point)
    boot_classes = classify(c.boot_penalty, c.boot_reward) if c.boot_penalty.size else None
    diff = c.boot_penalty - c.boot_reward
    rows = []
    for k, d in enumerate(drivers):
        row = {"group": label, "driver": d, "n": n, "n_driver": int(c.n_asked[k]), "low_cut": c.low_cut[k],
               "high_cut": c.high_cut[k],
               "low_share": c.low_share[k], "high_share": c.high_share[k], "penalty": c.penalty[k],
               "reward": c.reward[k], "penalty_per_point": c.penalty_per_point[k],
               "reward_per_point": c.reward_per_point[k], "asymmetry": ia[k], "class": None}
        valid = ~np.isnan(diff[:, k]) if boot_classes is not None else np.zeros(0, bool)
        n_valid = int(valid.sum())
        for cls in CLASSES:
            row[f"share_{cls}"] = float((boot_classes[valid, k] == cls).mean()) if n_valid else np.nan
        row["diff_low"], row["diff_high"] = (np.quantile(diff[valid, k], [alpha, 1 - alpha]) if n_valid
                                             else (np.nan, np.nan))
        row["n_resamples"] = n_valid
        rows.append(row)
    classes = classify_with_interval(c.penalty_per_point, c.reward_per_point,
                                     np.array([r["diff_low"] for r in rows]), np.array([r["diff_high"] for r in rows]))
    for row, cls in zip(rows, classes):
        row["class"] = cls
    return rows
