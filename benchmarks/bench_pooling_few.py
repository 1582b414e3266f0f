"""Few organisations: coverage of ``pooling='partial'`` with 4 organisations, one different (issue 12).

Usage::

    .venv/bin/python benchmarks/bench_pooling_few.py [--variants base,lr3.841,kdraw2,kdraw0.5,kdrawm0.5]
        [--studies 40] [--boot 300] [--cache /tmp/few]

The studies of ``tests/test_drivers_simulation.py`` (4 organisations x 375 respondents
with the example's true profiles, seeds 7000 + k, flagged respondents kept, truth
``data/example/truth.json``). Each study is analysed once with ``analyse_drivers`` to get
the rows it uses; every variant then runs :func:`analysis.pooling.pooled_importance` on
exactly those rows (``base`` is checked equal to ``analyse_drivers``' estimates and
intervals). Variants, all experiments that change the replicates or the set-aside rule
of :mod:`analysis.pooling` in this process only (the package is not changed):

* ``base``: the package as it is;
* ``lr<x>``: the set-aside rule's critical value (:data:`analysis.pooling.shrinkage.LR_CRITICAL`,
  6.635, the 1% point of chi-square(1)) set to ``x`` (3.841: 5%; 2.706: 10%). Changes the
  point estimates too;
* ``kdraw<a>``: in every replicate each organisation's prior strength κ_g is drawn from
  its posterior under a heavy-tailed population of strengths, ``κ_g = κ u``,
  ``u ~ gamma(a, a)`` (a scale mixture of inverse-Wisharts, the smooth form of setting an
  organisation aside; West 1984; Wakefield, Smith, Racine-Poon & Gelfand 1994): ``p(κ_g |
  its data) ∝ gamma(κ_g/κ) L_g(κ_g)`` on the κ grid, ``L_g`` its factor's marginal
  likelihood under the replicate's population. Only the posterior draws change (the
  intervals), not the point estimates;
* ``kdrawm<a>``: the same for the organisations not set aside only.

Printed per variant: coverage of the 95% LMG share intervals overall, per driver and per
organisation and driver, how often each organisation is set aside in the point estimate,
its own-data weight and the mean error of the estimate.

References: West, M. (1984). Outlier models and prior distributions in Bayesian linear
regression. *JRSS B*, 46(3), 431-439. Wakefield, J. C., Smith, A. F. M., Racine-Poon, A.,
& Gelfand, A. E. (1994). Bayesian analysis of linear and non-linear population models by
using the Gibbs sampler. *Applied Statistics*, 43(1), 201-221.
"""
from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import gamma as gamma_dist

import analysis.pooling.estimate as estimate
import analysis.pooling.shrinkage as shrinkage
from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.sample import GROUP
from analysis.pooling import pooled_importance
from analysis.pooling.moments import PatternStats
from analysis.simulation.simulate import simulate_study
from instrument import load_instrument, read_responses

ROOT = Path(__file__).resolve().parents[1]
OUTCOME = "satisfaction"


def study_rows(inst, cache: Path, studies: int, boot: int) -> dict:
    """Per study: the rows ``analyse_drivers`` uses and its LMG share table (partial, as in the test)."""
    cache.mkdir(parents=True, exist_ok=True)
    done = cache / f"rows_{studies}_{boot}.pkl"
    if done.exists():
        return pickle.loads(done.read_bytes())
    out = {}
    for k in range(studies):
        path = cache / f"study_{k}.csv"
        if not path.exists():
            simulate_study(inst, n_orgs=4, n_per_org=375, seed=7000 + k, truth_draws=0).responses.to_csv(
                path, index=False)
        data, _ = read_responses(path, inst)
        res = analyse_drivers(data, inst, bootstrap=boot, seed=k, sem=False, exclude_flagged=False,
                              pooling="partial")
        out[k] = (res.used, res.importance[res.importance.group != "all"])
    done.write_bytes(pickle.dumps(out))
    return out


def drawn_strengths(rng, observed: PatternStats, targets: dict, kappa_group: dict, kappa: dict, qa: int,
                    shape: float, members_only: bool) -> dict:
    """Each organisation's κ_g per replicate drawn from its posterior under κ_g = κ u, u ~ gamma(shape, shape)."""
    b = next(iter(targets.values())).shape[0]
    wide = PatternStats(*(np.broadcast_to(getattr(observed, f), (b,) + getattr(observed, f).shape)
                          for f in PatternStats.__dataclass_fields__))
    grid = shrinkage.KAPPA_GRID
    step = np.log(grid[1] / grid[0])
    out = {}
    for f in targets:
        curves = shrinkage._factor_curves(wide, f, targets[f], qa)             # (B, G, K)
        u = grid[None, None, :] / kappa[f][:, None, None]
        log_post = np.where(np.isfinite(curves), curves, -np.inf) + gamma_dist.logpdf(u, shape, scale=1 / shape) \
            + np.log(u)                                                          # density of log κ_g
        post = np.exp(log_post - log_post.max(axis=-1, keepdims=True))
        cdf = np.cumsum(post / post.sum(axis=-1, keepdims=True), axis=-1)
        idx = np.minimum((cdf < rng.random(cdf.shape[:-1] + (1,))).sum(axis=-1), len(grid) - 1)
        out[f] = grid[idx] * np.exp(step * (rng.random(idx.shape) - 0.5))       # uniform within the grid cell
        if members_only:
            aside = kappa_group[f] < kappa[f][:, None] * (1 - 1e-9)
            out[f] = np.where(aside, kappa_group[f], out[f])
    return out


