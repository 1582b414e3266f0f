"""Full-Bayesian cross-check of ``pooling='partial'`` on the example study (optional extra ``bayes``).

Usage::

    .venv/bin/pip install -e '.[bayes]'          # PyMC; not a runtime dependency
    .venv/bin/python benchmarks/bench_pooling_bayes.py [--draws 1000] [--tune 1000] [--chains 2]
        [--seed 1] [--tolerance 2.0] [--out bayes.json]

Fits a full hierarchical model with PyMC (NUTS) to the respondents the default uses
(``analyse_drivers(..., pooling='partial')`` on ``data/example/responses.sav``: every
respondent, wait time and menu from the phone respondents) and compares the posterior
means of each organisation's LMG shares (% of R²) with the default's pooled figures.
The model follows the default's factorisation of each organisation's covariance
(:mod:`analysis.pooling.shrinkage`) with the empirical-Bayes steps replaced by
hyperpriors (Gelman & Hill 2007, ch. 13: random coefficients with estimated spread):

* the common drivers' covariance ``S_a``: each organisation's own ML covariance (not
  pooled here; the default's own-data weight for it is reported beside the figures);
* the outcome given the common drivers: ``y = a_g + x_a b_g + e``, ``b_g ~ N(b_0, tau_b^2)``
  per coefficient (non-centred), ``log sigma_g ~ N(m, s^2)``;
* the phone-only drivers given the common drivers and the outcome (phone respondents):
  ``x_b = c_g + [x_a, y] G_g + e``, ``G_g ~ N(G_0, tau_G^2)``, residual covariance per
  organisation (LKJ).

Each posterior draw gives an organisation's covariance of the drivers and the outcome
(:func:`covariance_from_parameters`), hence its LMG shares (Lindeman, Merenda & Gold
1980; :func:`analysis.importance.relative.importance_arrays`). Compared with
``pooling='partial'`` (:func:`compare`): the LMG shares of the posterior-mean covariance
(the quantity the default estimates; the tolerance applies to these) and the posterior
means of the LMG shares. Variables are standardized over
the whole study first (one scale per variable for every organisation leaves each
organisation's LMG shares unchanged) so that the priors are on a known scale.

References
----------
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press, ch. 12-13.
Hoff, P. D. (2009). *A First Course in Bayesian Statistical Methods*. Springer, ch. 7.
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

from analysis.importance.relative import importance_arrays  # noqa: E402

TOLERANCE = 2.0      # points of % of R²: largest |partial - posterior mean| accepted per organisation and driver


# ------------------------------------------------------------------ pure numpy parts (tested without PyMC)
def covariance_from_parameters(s_a, beta, sigma, gamma, omega) -> np.ndarray:
    """The covariance of ``[x_a, y, x_b]`` from the factorisation's parameters, for stacks of draws.

    Parameters
    ----------
    s_a : ndarray (..., qa, qa)
        Covariance of the common drivers.
    beta : ndarray (..., qa)
        Coefficients of the outcome on the common drivers.
    sigma : ndarray (...)
        Residual SD of the outcome.
    gamma : ndarray (..., qa + 1, qb)
        Coefficients of the phone-only drivers on ``[x_a, y]``.
    omega : ndarray (..., qb, qb)
        Residual covariance of the phone-only drivers.

    Returns
    -------
    ndarray (..., qa + 1 + qb, qa + 1 + qb), ordered ``x_a``, ``y``, ``x_b``.
    """
    s_ay = np.einsum("...ij,...j->...i", s_a, beta)
    v_y = np.einsum("...i,...i->...", beta, s_ay) + sigma ** 2
    qa = s_a.shape[-1]
    lead = np.broadcast_shapes(s_a.shape[:-2], beta.shape[:-1], np.shape(sigma), gamma.shape[:-2])
    z = np.zeros((*lead, qa + 1, qa + 1))
    z[..., :qa, :qa] = s_a
    z[..., :qa, qa] = z[..., qa, :qa] = s_ay
    z[..., qa, qa] = v_y
    c_bz = np.einsum("...ki,...kl->...il", gamma, z)                       # (..., qb, qa + 1)
    v_b = np.einsum("...il,...lj->...ij", c_bz, gamma) + omega
    qb = gamma.shape[-1]
    out = np.zeros((*lead, qa + 1 + qb, qa + 1 + qb))
    out[..., :qa + 1, :qa + 1] = z
    out[..., qa + 1:, :qa + 1] = c_bz
    out[..., :qa + 1, qa + 1:] = np.swapaxes(c_bz, -1, -2)
    out[..., qa + 1:, qa + 1:] = v_b
    return out


def lmg_pct(cov: np.ndarray, order: list[int]) -> np.ndarray:
    """LMG shares (% of R²) of covariance matrices in the block order ``x_a, y, x_b``.

    ``order`` lists, for each driver in the analysis' order, its index in the block
    order; the outcome is the block's ``y``.
    """
    idx = [*order, *(i for i in range(cov.shape[-1]) if i not in order)]      # drivers, then the outcome
    arr = importance_arrays(cov[..., idx, :][..., :, idx])
    return 100 * arr.lmg / arr.lmg.sum(axis=-1, keepdims=True)


def compare(default: pd.DataFrame, posterior: pd.DataFrame, tolerance: float = TOLERANCE,
            column: str = "at_mean") -> dict:
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

    Returns
    -------
    dict
        ``table`` (one row per group and driver), ``max_abs_partial``, ``mean_abs_partial``,
        ``max_abs_own``, ``mean_abs_own``, ``same_top2`` (share of groups whose two largest
        shares are the same drivers), ``tolerance``, ``within`` (bool).
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
           "column": column}
    out["within"] = out["max_abs_partial"] <= tolerance
    return out


# ------------------------------------------------------------------ the model (needs PyMC)
def fit_posterior(rows: pd.DataFrame, outcome: str, drivers: list[str], phone_only: list[str], *, group: str,
                  draws: int = 1000, tune: int = 1000, chains: int = 2, seed: int = 1) -> pd.DataFrame:
    """Posterior mean and SD of each group's LMG shares under the hierarchical model (module docstring)."""
    import pymc as pm        # the optional extra 'bayes'; imported here so that the rest runs without it

    common = [d for d in drivers if d not in phone_only]
    cols = [*common, outcome, *phone_only]
    z = (rows[cols] - rows[cols].mean()) / rows[cols].std()
    labels = sorted(rows[group].unique())
    code = pd.Categorical(rows[group], categories=labels).codes
    qa, qb, n_g = len(common), len(phone_only), len(labels)
    xa, y = z[common].to_numpy(), z[outcome].to_numpy()
    s_a = np.stack([np.cov(xa[code == k], rowvar=False, bias=True) for k in range(n_g)])
    phone = z[phone_only].notna().all(axis=1).to_numpy()
    zb_in = np.column_stack([xa, y])[phone]
    xb, code_b = z.loc[phone, phone_only].to_numpy(), code[phone]
    with pm.Model():
        b0 = pm.Normal("b0", 0, 1, shape=qa)
        tau_b = pm.HalfNormal("tau_b", 0.5, shape=qa)
        beta = pm.Deterministic("beta", b0 + tau_b * pm.Normal("b_raw", 0, 1, shape=(n_g, qa)))
        a = pm.Normal("a", 0, 1, shape=n_g)
        m, s = pm.Normal("m", 0, 1), pm.HalfNormal("s", 0.5)
        sigma = pm.Deterministic("sigma", pm.math.exp(m + s * pm.Normal("sig_raw", 0, 1, shape=n_g)))
        pm.Normal("y", a[code] + (xa * beta[code]).sum(axis=1), sigma[code], observed=y)
        g0 = pm.Normal("g0", 0, 1, shape=(qa + 1, qb))
        tau_g = pm.HalfNormal("tau_g", 0.5, shape=(qa + 1, qb))
        gamma = pm.Deterministic("gamma", g0 + tau_g * pm.Normal("g_raw", 0, 1, shape=(n_g, qa + 1, qb)))
        c = pm.Normal("c", 0, 1, shape=(n_g, qb))
        omegas = []
        for k in range(n_g):
            chol, _, _ = pm.LKJCholeskyCov(f"chol_{k}", n=qb, eta=2.0, sd_dist=pm.HalfNormal.dist(1.0),
                                           compute_corr=True)
            sel = code_b == k
            mu = c[k] + pm.math.dot(zb_in[sel], gamma[k])
            pm.MvNormal(f"xb_{k}", mu=mu, chol=chol, observed=xb[sel])
            omegas.append(pm.Deterministic(f"omega_{k}", pm.math.dot(chol, chol.T)))
        idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=1, random_seed=seed, progressbar=False,
                          target_accept=0.9)
    post = idata.posterior
    flat = lambda v: post[v].to_numpy().reshape(-1, *post[v].shape[2:])     # noqa: E731  (chain x draw)
    omega = np.stack([flat(f"omega_{k}") for k in range(n_g)], axis=1)
    cov = covariance_from_parameters(s_a[None], flat("beta"), flat("sigma"), flat("gamma"), omega)
    order = [cols.index(d) for d in drivers]
    pct = lmg_pct(cov, order)                                                 # (draws, groups, drivers)
    divergences = int(idata.sample_stats["diverging"].sum())
    rhat = float(np.nanmax([float(v) for v in __import__("arviz").rhat(idata, var_names=["beta", "gamma",
                                                                                          "sigma"]).max().values()]))
    at_mean = lmg_pct(cov.mean(axis=0), order)                               # LMG of the posterior-mean covariance
    out = pd.DataFrame({"group": np.repeat(labels, len(drivers)), "driver": drivers * n_g,
                        "at_mean": at_mean.ravel(), "mean": pct.mean(axis=0).ravel(), "sd": pct.std(axis=0).ravel()})
    out.attrs.update(divergences=divergences, max_rhat=rhat, draws=int(pct.shape[0]))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--out", type=Path)
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
    phone_only = list(res.pooling.phone_only)
    start = time.perf_counter()
    post = fit_posterior(res.used, res.settings.outcome, drivers, phone_only, group=GROUP, draws=args.draws,
                         tune=args.tune, chains=args.chains, seed=args.seed)
    t_bayes = time.perf_counter() - start
    default = res.importance[res.importance.group != "all"][["group", "driver", "lmg_pct", "own_lmg_pct"]]
    result = compare(default, post, args.tolerance)
    of_means = compare(default, post, args.tolerance, column="mean")
    g = res.groups.set_index("group").drop("all")
    print(result["table"].round(2).to_string(index=False))
    print(f"\nposterior: {post.attrs['draws']} draws, {post.attrs['divergences']} divergences, "
          f"max R-hat {post.attrs['max_rhat']:.3f}; default {t_default:.1f} s, PyMC {t_bayes:.1f} s")
    print("own-data weights (outcome | drivers' covariance | phone-only):",
          ", ".join(f"{k} {r.pooling_weight:.2f}" for k, r in g.iterrows()))
    print(f"|partial - posterior mean|: max {result['max_abs_partial']:.2f}, mean {result['mean_abs_partial']:.2f}"
          f"; |own - posterior mean|: max {result['max_abs_own']:.2f}, mean {result['mean_abs_own']:.2f}; "
          f"same top two {100 * result['same_top2']:.0f}% of organisations; tolerance {args.tolerance} -> "
          f"{'within' if result['within'] else 'NOT within'} (LMG of the posterior-mean covariance)")
    print(f"posterior means of the LMG shares: |partial - mean| max {of_means['max_abs_partial']:.2f}, mean "
          f"{of_means['mean_abs_partial']:.2f}; |own - mean| max {of_means['max_abs_own']:.2f}, mean "
          f"{of_means['mean_abs_own']:.2f}; largest |partial - mean| / posterior SD "
          f"{(of_means['table'].diff_partial.abs() / of_means['table'].sd).max():.2f}")
    if args.out is not None:
        doc = {k: v for k, v in result.items() if k != "table"}
        doc["posterior_means"] = {k: v for k, v in of_means.items() if k != "table"}
        doc.update(table=result["table"].to_dict("records"), **post.attrs, seconds_default=t_default,
                   seconds_bayes=t_bayes)
        args.out.write_text(json.dumps(doc, indent=1, default=float), encoding="utf-8")
    return 0 if result["within"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
