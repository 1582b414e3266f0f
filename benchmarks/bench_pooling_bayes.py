"""Full-Bayesian cross-check of ``pooling='partial'`` on the example study (optional extra ``bayes``).

Usage::

    .venv/bin/pip install -c constraints.txt -e '.[bayes]'          # PyMC; not a runtime dependency
    .venv/bin/python benchmarks/bench_pooling_bayes.py [--draws 1000] [--tune 1000] [--chains 2]
        [--seed 1] [--tolerance 2.0] [--kappa-prior {penalty,gamma-sigma}]
        [--population {two-component,single}] [--out bayes.json]

**The same model as the default, with the empirical-Bayes steps replaced by priors**
(:mod:`analysis.pooling.bayes`): the default's likelihood of the population
``(Σ₀, κ_drivers, κ_outcome, κ_phone)`` -- every organisation's scatter matrices with its
covariance integrated out, factor by factor as
:func:`analysis.pooling.shrinkage._factor_curves` -- with priors on the population and
sampled with PyMC's NUTS, instead of the plug-in estimates of
:func:`analysis.pooling.shrinkage.pool_covariances`:

* ``κ``: on the default's search range ``[0.1, 10^6]``, the default's boundary-avoiding
  penalty (:data:`~analysis.pooling.shrinkage.BOUNDARY_PENALTY`) read as a prior, in
  one of two ways (:data:`~analysis.pooling.bayes.KAPPA_PRIORS`, ``--kappa-prior``):
  ``penalty``, density ``∝ κ^(-1/2)`` on κ; ``gamma-sigma``, the gamma(2) prior on
  ``σ = κ^(-1/2)`` of Chung et al. (2013);
* ``Σ₀``: LKJ(1) correlations with half-normal(2) standard deviations, on variables
  standardized over the whole study (one scale per variable for every organisation
  leaves every LMG share unchanged).

Given each posterior draw of ``(Σ₀, κ)``, every organisation's covariance is drawn from
its conjugate posterior (:func:`analysis.pooling.posterior.posterior_draws`, the
function behind the default's intervals), hence its LMG shares (Lindeman, Merenda & Gold
1980). The default sets an organisation that is unlike the others aside (its own
``κ_g ≤ κ``, left out of ``Σ₀`` and κ), the robust estimate of a "heavy-tailed
(two-component) population". ``--population two-component`` (the default) is that
population as a model (:mod:`analysis.pooling.bayes_population`): per factor and
organisation, in the crowd (κ) or, with probability ``π ~ Beta(1, 4.5)``, an outlier
with its own ``κ^out`` log-uniform on ``(0.1, κ]``, the indicator summed out; each
covariance draw draws the indicator with it. ``--population single`` is one κ per factor
for all (the model of session 5). So what differs from the default is what empirical
and full Bayes differ in: ``(Σ₀, κ)`` integrated over their posterior instead of plugged
in, and the set-aside decision a posterior probability instead of a test. The script
reports each organisation's posterior probability of being an outlier per factor beside
the default's set-aside flags, the calibration of π's prior
(:func:`outlier_prior_calibration`) and, as a diagnostic, the default's plug-in without
its rule (``per_group=False``).

References
----------
Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A., & Liu, J. (2013). A nondegenerate
    penalized likelihood estimator for variance parameters in multilevel models.
    *Psychometrika*, 78(4), 685-709.
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press, ch. 12-13.
Gupta, A. K., & Nagar, D. K. (2000). *Matrix Variate Distributions*. Chapman & Hall/CRC.
Hoff, P. D. (2009). *A First Course in Bayesian Statistical Methods*. Springer, ch. 7.
Kass, R. E., & Steffey, D. (1989). Approximate Bayesian inference in conditionally
    independent hierarchical models (parametric empirical Bayes models). *Journal of the
    American Statistical Association*, 84(407), 717-726.
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.common.threads import limit_blas_threads  # noqa: E402
from analysis.importance.relative import importance_arrays  # noqa: E402
from analysis.pooling.bayes import KAPPA_PRIORS, POPULATIONS, build_model, likelihood_terms  # noqa: E402
from analysis.pooling.bayes_population import OUTLIER_PRIOR_B, responsibilities  # noqa: E402
from analysis.pooling.moments import (find_blocks, pattern_features, stats_from_sums,  # noqa: E402
                                      to_original_order)
from analysis.pooling.posterior import posterior_draws  # noqa: E402
from analysis.pooling.shrinkage import pool_covariances  # noqa: E402

# Stated before the run on the example study (2026-12-06), in points of % of R², for every
# organisation and driver: |default - full Bayes| at most TOLERANCE and at most
# SD_TOLERANCE posterior standard deviations of the share. Why: the two estimate the same
# quantity under the same model and differ only by plugging in (Σ₀, κ) instead of
# integrating over them, a difference of order (posterior SD of the own-data weight) x
# (own share - population share) (Kass & Steffey 1989); a consultant reads the shares
# to whole points against 95% intervals 10-30 points wide, so a difference under 2
# points and under half a posterior SD changes no ranking or interval that matters.
TOLERANCE = 2.0
SD_TOLERANCE = 0.5


def study_statistics(rows: pd.DataFrame, outcome: str, drivers: list[str], group: str):
    """The organisations' two-pattern statistics on standardized variables: ``(stats, blocks, labels)``."""
    columns = [*drivers, outcome]
    values = rows[columns].to_numpy(dtype=float)
    values = values / np.nanstd(values, axis=0, ddof=1)
    blocks, complete = find_blocks(values, columns)
    labels = sorted(rows[group].unique())
    code = pd.Categorical(rows[group], categories=labels).codes
    centre = np.nanmean(values, axis=0)
    sums = np.stack([pattern_features(values[code == k], complete[code == k], blocks, centre).sum(axis=0)
                     for k in range(len(labels))])
    return stats_from_sums(sums, np.bincount(code, minlength=len(labels)), blocks), blocks, labels


