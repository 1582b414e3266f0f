"""Coverage and error of ``pooling='none'``: complete cases or every respondent, plain or adjusted LMG (issue 12).

Usage::

    .venv/bin/python benchmarks/bench_none_estimators.py [--sizes 30,50,100,200,400] [--studies 20]
        [--boot 200] [--seed 1]

The design of ``benchmarks/bench_pooling.py`` (9 organisations, the same studies per
size and seed). Each organisation is estimated from its own data only, in two samples:

* ``cc``: its complete cases (the phone respondents with all seven drivers), what
  ``--pooling none`` used before issue 12;
* ``all``: every respondent, the two-pattern ML covariance of
  :mod:`analysis.pooling.moments` (the phone-only drivers from the phone respondents,
  the others from everyone), what ``--pooling none`` uses now;

and these estimators of the LMG share (% of R²) from the same covariance:

* ``plain``: LMG of the subset R² (Lindeman, Merenda & Gold 1980), what the toolkit reports;
* ``adj``: LMG of Ezekiel-adjusted subset R² (Ezekiel 1930), ``R²_adj(S) = R²(S) - (1 -
  R²(S)) (k_A / (n - k - 1) + k_B / (n_c - k - 1))`` for a subset of ``k = k_A + k_B``
  drivers, ``k_B`` of them phone-only (``n`` respondents, ``n_c`` of them with the
  phone-only drivers; with one pattern the usual ``k / (n - k - 1)``): each driver's
  chance contribution to R², about ``(1 - R²) / (n - k - 1)``, is what flattens the plain
  shares in small samples; shares of the sum of the adjusted LMG values (= adjusted R²);
* ``adjclip``: ``adj`` with negative LMG values set to 0 before the shares are formed
  (the shares of ``adj`` divide by an adjusted R² that can be near 0 or negative);
* ``hull``: the plain estimate with the hull of the ``plain`` and ``adjclip`` intervals
  (also printed: how often the plain estimate lies inside the ``adjclip`` interval);
* ``hulladj``: the plain estimate with the hull of the ``plain`` and ``adj`` intervals,
  cut to 0-100: what ``--pooling none`` reports (:mod:`analysis.drivers.own_intervals`).

References: Ezekiel, M. (1930). *Methods of Correlation Analysis*. Wiley. Lindeman,
Merenda & Gold (1980); Efron & Tibshirani (1993).

Intervals: 95% percentile intervals of the same estimator over ``--boot`` resamples of
respondents within the organisation (the product's resampling, one stream per
organisation). Printed per size and combination: coverage of the true shares (as in
``bench_none_intervals.py``: LMG of a 100,000-respondent draw), median width, misses
below/above, RMSE over the 8 common organisations, and the mean estimate of the largest
and the smallest true share of each organisation against their truth.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pooling as bp  # noqa: E402

from analysis.bootstrap.engine import resample_counts  # noqa: E402
from analysis.bootstrap.importance import group_generators  # noqa: E402
from analysis.importance.adjusted import adjusted_lmg_shares  # noqa: E402
from analysis.importance.relative import importance_arrays  # noqa: E402
from analysis.pooling.moments import (find_blocks, own_covariance, pattern_features,  # noqa: E402
                                      stats_from_sums, to_original_order)
from analysis.simulation.model import DRIVERS  # noqa: E402
from instrument import load_instrument  # noqa: E402

LEVEL = 0.95
PHONE_ONLY = ("wait_time", "menu")
ESTIMATORS = ("plain", "adj", "adjclip", "hull", "hulladj")


def covariances(values: np.ndarray, rng: np.random.Generator, n_boot: int):
    """Own-data covariance (two patterns, or one) of the sample and of ``n_boot`` resamples; n, n_c."""
    blocks, complete = find_blocks(values, [*DRIVERS, bp.OUTCOME])
    centre = np.nanmean(values, axis=0)
    features = pattern_features(values, complete, blocks, centre)
    n = len(values)
    sums = np.vstack([features.sum(axis=0)[None], resample_counts(rng, n, n_boot).astype(float) @ features])
    stats = stats_from_sums(sums, n, blocks)
    cov = to_original_order(own_covariance(stats, len(blocks.common)), blocks)
    return cov[0], cov[1:], n, int(complete.sum())


def shares(cov: np.ndarray, n: int, n_c: int, estimator: str) -> np.ndarray:
    """LMG shares (% of R²) of a stack of covariances: plain, adjusted, adjusted with negative LMG set to 0."""
    if estimator in ("plain", "hull", "hulladj"):
        a = importance_arrays(cov)
        return 100 * a.lmg / a.r2[..., None]
    partial = [DRIVERS.index(d) for d in PHONE_ONLY]
    if estimator == "adjclip":
        return adjusted_lmg_shares(cov, n, n_partial=n_c, partial=partial)
    return adjusted_lmg_shares(cov, n, n_partial=n_c, partial=partial, clip=False)


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,50,100,200,400")
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    inst = load_instrument()
    profs = bp.profiles()
    names = [p.name for p in profs]
    bp.TRUTH_DRAWS = 100_000
    true = pd.DataFrame(bp.truth(inst, profs, args.seed), index=list(DRIVERS)).T.loc[names]
    combos = [(s, e) for s in ("cc", "all") for e in ESTIMATORS]
    alpha = (1 - LEVEL) / 2
    for n in [int(s) for s in args.sizes.split(",")]:
        acc = {c: {"hit": [], "width": [], "below": [], "above": [], "sq": [], "top": [], "bottom": []}
               for c in combos}
        skipped = {s: 0 for s in ("cc", "all")}
        inside = {}
        for r in range(args.studies):
            seed = args.seed * 100_000 + n * 1000 + r           # bench_pooling.py's studies
            data = bp.study(inst, profs, n, seed)
            rngs, _ = group_generators(seed, len(names))
            for k, g in enumerate(names):
                part = data[data.org == g]
                values = part[[*DRIVERS, bp.OUTCOME]].to_numpy(float)
                t = true.loc[g].to_numpy()
                for sample in ("cc", "all"):
                    v = values[~np.isnan(values).any(axis=1)] if sample == "cc" else values
                    if (~np.isnan(v).any(axis=1)).sum() < len(DRIVERS) + 2:      # the product leaves it out
                        skipped[sample] += 1
                        continue
                    # the same resamples for both estimators of a sample
                    rng = np.random.default_rng(rngs[k].bit_generator.seed_seq.spawn(2)[sample == "all"])
                    point, reps, n_all, n_c = covariances(v, rng, args.boot)
                    found = {}
                    for est in ESTIMATORS:
                        e = shares(point, n_all, n_c, est)
                        b = shares(reps, n_all, n_c, est)
                        b = b[np.isfinite(b).all(axis=1)]
                        if not np.isfinite(e).all() or len(b) < 10:
                            skipped[sample] += 1
                            continue
                        lo, hi = np.quantile(b, [alpha, 1 - alpha], axis=0)
                        found[est] = (e, lo, hi)
                        if est in ("hull", "hulladj"):      # the plain estimate, the hull of two intervals
                            other = "adjclip" if est == "hull" else "adj"
                            if "plain" not in found or other not in found:
                                continue
                            e = found["plain"][0]
                            lo = np.clip(np.minimum(found["plain"][1], found[other][1]), 0, 100)
                            hi = np.clip(np.maximum(found["plain"][2], found[other][2]), 0, 100)
                            if est == "hull":
                                inside.setdefault(sample, []).append(
                                    (found["adjclip"][1] <= e) & (e <= found["adjclip"][2]))
                        a = acc[(sample, est)]
                        a["hit"].append((lo <= t) & (t <= hi))
                        a["width"].append(hi - lo)
                        a["below"].append(t < lo)
                        a["above"].append(t > hi)
                        if k < bp.N_COMMON:
                            a["sq"].append((e - t) ** 2)
                        a["top"].append((e[np.argmax(t)], t.max()))
                        a["bottom"].append((e[np.argmin(t)], t.min()))
        row = {"n_per_org": n, "studies": args.studies, "boot": args.boot, "skipped": skipped,
               "plain_estimate_inside_adjclip_interval": {k: round(100 * float(np.mean(v)), 1)
                                                          for k, v in inside.items()}}
        for (sample, est), a in acc.items():
            top, bottom = np.array(a["top"]), np.array(a["bottom"])
            row[f"{sample}_{est}"] = {
                "coverage": round(100 * float(np.mean(a["hit"])), 1), "intervals": int(np.size(a["hit"])),
                "median_width": round(float(np.median(a["width"])), 1),
                "truth_below": round(100 * float(np.mean(a["below"])), 1),
                "truth_above": round(100 * float(np.mean(a["above"])), 1),
                "rmse_common": round(float(np.sqrt(np.mean(a["sq"]))), 2),
                "largest_share_est_vs_true": [round(float(top[:, 0].mean()), 1), round(float(top[:, 1].mean()), 1)],
                "smallest_share_est_vs_true": [round(float(bottom[:, 0].mean()), 1),
                                               round(float(bottom[:, 1].mean()), 1)]}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
