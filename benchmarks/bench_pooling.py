"""Partial pooling versus none: accuracy, top-two recovery, coverage and a different organisation.

Usage::

    .venv/bin/python benchmarks/bench_pooling.py [--reps 200] [--coverage-reps 100] [--boot 200]
        [--sizes 30,50,95,100,200,400] [--seed 1] [--out results.json]

Simulates studies of 9 organisations with the project's generator
(:func:`analysis.simulation.model.draw_organisation`): 8 whose standardized latent
effects are a common profile plus normal noise (SD :data:`SPREAD`), and one ("Anders")
whose top driver is customer focus, which is third or lower everywhere else. Each
organisation's respondents are scored (construct means), straight-liners are left out
(as the reader's flag would) and three estimators are compared:

* ``none``: what ``analyse_drivers(pooling='none')`` computes (the functions
  :func:`analysis.drivers.pooled.pooled_analysis` calls, on the rows it passes them):
  each organisation on its own data, every respondent (two-pattern ML,
  :mod:`analysis.pooling.moments`, not shrunk), its LMG share intervals the hull of the
  plain and the adjusted-R² percentile intervals, both expanded for the respondents each
  share rests on (Hesterberg 2015; :mod:`analysis.drivers.own_intervals`);
* ``cc`` (historical: ``none`` before issue 12's third round): each organisation on its
  own complete cases (phone respondents with all seven drivers), plain percentile
  intervals (:func:`analysis.bootstrap.importance.bootstrap_importance`);
* ``partial``: the default, ``none``'s covariance shrunk toward the pooled one
  (:mod:`analysis.pooling`), empirical-Bayes intervals.

The truth of an organisation is the LMG share (% of R²) of a draw of
:data:`TRUTH_DRAWS` respondents of the same organisation, complete cases, straight-liners
left out (channel is independent of everything else in the generator, so this is also
the every-respondent estimand). Reported per size: RMSE of the LMG shares over the 8
common organisations and over all 9, the share of organisation samples with the true top
two on top, the different organisation's true top driver first, and (on
``--coverage-reps`` studies with ``--boot`` resamples) the coverage of the 95% intervals
of the LMG shares: for ``none`` and ``cc`` as above, for ``partial`` the empirical-Bayes
intervals of :mod:`analysis.pooling.posterior` (percentile intervals of posterior draws
given each replicate's re-estimated population, its organisations weighted by a Bayesian
bootstrap) for ``partial``, overall, for 'Anders' and per driver.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.bootstrap.importance import bootstrap_importance
from analysis.common.errors import DataError
from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.own_intervals import with_adjusted_share_intervals
from analysis.drivers.sample import GROUP
from analysis.importance.driver_data import variation_problem
from analysis.importance.relative import importance_arrays
from analysis.pooling import pooled_importance
from analysis.scoring.scores import construct_scores, min_answered
from analysis.simulation.model import DRIVERS, DataFeatures, default_profiles, draw_organisation
from analysis.simulation.simulate import simulate_study
from instrument import load_instrument, read_responses

COMMON = dict(reliability=.34, empathy=.28, customer_focus=.08, customer_knowledge=.06, wait_time=.06,
              accessibility=.05, menu=.03)
DIFFERENT = dict(reliability=.12, empathy=.10, customer_focus=.46, customer_knowledge=.06, wait_time=.06,
                 accessibility=.05, menu=.03)
SPREAD = 0.075             # SD of the organisations' effects around the common profile
N_COMMON = 8
TRUTH_DRAWS = 400_000
PROFILE_SEED = 12
OUTCOME = "satisfaction"


def check_scores(inst) -> None:
    """The fast scorer agrees with the project's."""
    draw = draw_organisation(np.random.default_rng(0), inst, profiles()[0], 500, DataFeatures())
    items = pd.DataFrame({i: draw.answers[i] for i in inst.item_ids})
    ref = construct_scores(items.where(items != 99), inst, [*DRIVERS, OUTCOME])
    pd.testing.assert_frame_equal(_scores(inst, draw.answers), ref, check_names=False)