def shares(cov_block: np.ndarray, blocks) -> np.ndarray:
    """LMG shares (% of R²) of covariance matrices in block order, drivers in the analysis' order."""
    arr = importance_arrays(to_original_order(cov_block, blocks))
    return 100 * arr.lmg / arr.r2[..., None]


def compare(default: pd.DataFrame, posterior: pd.DataFrame, tolerance: float = TOLERANCE,
            column: str = "at_mean", sd_tolerance: float = SD_TOLERANCE) -> dict:
    """Differences between the default's LMG shares and the posterior's, and whether they are within tolerance.

    The default's figure is the LMG share of a covariance matrix, the posterior mean of
    that matrix under its normal-inverse-Wishart model; its full-Bayesian counterpart is
    the LMG share of the posterior-mean covariance (``column='at_mean'``). The posterior
    mean of the LMG share itself (``'mean'``) lies above it for small shares (a share
    cannot be negative, so its uncertainty only adds), by up to about one posterior SD.

    Parameters
    ----------
    default : DataFrame
        ``group``, ``driver``, ``lmg_pct`` (pooled), ``own_lmg_pct`` (own data only).
    posterior : DataFrame
        ``group``, ``driver``, ``at_mean`` (LMG share of the posterior-mean covariance),
        ``mean``, ``sd`` (posterior mean and SD of the LMG share).
    tolerance : float
        Largest accepted ``|lmg_pct - posterior[column]|``, in points of % of R².
    column : {'at_mean', 'mean'}
    sd_tolerance : float
        Largest accepted ``|lmg_pct - posterior[column]| / sd`` (posterior SDs).

    Returns
    -------
    dict
        ``table`` (one row per group and driver), ``max_abs_partial``, ``mean_abs_partial``,
        ``max_abs_own``, ``mean_abs_own``, ``same_top2`` (share of groups whose two largest
        shares are the same drivers), ``max_sd_partial`` (largest difference in posterior SDs),
        ``tolerance``, ``sd_tolerance``, ``within`` (bool: both tolerances met).
    """
    t = default.merge(posterior, on=["group", "driver"], how="outer", validate="one_to_one")
    if t[["lmg_pct", "own_lmg_pct", column]].isna().any().any():
        raise ValueError("the default and the posterior do not cover the same groups and drivers")
    t["diff_partial"] = t.lmg_pct - t[column]
    t["diff_own"] = t.own_lmg_pct - t[column]

    def top2(col):
        return t.sort_values(col, ascending=False).groupby("group").driver.apply(lambda d: frozenset(d.head(2)))

    same = (top2("lmg_pct") == top2(column)).mean()
    out = {"table": t, "max_abs_partial": float(t.diff_partial.abs().max()),
           "mean_abs_partial": float(t.diff_partial.abs().mean()), "max_abs_own": float(t.diff_own.abs().max()),
           "mean_abs_own": float(t.diff_own.abs().mean()), "same_top2": float(same), "tolerance": float(tolerance),
           "column": column, "max_sd_partial": float((t.diff_partial.abs() / t.sd).max()),
           "sd_tolerance": float(sd_tolerance)}
    out["within"] = out["max_abs_partial"] <= tolerance and out["max_sd_partial"] <= sd_tolerance
    return out


