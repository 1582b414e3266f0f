"""Why `partial` ranks the different organisation's top driver first less often than `none` at 400.

Usage::

    .venv/bin/python benchmarks/bench_pooling_different.py [--seeds 1,2,3] [--size 400] [--reps 200]

The studies, truth and seeds of ``bench_pooling.py`` (8 organisations around a common
profile and 'Anders', whose top driver is customer focus), point estimates only (no
intervals), so the same studies as that benchmark's at the same ``--seed`` and size. Per
seed it reports, for 'Anders':

* how often its true top driver comes first with ``none`` and with ``partial``;
* how often the default's set-aside rule (:mod:`analysis.pooling.shrinkage`) sets it aside
  in the outcome factor (and ``crowd_set_aside``: the share of the other eight set
  aside), its prior strength ``κ_g`` against the population's ``κ``, and the weight of
  its own data in the outcome's regression;
* an **oracle**: ``partial``'s covariance with only the outcome's regression on the common
  drivers replaced by Anders's own (its drivers' covariance and phone-only part stay
  pooled, composed as :func:`analysis.pooling.moments.compose` does): what the rule would
  give if it set Anders aside in that factor (``κ_g`` = 0) every time.

So it separates "the rule does not see that Anders differs" from "the pooling of the other
factors moves its ranking".
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

import bench_pooling as bp
from analysis.importance.relative import importance_arrays
from analysis.pooling import pooled_importance
from instrument import load_instrument

PHONE_ONLY = ("wait_time", "menu")


def own_outcome(pooled: np.ndarray, own: np.ndarray, common: list[int], phone: list[int]) -> np.ndarray:
    """``pooled`` with the outcome's regression on the common drivers taken from ``own`` (outcome last).

    The common drivers' covariance stays ``pooled``'s; the outcome's coefficients and
    residual variance are ``own``'s; the phone-only drivers keep ``pooled``'s regression on
    the common block (drivers and outcome), so the joint matrix is composed factor by factor.
    """
    y = pooled.shape[0] - 1
    c = [*common, y]
    sxx = pooled[np.ix_(common, common)]
    beta = np.linalg.solve(own[np.ix_(common, common)], own[common, y])
    resid = own[y, y] - own[common, y] @ beta
    block = np.empty((len(c), len(c)))
    block[:-1, :-1] = sxx
    block[:-1, -1] = block[-1, :-1] = sxx @ beta
    block[-1, -1] = resid + beta @ sxx @ beta
    gamma = np.linalg.solve(pooled[np.ix_(c, c)], pooled[np.ix_(c, phone)]).T     # phone-only on the block
    psi = pooled[np.ix_(phone, phone)] - gamma @ pooled[np.ix_(c, phone)]
    out = np.empty_like(pooled)
    out[np.ix_(c, c)] = block
    out[np.ix_(phone, c)] = gamma @ block
    out[np.ix_(c, phone)] = (gamma @ block).T
    out[np.ix_(phone, phone)] = psi + gamma @ block @ gamma.T
    return out


def first(cov: np.ndarray) -> int:
    a = importance_arrays(cov)
    return int(np.argmax(a.lmg))


def one_seed(inst, profs, seed: int, size: int, reps: int) -> dict:
    names = [p.name for p in profs]
    true = pd.DataFrame(bp.truth(inst, profs, seed), index=list(bp.DRIVERS)).T.loc[names]
    top = int(np.argmax(true.loc["Anders"].to_numpy()))
    drivers = list(bp.DRIVERS)
    common = [k for k, d in enumerate(drivers) if d not in PHONE_ONLY]
    phone = [k for k, d in enumerate(drivers) if d in PHONE_ONLY]
    rows = []
    for r in range(reps):
        data = bp.study(inst, profs, size, seed * 100_000 + size * 1000 + r)    # bench_pooling's studies
        none = bp.lmg_table(bp.own_data(data, 2, r), names).loc["Anders"].to_numpy()
        part = pooled_importance(data, bp.OUTCOME, drivers, group="org", pooling="partial", n_resamples=2, seed=r,
                                 versus_rest=False)
        groups = part.groups.set_index("group")
        g = groups.loc["Anders"]
        crowd = groups.drop(index="Anders").different.astype(bool).mean()
        oracle = own_outcome(part.cov["Anders"], part.own_cov["Anders"], common, phone)
        rows.append({"none": int(np.argmax(none)) == top, "partial": first(part.cov["Anders"]) == top,
                     "oracle": first(oracle) == top, "set_aside": bool(g.different),
                     "crowd_set_aside": crowd, "kappa_ratio": g.kappa / part.kappa, "weight": g.weight})
    t = pd.DataFrame(rows)
    return {"seed": seed, "size": size, "reps": reps, "first_none": t.none.mean(), "first_partial": t.partial.mean(),
            "first_oracle": t.oracle.mean(), "set_aside": t.set_aside.mean(),
            "crowd_set_aside": t.crowd_set_aside.mean(),
            "kappa_ratio_median": t.kappa_ratio.median(), "weight_median": t.weight.median(),
            "weight_q10": t.weight.quantile(.1), "weight_q90": t.weight.quantile(.9)}


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--size", type=int, default=400)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    inst = load_instrument()
    profs = bp.profiles()
    start = time.perf_counter()
    out = pd.DataFrame([one_seed(inst, profs, int(s), args.size, args.reps) for s in args.seeds.split(",")])
    print(out.round(4).to_string(index=False))
    print(f"all seeds: first none {out.first_none.mean():.4f}, partial {out.first_partial.mean():.4f}, "
          f"oracle {out.first_oracle.mean():.4f}; {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