def use_variant(name: str, seed: int) -> None:
    """Change the pooling in this process as the variant says (see the module docstring)."""
    if name.startswith("lr"):
        shrinkage.LR_CRITICAL = float(name[2:])
    elif name.startswith("kdraw"):
        members_only = name.startswith("kdrawm")
        shape = float(name[6:] if members_only else name[5:])
        rng = np.random.default_rng(seed)
        chunk, draws, populations = estimate._pool_chunk, estimate.posterior_draws, []

        def pool_chunk(stats, qa, per_group, covariances, organisation_weights=None, pool_phone=True):
            pooled = chunk(stats, qa, per_group, covariances, organisation_weights, pool_phone)
            if not covariances:                     # a chunk of replicates: keep its population's κ
                populations.append(pooled.kappa)
            return pooled

        def posterior_draws(rng_draws, observed, targets, kappa_group, qa):
            kappa = populations.pop(0)
            return draws(rng_draws, observed, targets,
                         drawn_strengths(rng, observed, targets, kappa_group, kappa, qa, shape, members_only), qa)

        estimate._pool_chunk, estimate.posterior_draws = pool_chunk, posterior_draws
    elif name != "base":
        raise SystemExit(f"unknown variant {name!r}")


def run(name: str, rows: dict, truth: dict, drivers: list, boot: int) -> dict:
    tables, groups = [], []
    for k, (used, reported) in rows.items():
        res = pooled_importance(used, OUTCOME, drivers, group=GROUP, pooling="partial", n_resamples=boot, seed=k)
        t = res.boot.table("lmg_pct")
        if name == "base":          # the same figures as analyse_drivers
            m = reported.merge(t, on=["group", "driver"])
            np.testing.assert_allclose(m[["lmg_pct", "ci_low_x", "ci_high_x"]].to_numpy(),
                                       m[["estimate", "ci_low_y", "ci_high_y"]].to_numpy(), atol=1e-9)
        t["truth"] = [truth[g]["observed"]["lmg_pct"][d] for g, d in zip(t.group, t.driver)]
        t["covered"] = (t.ci_low <= t.truth) & (t.truth <= t.ci_high)
        tables.append(t)
        groups.append(res.groups)
    t, g = pd.concat(tables), pd.concat(groups)
    return {"variant": name, "coverage": round(100 * t.covered.mean(), 1),
            "by_driver": (100 * t.groupby("driver").covered.mean()).round(1).to_dict(),
            "by_group_driver": (100 * t.pivot_table(index="group", columns="driver", values="covered")).round(0)
            .to_dict(orient="index"),
            "set_aside": g.groupby("group").different.mean().round(3).to_dict(),
            "weight": g.groupby("group").weight.mean().round(3).to_dict(),
            "mean_error": (t.estimate - t.truth).groupby([t.group, t.driver]).mean().round(1).unstack()
            .to_dict(orient="index")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="base,lr3.841,lr2.706,kdraw2,kdraw0.5,kdrawm0.5")
    parser.add_argument("--studies", type=int, default=40)
    parser.add_argument("--boot", type=int, default=300)
    parser.add_argument("--cache", default="/tmp/bench_pooling_few")
    args = parser.parse_args()
    inst = load_instrument()
    truth = json.loads((ROOT / "data" / "example" / "truth.json").read_text(encoding="utf-8"))["organisations"]
    rows = study_rows(inst, Path(args.cache), args.studies, args.boot)
    drivers = list(inst.driver_keys)
    for name in args.variants.split(","):
        # each variant in a fresh state: the changes are undone after it
        saved = (shrinkage.LR_CRITICAL, estimate._pool_chunk, estimate.posterior_draws)
        use_variant(name, seed=12345)
        try:
            print(json.dumps(run(name, rows, truth, drivers, args.boot)), flush=True)
        finally:
            shrinkage.LR_CRITICAL, estimate._pool_chunk, estimate.posterior_draws = saved


if __name__ == "__main__":
    main()