# ------------------------------------------------------------------ the model (needs PyMC)
# ------------------------------------------------------------------ the posterior (needs PyMC)
def fit_posterior(rows: pd.DataFrame, outcome: str, drivers: list[str], *, group: str, draws: int = 1000,
                  tune: int = 1000, chains: int = 2, seed: int = 1, kappa_prior: str = "penalty",
                  cores: int = 1, population: str = "two-component", trace: Path | None = None) -> pd.DataFrame:
    """Posterior mean and SD of each group's LMG shares under the default's model with priors (module docstring).

    Returns one row per group and driver: ``at_mean`` (LMG share of the posterior-mean
    covariance), ``mean``, ``sd`` (of the share), ``eb_draws`` (the LMG share of the
    mean of draws given the default's plug-in population: what the default would give
    if it averaged covariances as this does) and ``eb`` (the default's plug-in figure
    recomputed here, a check that both start from the same statistics), ``eb_common``
    (the default's plug-in without its set-aside rule, ``per_group=False``: one ``Σ₀``
    and κ for all, the population form of this model). ``attrs``: divergences, largest
    R-hat and smallest bulk and tail ESS (of Σ₀ and log κ, and with ``population=
    'two-component'`` of π and the outliers' u), draws, posterior medians and 95% intervals
    of κ, the default's κ and its set-aside flags (per factor and any), the κ prior, the
    population and, for the two-component population, each organisation's posterior
    probability of being an outlier per factor (``outlier_probability``, the mean over
    draws of :func:`analysis.pooling.bayes_population.responsibilities`). With two
    components every draw of an organisation's covariance draws its indicator too (its
    κ is the crowd's or its own ``κ^out`` with that probability), so its posterior mean
    averages over both. ``trace``: a NetCDF file of the sampler's draws, read if it
    exists (no sampling: the same draws summarised again) and written after sampling
    otherwise.
    """
    import arviz as az         # with PyMC (the optional extra 'bayes'); imported here so the rest runs without it
    import pymc as pm

    stats, blocks, labels = study_statistics(rows, outcome, drivers, group)
    qa = len(blocks.common)
    model, factors = build_model(stats, qa, kappa_prior, population=population)
    if trace is not None and trace.exists():
        idata = az.from_netcdf(trace)
        chains, tune = idata.posterior.sizes["chain"], int(idata.sample_stats.attrs.get("tuning_steps", tune))
    else:
        with model, limit_blas_threads(1):      # 8 x 8 matrices: BLAS threads only cost (RESULTS.md)
            idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
                              progressbar=False, target_accept=0.9)
        if trace is not None:
            idata.to_netcdf(trace)
    post = idata.posterior
    flat = lambda v: post[v].to_numpy().reshape(-1, *post[v].shape[2:])     # noqa: E731  (chain x draw)
    s0 = flat("sigma0")
    k_draws = {f: np.exp(flat(f"log_kappa_{f}")) for f in factors}
    n_draws, n_groups = s0.shape[0], len(labels)
    rng = np.random.default_rng(seed)
    k_group = {f: np.repeat(v[:, None], n_groups, axis=1) for f, v in k_draws.items()}
    outlier_probability, outlier = {}, None
    if population == "two-component":
        k_group, outlier_probability, outlier = _draw_components(rng, stats, qa, factors, s0, k_draws,
                                                                 flat("kappa_out"), flat("outlier_prob"))
    k_group.setdefault("phone_only", k_group["outcome"])
    k_draws.setdefault("phone_only", k_draws["outcome"])
    cov = posterior_draws(rng, stats, {f: s0 for f in k_group}, k_group, qa)
    pct = shares(cov, blocks)                                                 # (draws, groups, drivers)
    # the default's plug-in population, from the same statistics
    eb = pool_covariances(stats, qa)
    eb_cov = posterior_draws(rng, stats, {f: np.repeat(eb.targets[f][None], n_draws, axis=0) for f in eb.targets},
                             {f: np.repeat(eb.kappa_group[f][None], n_draws, axis=0) for f in eb.kappa_group}, qa)
    common = pool_covariances(stats, qa, per_group=False)
    divergences = int(idata.sample_stats["diverging"].sum())
    names = ["sigma0", *(f"log_kappa_{f}" for f in factors)]
    if population == "two-component":
        names += ["outlier_prob", "outlier_u"]

    def extreme(values, fn):
        return float(fn([float(fn(v.values)) for v in values.data_vars.values()]))

    rhat = extreme(az.rhat(idata, var_names=names), np.max)
    ess = {kind: extreme(az.ess(idata, var_names=names, method=kind), np.min) for kind in ("bulk", "tail")}
    out = pd.DataFrame({"group": np.repeat(labels, len(drivers)), "driver": list(drivers) * n_groups,
                        "at_mean": shares(cov.mean(axis=0), blocks).ravel(), "mean": pct.mean(axis=0).ravel(),
                        "sd": pct.std(axis=0).ravel(), "eb_draws": shares(eb_cov.mean(axis=0), blocks).ravel(),
                        "eb": shares(eb.cov, blocks).ravel(), "eb_common": shares(common.cov, blocks).ravel()})
    # a diagnostic: the posterior given the default's set-aside decisions (the draws whose
    # indicators are the default's flags in every factor), to separate the decision from the rest
    given, share_given = np.full(len(out), np.nan), 0.0
    if outlier is not None:
        flags = np.stack([eb.different[f] for f in factors])                   # (F, G)
        agree = (outlier == flags[None]).all(axis=(1, 2))
        share_given = float(agree.mean())
        if agree.any():
            given = shares(cov[agree].mean(axis=0), blocks).ravel()
    out["given_default"] = given
    out.attrs.update(divergences=divergences, share_given_default=share_given, max_rhat=rhat, min_ess_bulk=ess["bulk"], min_ess_tail=ess["tail"],
                     draws=int(n_draws), chains=int(chains), tune=int(tune), kappa_prior=kappa_prior,
                     kappa={f: [float(x) for x in np.quantile(v, [0.025, 0.5, 0.975])] for f, v in k_draws.items()},
                     kappa_default={f: [float(x) for x in eb.kappa_group[f]] for f in eb.kappa_group},
                     set_aside={str(g): bool(any(v[k] for v in eb.different.values()))
                                for k, g in enumerate(labels)},
                     set_aside_default={f: [bool(x) for x in v] for f, v in eb.different.items() if f in factors},
                     population=population, outlier_probability=outlier_probability, labels=list(labels),
                     kappa_common={f: float(v) for f, v in common.kappa.items()})
    return out


