"""Time and memory of the pooled bootstrap at scale: 1,000,000 respondents x 200 organisations.

Usage::

    .venv/bin/python benchmarks/bench_pooling_scale.py [--n 1000000] [--orgs 200] [--bootstrap 2000] [--mode partial]

Draws normal driver scores (seven drivers, wait time and menu on the phone only, 57% phone)
and an outcome per organisation, then times the importance bootstrap of
``analyse_drivers``: :func:`analysis.bootstrap.importance.bootstrap_importance` on the
complete cases for ``--mode none`` and :func:`analysis.pooling.pooled_importance` on every
respondent for ``--mode partial`` (run each mode in its own process for the peak memory).
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from analysis.bootstrap.importance import bootstrap_importance
from analysis.common.threads import limit_blas_threads
from analysis.pooling import pooled_importance

DRIVERS = ["reliability", "empathy", "customer_focus", "customer_knowledge", "wait_time", "accessibility", "menu"]


def study(n: int, orgs: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    corr = np.full((7, 7), .35) + .65 * np.eye(7)
    chol = np.linalg.cholesky(corr)
    x = rng.standard_normal((n, 7)) @ chol.T
    org = rng.integers(0, orgs, n)
    beta = np.array([.34, .28, .08, .06, .06, .05, .03]) + rng.normal(0, .07, (orgs, 7))
    y = (x * beta[org]).sum(axis=1) + .7 * rng.standard_normal(n)
    df = pd.DataFrame(x, columns=DRIVERS).assign(satisfaction=y, org=[f"o{k:03d}" for k in org])
    off_phone = rng.random(n) > .57
    df.loc[off_phone, ["wait_time", "menu"]] = np.nan
    return df


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--mode", choices=("none", "partial"), default="partial")
    args = parser.parse_args()
    data = study(args.n, args.orgs)
    start = time.perf_counter()
    with limit_blas_threads(1):
        if args.mode == "none":
            bootstrap_importance(data.dropna(), "satisfaction", DRIVERS, group="org", n_resamples=args.bootstrap,
                                 seed=1, whole_sample=True)
        else:
            pooled_importance(data, "satisfaction", DRIVERS, group="org", n_resamples=args.bootstrap, seed=1)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.mode}: {args.n} respondents, {args.orgs} organisations, {args.bootstrap} resamples: "
          f"{seconds:.1f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
