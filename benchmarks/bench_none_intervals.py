"""Coverage of bootstrap interval methods for the LMG shares of ``pooling='none'`` (issue 12).

Usage::

    .venv/bin/python benchmarks/bench_none_intervals.py [--sizes 30,50,100,200,400] [--studies 20]
        [--boot 200] [--seed 1] [--boot-t]

The design of ``benchmarks/bench_pooling.py`` (9 organisations, the same seeds per size
and study): each organisation's complete cases are resampled as ``drivers analyse
--pooling none`` did before it used every respondent (issue 12;
:func:`analysis.bootstrap.importance.bootstrap_importance`, which is what it still does
on complete data; every respondent and an adjusted LMG: ``bench_none_estimators.py``),
and 95% intervals of the LMG shares (% of R²) are formed from the same replicates by

* ``percentile``: what the toolkit reports;
* ``bc``: bias-corrected percentile (Efron 1981), ``z0 = Φ⁻¹(share of replicates below
  the estimate)``;
* ``bca``: BC with acceleration from the delete-one jackknife (Efron 1987; the
  implementation agrees with :func:`scipy.stats.bootstrap` ``method='BCa'``);
* ``basic_logit``: the basic (reflected) interval on the logit of the share;
* ``boot_t_logit`` (with ``--boot-t``): bootstrap-t on the logit of the share, each
  replicate studentized by its own jackknife standard error (Efron & Tibshirani 1993,
  ch. 12; slow).

Printed per size: coverage of the organisations' true shares (the truth as in
``bench_pooling.py``, here from 100,000-respondent draws), median width, and which side
the misses fall on.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pooling as bp  # noqa: E402

from analysis.bootstrap.importance import bootstrap_importance  # noqa: E402
from analysis.importance.relative import importance_arrays  # noqa: E402
from analysis.simulation.model import DRIVERS  # noqa: E402
from instrument import load_instrument  # noqa: E402

ALPHA = 0.025


def _shares(cov):
    a = importance_arrays(cov)
    return 100 * a.lmg / a.r2[..., None]


def _weighted_cov(x, w):
    n = w.sum(-1)
    m = (w @ x) / n[..., None]
    s2 = np.einsum("...i,ij,ik->...jk", w, x, x)
    return (s2 - n[..., None, None] * m[..., :, None] * m[..., None, :]) / (n[..., None, None] - 1)


def jackknife_shares(x):
    """Delete-one jackknife LMG shares of centred rows ``x`` (n, q): (n, p)."""
    w = 1.0 - np.eye(len(x))
    return _shares(_weighted_cov(x, w))


def _logit(v):
    v = np.clip(v / 100, 1e-6, 1 - 1e-6)
    return np.log(v / (1 - v))


def _expit(v):
    return 100 / (1 + np.exp(-v))


def intervals(reps, est, jack):
    """Every method's (lo, hi) from replicates (B, p), the estimate (p,) and jackknife values (n, p)."""
    reps = reps[~np.isnan(reps).any(axis=1)]
    out = {"percentile": np.quantile(reps, [ALPHA, 1 - ALPHA], axis=0)}
    p = (reps < est).mean(0) + 0.5 * (reps == est).mean(0)
    z0 = norm.ppf(np.clip(p, 1 / len(reps), 1 - 1 / len(reps)))
    za = norm.ppf([ALPHA, 1 - ALPHA])

    def adjusted(a):
        levels = [norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in za]
        return np.array([[np.quantile(reps[:, j], lv[j]) for j in range(reps.shape[1])] for lv in levels])

    out["bc"] = adjusted(np.zeros_like(z0))
    d = np.nanmean(jack, axis=0) - jack
    acc = np.nansum(d ** 3, axis=0) / (6 * np.nansum(d ** 2, axis=0) ** 1.5)
    out["bca"] = adjusted(np.nan_to_num(acc))
    q = np.quantile(_logit(reps), [ALPHA, 1 - ALPHA], axis=0)
    e = _logit(est)
    out["basic_logit"] = np.array([_expit(2 * e - q[1]), _expit(2 * e - q[0])])
    return out


def boot_t(x, est, rng, n_boot):
    """Bootstrap-t interval on the logit scale, jackknife SE within each replicate."""
    n = len(x)

    def jack_se(w):
        idx = np.flatnonzero(w)
        ww = np.repeat(w[None].astype(float), len(idx), axis=0)
        ww[np.arange(len(idx)), idx] -= 1
        th = _logit(_shares(_weighted_cov(x, ww)))
        wi = w[idx][:, None]
        mean = (wi * th).sum(0) / n
        return np.sqrt((n - 1) / n * (wi * (th - mean) ** 2).sum(0))

    w_all = rng.multinomial(n, np.full(n, 1 / n), size=n_boot)
    reps = _shares(_weighted_cov(x, w_all))
    ok = np.isfinite(reps).all(axis=1)
    t = np.array([(_logit(r) - _logit(est)) / jack_se(w) for r, w in zip(reps[ok], w_all[ok])])
    tq = np.nanquantile(t, [ALPHA, 1 - ALPHA], axis=0)
    se = jack_se(np.ones(n, dtype=int))
    return np.array([_expit(_logit(est) - tq[1] * se), _expit(_logit(est) - tq[0] * se)])


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,50,100,200,400")
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--boot-t", action="store_true")
    args = parser.parse_args()
    inst = load_instrument()
    profs = bp.profiles()
    names = [p.name for p in profs]
    bp.TRUTH_DRAWS = 100_000
    true = pd.DataFrame(bp.truth(inst, profs, args.seed), index=list(DRIVERS)).T.loc[names]
    rng = np.random.default_rng(args.seed)
    for n in [int(s) for s in args.sizes.split(",")]:
        hits, widths, below, above = {}, {}, {}, {}
        for r in range(args.studies):
            seed = args.seed * 100_000 + n * 1000 + r           # bench_pooling.py's studies
            data = bp.study(inst, profs, n, seed)
            cc = data.dropna(subset=list(DRIVERS))
            cc = cc[cc.org.map(cc.groupby("org").size()) >= len(DRIVERS) + 2]
            try:
                res = bootstrap_importance(cc, bp.OUTCOME, list(DRIVERS), group="org", n_resamples=args.boot,
                                           seed=seed, versus_rest=False)
            except Exception:       # a driver constant in a tiny organisation: bench_pooling.py leaves it out too
                continue
            for g in res.replicates:
                reps = res.replicates[g].statistic("lmg_pct")
                est = res.point[g].statistic("lmg_pct")[0]
                x = cc[cc.org == g][[*DRIVERS, bp.OUTCOME]].to_numpy(float)
                x = x - x.mean(axis=0)
                ivs = intervals(reps, est, jackknife_shares(x))
                if args.boot_t:
                    ivs["boot_t_logit"] = boot_t(x, est, rng, args.boot)
                t = true.loc[g].to_numpy()
                for k, (lo, hi) in ivs.items():
                    hits.setdefault(k, []).append((lo <= t) & (t <= hi))
                    widths.setdefault(k, []).append(hi - lo)
                    below.setdefault(k, []).append(t < lo)
                    above.setdefault(k, []).append(t > hi)
        row = {"n_per_org": n, "studies": args.studies, "boot": args.boot,
               "intervals": int(np.size(hits["percentile"]))}
        for k in hits:
            row[k] = {"coverage": round(100 * float(np.nanmean(hits[k])), 1),
                      "median_width": round(float(np.nanmedian(widths[k])), 1),
                      "truth_below": round(100 * float(np.nanmean(below[k])), 1),
                      "truth_above": round(100 * float(np.nanmean(above[k])), 1)}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