def _draw_components(rng, stats, qa: int, factors, s0, k_draws: dict, kappa_out, pi):
    """Each draw's organisation κ per factor with its component drawn, and the mean outlier probabilities.

    Given a posterior draw of the population, an organisation's indicator is an outlier
    with its responsibility (:func:`analysis.pooling.bayes_population.responsibilities`);
    drawing it with the draw keeps the covariance draws from the joint posterior.
    Returns ``(kappa_group, probability, outlier)``: per factor (B, G) and (G,) lists,
    and the drawn indicators (B, F, G).
    """
    terms = likelihood_terms(stats, qa)
    kappa = np.stack([k_draws[f] for f in factors], axis=1)                      # (B, F)
    r = np.stack([responsibilities(terms, s0[b], kappa[b], kappa_out[b], pi[b]) for b in range(len(s0))])
    outlier = rng.uniform(size=r.shape) < r                                       # (B, F, G)
    k_group = np.where(outlier, kappa_out, kappa[:, :, None])
    return ({f: k_group[:, i] for i, f in enumerate(factors)},
            {f: [float(x) for x in r[:, i].mean(axis=0)] for i, f in enumerate(factors)}, outlier)


def outlier_prior_calibration(stats, qa: int) -> dict:
    """The Bayes factor at the default's threshold, for the prior of π (``bayes_population.OUTLIER_PRIOR_B``).

    Per factor and organisation, at the default's population: twice the log likelihood
    ratio of the organisation's best ``κ_g ≤ κ`` to ``κ`` (the default's statistic, here
    at the population's κ) and the log Bayes factor of the outlier component (``κ^out``
    log-uniform on ``(0.1, κ]``) against the crowd; their difference is the log Occam
    factor. The Bayes factor at the threshold is ``exp(LR_CRITICAL / 2 + median log
    Occam factor)``; prior odds of one over it give posterior probability 1/2 there.
    """
    from analysis.pooling.shrinkage import KAPPA_GRID, LR_CRITICAL, _factor_curves

    eb = pool_covariances(stats, qa)
    fine = np.exp(np.linspace(np.log(KAPPA_GRID[0]), np.log(KAPPA_GRID[-1]), 3001))
    rows = []
    for f in [f for f in eb.different if stats.scatter_complete.shape[-1] > qa or f != "phone_only"]:
        curves = _factor_curves(stats, f, eb.targets[f], qa)
        k = float(eb.kappa[f])
        for g, curve in enumerate(curves):
            c = np.interp(np.log(fine[fine <= k]), np.log(KAPPA_GRID), curve)
            at = np.interp(np.log(k), np.log(KAPPA_GRID), curve)
            log_bf = np.log(np.mean(np.exp(c - c.max()))) + c.max() - at     # uniform in log κ on (0.1, κ]
            rows.append({"factor": f, "group": g, "lr": 2 * (c.max() - at), "log_bf": log_bf,
                         "log_occam": log_bf - (c.max() - at), "set_aside": bool(eb.different[f][g])})
    table = pd.DataFrame(rows)
    occam = float(table.log_occam.median())
    return {"table": table, "median_log_occam": occam, "bayes_factor_at_threshold": float(np.exp(
        LR_CRITICAL / 2 + occam))}