def check_product(inst) -> None:
    """``none`` and ``partial`` here are ``analyse_drivers``' figures on the rows it uses (estimates and intervals)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.csv"
        simulate_study(inst, n_orgs=4, n_per_org=80, seed=3, truth_draws=0).responses.to_csv(path, index=False)
        data, _ = read_responses(path, inst)
    for mode in ("none", "partial"):
        res = analyse_drivers(data, inst, by="organisation", pooling=mode, bootstrap=60, seed=5, sem=False)
        rows = res.used.rename(columns={GROUP: "org"})[[*DRIVERS, OUTCOME, "org"]]
        ours = (own_data(rows, 60, 5) if mode == "none" else
                pooled_importance(rows, OUTCOME, list(DRIVERS), group="org", pooling="partial", n_resamples=60,
                                  seed=5, versus_rest=False).boot)
        theirs = res.importance[res.importance.group != "all"].set_index(["group", "driver"])
        mine = ours.table("lmg_pct").set_index(["group", "driver"]).reindex(theirs.index)
        for a, b in (("estimate", "lmg_pct"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            np.testing.assert_allclose(mine[a].to_numpy(), theirs[b].to_numpy(), atol=1e-9, err_msg=f"{mode} {a}")


def profiles():
    rng = np.random.default_rng(PROFILE_SEED)
    effects = {}
    for k in range(N_COMMON):
        effects[f"Org{k + 1}"] = {d: float(max(0.0, v + rng.normal(0, SPREAD))) for d, v in COMMON.items()}
    effects["Anders"] = dict(DIFFERENT)
    return default_profiles(N_COMMON + 1, effects=effects)


def _scores(inst, answers: dict) -> pd.DataFrame:
    """Construct scores as :func:`analysis.scoring.scores.construct_scores` gives them, in NumPy (20x faster)."""
    out = {}
    for key in [*DRIVERS, OUTCOME]:
        ids = inst.construct(key).item_ids
        cols = []
        for i in ids:
            v = np.where(answers[i] == 99, np.nan, answers[i])
            item = inst.item(i)
            if item.reverse:
                scale = inst.scale(item.scale)
                v = scale.min + scale.max - v
            cols.append(v)
        x = np.column_stack(cols)
        with np.errstate(all="ignore"):
            mean = np.nanmean(x, axis=1)
        out[key] = np.where((~np.isnan(x)).sum(axis=1) >= min_answered(len(ids)), mean, np.nan)
    return pd.DataFrame(out)


def scored(inst, draw) -> pd.DataFrame:
    scores = _scores(inst, draw.answers)
    scores["phone"] = draw.channel == 1
    keep = ~draw.straightliner & scores[OUTCOME].notna()
    common = [d for d in DRIVERS if d not in ("wait_time", "menu")]
    keep &= scores[common].notna().all(axis=1)
    # phone respondents need the phone-only scores (else 'missing_score'); others are not asked
    keep &= ~scores["phone"] | scores[["wait_time", "menu"]].notna().all(axis=1)
    return scores[keep.to_numpy()].reset_index(drop=True)


def truth(inst, profs, seed):
    out = {}
    for k, p in enumerate(profs):
        s = scored(inst, draw_organisation(np.random.default_rng([seed, 999, k]), inst, p, TRUTH_DRAWS,
                                           DataFeatures()))
        x = s[[*DRIVERS, OUTCOME]].dropna().to_numpy()
        a = importance_arrays(np.cov(x, rowvar=False))
        out[p.name] = 100 * a.lmg / a.r2
    return out


def study(inst, profs, n, seed) -> pd.DataFrame:
    frames = []
    for k, p in enumerate(profs):
        s = scored(inst, draw_organisation(np.random.default_rng([seed, k]), inst, p, n, DataFeatures()))
        s["org"] = p.name
        frames.append(s)
    return pd.concat(frames, ignore_index=True)


def lmg_table(res_boot, names) -> pd.DataFrame:
    t = res_boot.table("lmg_pct")
    return t.pivot(index="group", columns="driver", values="estimate")[list(DRIVERS)].reindex(names)


def own_data(data, b, seed):
    """``analyse_drivers(pooling='none')``'s importance for the study's organisations (see the module docstring).

    An organisation with fewer than q + 2 phone respondents has no own covariance (the
    product cannot analyse it on its own: DataError); it is left out here (NaN) and
    counted as not recovered.
    """
    enough = data[DRIVERS[4]].notna().groupby(data.org).sum() >= len(DRIVERS) + 2
    rows = data if enough.all() else data[data.org.map(enough)].reset_index(drop=True)
    res = pooled_importance(rows, OUTCOME, list(DRIVERS), group="org", pooling="none", n_resamples=b, seed=seed,
                            versus_rest=False)
    # what analysis.drivers.pooled.pooled_analysis does next with pooling='none'
    return with_adjusted_share_intervals(res.boot, rows, "org", seed) if b > 2 else res.boot


def complete_cases(data, b, seed):
    """The historical ``none``: each organisation's complete cases, plain percentile intervals."""
    cc = data.dropna(subset=list(DRIVERS))
    # that analysis left out an organisation with too few complete cases (small_group): NaN here
    sizes = cc.groupby("org").size()
    cc = cc[cc.org.map(sizes) >= len(DRIVERS) + 2]
    try:
        res = bootstrap_importance(cc, OUTCOME, list(DRIVERS), group="org", n_resamples=b, seed=seed,
                                   versus_rest=False)
    except DataError:       # a driver constant among a small organisation's complete cases
        keep = [g for g, part in cc.groupby("org")
                if variation_problem(part[[*DRIVERS, OUTCOME]].to_numpy(), list(DRIVERS), OUTCOME) is None]
        res = bootstrap_importance(cc[cc.org.isin(keep)], OUTCOME, list(DRIVERS), group="org", n_resamples=b,
                                   seed=seed, versus_rest=False)
    return res, cc.groupby("org").size().mean()