def time_logp(rows: pd.DataFrame, outcome: str, drivers: list[str], group: str, n: int, seed: int) -> int:
    """CPU per log density + gradient of the model, likelihood as one operation vs as a PyTensor graph."""
    stats, blocks, _ = study_statistics(rows, outcome, drivers, group)
    values = {}
    for likelihood in ("op", "graph"):
        rng = np.random.default_rng(seed)                     # the same points for both
        model, _ = build_model(stats, len(blocks.common), likelihood=likelihood, population="single")
        cpu = time.process_time()
        fn = model.logp_dlogp_function(ravel_inputs=True)
        fn.set_extra_values({})
        compile_cpu = time.process_time() - cpu
        start = model.initial_point()
        size = sum(np.size(start[v.name]) for v in fn._grad_vars)
        points = [0.3 * rng.standard_normal(size) + np.concatenate([np.ravel(start[v.name]) for v in fn._grad_vars])
                  for _ in range(4)]
        with limit_blas_threads(1):
            values[likelihood] = [fn(x) for x in points]
            cpu = time.process_time()
            for _ in range(n):
                fn(points[_ % 4])
            per_call = (time.process_time() - cpu) / n
        print(f"likelihood as {likelihood}: compile {compile_cpu:.1f} s CPU, log density + gradient "
              f"{1000 * per_call:.3f} ms CPU (one BLAS thread, {n} calls)")
    diff = max(abs(float(a[0]) - float(b[0])) / abs(float(b[0])) for a, b in zip(values["op"], values["graph"]))
    grad = max(np.abs(a[1] - b[1]).max() / np.abs(b[1]).max() for a, b in zip(values["op"], values["graph"]))
    print(f"same value at 4 points: largest relative difference {diff:.1e} (log density), {grad:.1e} (gradient)")
    return 0 if diff < 1e-8 and grad < 1e-8 else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--kappa-prior", choices=sorted(KAPPA_PRIORS), default="penalty")
    parser.add_argument("--cores", type=int, default=1, help="chains sampled in parallel processes")
    parser.add_argument("--population", choices=POPULATIONS, default="two-component",
                        help="two-component: the counterpart of the default's set-aside rule "
                             "(analysis.pooling.bayes_population); single: one population for all")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--trace", type=Path, help="NetCDF file of the draws: read if it exists, else written")
    parser.add_argument("--time-logp", type=int, default=0, metavar="N",
                        help="only time N evaluations of the model's log density and gradient (CPU), with the "
                             "likelihood as one operation and as a PyTensor graph, and exit")
    args = parser.parse_args(argv)

    from analysis.drivers.analyse import analyse_drivers
    from analysis.drivers.sample import GROUP
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(ROOT / "data" / "example" / "responses.sav", inst)
    start = time.perf_counter()
    res = analyse_drivers(data, inst, by="organisation", bootstrap=args.bootstrap, seed=args.seed, sem=False,
                          pooling="partial")
    t_default = time.perf_counter() - start
    drivers = list(res.settings.drivers)
    if args.time_logp:
        return time_logp(res.used, res.settings.outcome, drivers, GROUP, args.time_logp, args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    post = fit_posterior(res.used, res.settings.outcome, drivers, group=GROUP, draws=args.draws,
                         tune=args.tune, chains=args.chains, seed=args.seed, kappa_prior=args.kappa_prior,
                         cores=args.cores, population=args.population, trace=args.trace)
    t_bayes, cpu_bayes = time.perf_counter() - start, time.process_time() - cpu
    default = res.importance[res.importance.group != "all"][["group", "driver", "lmg_pct", "own_lmg_pct"]]
    check = default.merge(post, on=["group", "driver"])
    result = compare(default, post, args.tolerance)
    of_means = compare(default, post, args.tolerance, column="mean")
    # a diagnostic, not the verdict: the default's plug-in without its set-aside rule
    # (one population for all organisations, as in this model)
    no_set_aside = compare(post[["group", "driver", "eb_common"]].rename(columns={"eb_common": "lmg_pct"}).merge(
        default[["group", "driver", "own_lmg_pct"]]), post, args.tolerance)
    g = res.groups.set_index("group").drop("all")
    print(result["table"].round(2).to_string(index=False))
    stats, blocks, _ = study_statistics(res.used, res.settings.outcome, drivers, GROUP)
    calibration = outlier_prior_calibration(stats, len(blocks.common))
    print(f"\nprior of pi: Beta(1, {OUTLIER_PRIOR_B}); at the default's population, Bayes factor of the outlier "
          f"component at the default's threshold exp(6.635/2 + median log Occam factor "
          f"{calibration['median_log_occam']:.2f}) = {calibration['bayes_factor_at_threshold']:.2f}")
    if post.attrs["outlier_probability"]:
        print("posterior probability of being set aside (outlier) per factor, beside the default's flags:")
        for f, probs in post.attrs["outlier_probability"].items():
            print(f"  {f}: " + ", ".join(f"{g} {p:.3f} ({'set aside' if flag else 'kept'})" for g, p, flag in zip(
                post.attrs["labels"], probs, post.attrs["set_aside_default"][f])))
    print(f"\nposterior: {post.attrs['draws']} draws, {post.attrs['divergences']} divergences, "
          f"max R-hat {post.attrs['max_rhat']:.3f}, min ESS bulk {post.attrs['min_ess_bulk']:.0f} tail "
          f"{post.attrs['min_ess_tail']:.0f}; kappa prior {args.kappa_prior}, population {args.population}; default {t_default:.1f} s, "
          f"PyMC {t_bayes:.1f} s wall, {cpu_bayes:.1f} s CPU")
    print(f"same statistics: |default - its plug-in recomputed here| max {(check.lmg_pct - check.eb).abs().max():.2e}")
    print("kappa, posterior median [95%]:", {f: [round(x, 1) for x in v] for f, v in post.attrs["kappa"].items()})
    print("kappa, default per organisation:", {f: [round(x, 1) for x in v]
                                                for f, v in post.attrs["kappa_default"].items()},
          "set aside:", post.attrs["set_aside"])
    print("own-data weights (outcome):", ", ".join(f"{k} {r.pooling_weight:.2f}" for k, r in g.iterrows()))
    print(f"|partial - full Bayes| (LMG of the posterior-mean covariance): max {result['max_abs_partial']:.2f}, "
          f"mean {result['mean_abs_partial']:.2f}, largest in posterior SDs {result['max_sd_partial']:.2f}; "
          f"of that, averaging covariances instead of plugging in (default's population, draws averaged): max "
          f"{(check.eb_draws - check.eb).abs().max():.2f}; |own - full Bayes|: max {result['max_abs_own']:.2f}, "
          f"mean {result['mean_abs_own']:.2f}; same top two {100 * result['same_top2']:.0f}% of organisations; "
          f"tolerance {args.tolerance} points and {result['sd_tolerance']} SD -> "
          f"{'within' if result['within'] else 'NOT within'}")
    print(f"posterior means of the LMG shares: |partial - mean| max {of_means['max_abs_partial']:.2f}, mean "
          f"{of_means['mean_abs_partial']:.2f}, largest in posterior SDs {of_means['max_sd_partial']:.2f}")
    if post.attrs["share_given_default"] > 0:
        given = compare(default, post, args.tolerance, column="given_default")
        print(f"diagnostic, the posterior given the default's set-aside decisions ("
              f"{100 * post.attrs['share_given_default']:.1f}% of the draws): |partial - it| max "
              f"{given['max_abs_partial']:.2f}, mean {given['mean_abs_partial']:.2f}, largest in posterior SDs "
              f"{given['max_sd_partial']:.2f} -> {'within' if given['within'] else 'NOT within'} the same tolerance")
    print(f"diagnostic, the default without its set-aside rule (kappa {post.attrs['kappa_common']}): |it - full "
          f"Bayes| max {no_set_aside['max_abs_partial']:.2f}, mean {no_set_aside['mean_abs_partial']:.2f}, "
          f"largest in posterior SDs {no_set_aside['max_sd_partial']:.2f} -> "
          f"{'within' if no_set_aside['within'] else 'NOT within'} the same tolerance")
    if args.out is not None:
        doc = {k: v for k, v in result.items() if k != "table"}
        doc["posterior_means"] = {k: v for k, v in of_means.items() if k != "table"}
        doc["without_set_aside"] = {k: v for k, v in no_set_aside.items() if k != "table"}
        if post.attrs["share_given_default"] > 0:
            doc["given_default_decisions"] = {k: v for k, v in given.items() if k != "table"}
        doc["outlier_prior_calibration"] = {k: v for k, v in calibration.items() if k != "table"}
        doc.update(table=result["table"].to_dict("records"), **post.attrs, seconds_default=t_default,
                   seconds_bayes=t_bayes, cpu_seconds_bayes=cpu_bayes)
        args.out.write_text(json.dumps(doc, indent=1, default=float), encoding="utf-8")
    return 0 if result["within"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