def one_study(inst, profs, n, seed, boot, with_cc=True):
    data = study(inst, profs, n, seed)
    b = max(boot, 2)
    none = own_data(data, b, seed)
    part = pooled_importance(data, OUTCOME, list(DRIVERS), group="org", pooling="partial", n_resamples=b,
                             seed=seed, versus_rest=False)
    names = [p.name for p in profs]
    results = {"none": none, "partial": part.boot}
    n_used = {"all": data.groupby("org").size().mean()}
    if with_cc:
        results["cc"], n_used["cc"] = complete_cases(data, b, seed)
    est = {m: lmg_table(r, names) for m, r in results.items()}
    ci = {}
    if boot:
        for name, r in results.items():
            t = r.table("lmg_pct")
            ci[name] = (t.pivot(index="group", columns="driver", values="ci_low")[list(DRIVERS)].reindex(names),
                        t.pivot(index="group", columns="driver", values="ci_high")[list(DRIVERS)].reindex(names))
    return est, ci, n_used, part.groups.set_index("group")


def main() -> None:
    # degenerate resamples at 30 per organisation give NaN statistics (left out) and warnings
    warnings.simplefilter("ignore", RuntimeWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--coverage-reps", type=int, default=100)
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--sizes", default="30,50,95,100,200,400")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--no-cc", action="store_true", help="leave out the historical complete-case column")
    args = parser.parse_args()
    inst = load_instrument()
    check_scores(inst)
    check_product(inst)
    profs = profiles()
    names = [p.name for p in profs]
    t0 = time.perf_counter()
    tr = truth(inst, profs, args.seed)
    true = pd.DataFrame(tr, index=list(DRIVERS)).T.loc[names]
    print("truth (LMG % of R²):", file=sys.stderr)
    print(true.round(1).to_string(), file=sys.stderr)
    top2 = {g: frozenset(np.array(DRIVERS)[np.argsort(-true.loc[g].to_numpy())[:2]]) for g in names}
    first = {g: DRIVERS[int(np.argmax(true.loc[g].to_numpy()))] for g in names}
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        start, cpu = time.perf_counter(), time.process_time()
        modes = ("none", "partial") if args.no_cc else ("none", "partial", "cc")
        sq = {m: [] for m in modes}
        hits = {m: [] for m in sq}
        anders = {m: [] for m in sq}
        missing = {m: [] for m in sq}
        cover = {m: [] for m in sq}
        weights, used = [], []
        for r in range(args.reps):
            boot = args.boot if r < args.coverage_reps else 0
            est, ci, n_used, groups = one_study(inst, profs, n, args.seed * 100_000 + n * 1000 + r, boot,
                                                with_cc=not args.no_cc)
            used.append(n_used)
            weights.append(groups["weight"].to_dict())
            for m, e in est.items():
                e = e.loc[names]
                sq[m].append(((e - true) ** 2).to_numpy())
                for g in names:      # an organisation left out (NaN) has not found its top two
                    v = e.loc[g].to_numpy()
                    hits[m].append(bool(np.isfinite(v).all()) and frozenset(e.columns[np.argsort(-v)[:2]]) == top2[g])
                    missing[m].append(not np.isfinite(v).all())
                v = e.loc["Anders"].to_numpy()
                anders[m].append(bool(np.isfinite(v).all()) and DRIVERS[int(np.argmax(v))] == first["Anders"])
            for m, (lo, hi) in ci.items():      # an organisation left out (no interval): NaN, not a miss
                lo, hi = lo.loc[names], hi.loc[names]
                hit = ((lo <= true) & (true <= hi)).to_numpy(dtype=float)
                cover[m].append(np.where(lo.isna().to_numpy() | hi.isna().to_numpy(), np.nan, hit))
        row = {"n_per_org": n, "reps": args.reps, "coverage_reps": min(args.coverage_reps, args.reps),
               "boot": args.boot,
               "used_cc": float(np.mean([u["cc"] for u in used])) if not args.no_cc else None,
               "used_all": float(np.mean([u["all"] for u in used])),
               "weight_common_orgs": float(pd.DataFrame(weights)[names[:N_COMMON]].to_numpy().mean()),
               "weight_anders": float(pd.DataFrame(weights)["Anders"].mean()),
               "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}
        for m in sq:
            a = np.stack(sq[m])                       # reps x orgs x drivers
            row[f"rmse_{m}_common"] = float(np.sqrt(np.nanmean(a[:, :N_COMMON])))
            row[f"rmse_{m}_all"] = float(np.sqrt(np.nanmean(a)))
            row[f"rmse_{m}_anders"] = float(np.sqrt(np.nanmean(a[:, N_COMMON])))
            row[f"top2_{m}"] = float(np.mean(hits[m]))
            row[f"anders_first_{m}"] = float(np.mean(anders[m]))
            row[f"left_out_{m}"] = float(np.mean(missing[m]))
        for m in cover:
            if cover[m]:
                c = np.stack(cover[m])
                row[f"coverage_{m}"] = float(np.nanmean(c))
                # Monte Carlo SE with the studies as clusters (intervals within a study are correlated)
                row[f"coverage_{m}_se"] = float(np.nanstd(np.nanmean(c, axis=(1, 2)), ddof=1) / np.sqrt(len(c)))
                row[f"coverage_{m}_intervals"] = int(np.isfinite(c).sum())
                row[f"coverage_{m}_anders"] = float(np.nanmean(c[:, N_COMMON]))
                row[f"coverage_{m}_by_driver"] = {d: round(float(v), 4) for d, v in zip(DRIVERS, np.nanmean(c, axis=(0, 1)))}
        results.append(row)
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}), flush=True)
    meta = {"command": " ".join(sys.argv), "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
            "machine": f"{platform.machine()} {platform.processor() or ''} {platform.python_version()}",
            "seconds": time.perf_counter() - t0, "truth": true.round(3).to_dict(orient="index")}
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump({"meta": meta, "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
