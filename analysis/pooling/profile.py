"""Does an organisation's *profile* of outcome coefficients differ from the others'? A size-free test.

Why. The set-aside rule of :mod:`analysis.pooling.shrinkage` judges each organisation by
the inverse-Wishart marginal likelihood of its outcome factor. That metric counts a
difference in the *size* of an organisation's effects (its R², its residual variance) as
much as a difference in their *profile*, although only the profile moves LMG shares and
ranks. In the benchmark's crowd the sizes vary a lot (own-data R² 0.23-0.59 at 400
respondents), so an organisation whose profile is rotated (another top driver) looks no
further from the population than the crowd's own members (``benchmarks/RESULTS.md``,
sessions 7 and 8). This module tests the profile alone.

Model. Organisation ``g``'s regression of the outcome on the ``k`` common drivers,
from its own scatter matrix ``A_g`` (``m_g`` degrees of freedom),

    β̂_g = A_xx⁻¹ a_xy,     V_g = σ̂²_g A_xx⁻¹,     σ̂²_g = (a_yy - a_yx β̂_g) / (m_g - k),

is the usual OLS estimate and its sampling covariance. The population of profiles is a
normal random-effects model with a free scale per organisation,

    β̂_g = c_g β₀ + u_g + e_g,     u_g ~ N(0, τ² Ω),     e_g ~ N(0, V_g),

with ``Ω = Σ₀xx⁻¹`` (``Σ₀xx`` the population's covariance of the common drivers): the
metric of the normal-inverse-Wishart prior, under which ``β_g | σ²_g ~ N(β₀, σ²_g (κ
Σ₀xx)⁻¹)`` (Hoff 2009, ch. 7), so ``τ²`` plays the part of ``σ²/κ``. ``c_g`` absorbs
the size of the organisation's effects. In coordinates ``z = L'β`` (``L L' = Σ₀xx``)
``Ω`` is the identity. ``β₀`` is the weighted mean of the *other* member organisations'
``β̂_h`` and ``τ²`` their method-of-moments estimate on the ``k - 1`` directions
orthogonal to ``β₀`` (what a rescaling cannot explain),

    τ² = Σ_h w_h (|P⊥ z_h|² - tr(P⊥ Ṽ_h)) / ((k - 1) Σ_h w_h),   clipped at 0,

the multivariate analogue of DerSimonian & Laird's (1986) moment estimator, with
weights ``w_h = 1 / (tr Ṽ_h / k + τ²₁)`` from a first, equally weighted pass (one step
towards the Paule-Mandel / REML weights; Jackson, White & Riley 2013 for the
multivariate case). Leave-one-out: organisation ``g`` never enters its own ``β₀`` or
``τ²`` (as it does not enter the κ that its likelihood-ratio statistic in
:mod:`analysis.pooling.shrinkage` is judged at); only the members' weights come from
the first pass over all members, so that every sum stays one total minus one term
(no G x G array: 200 organisations x 1,000 replicates).
The statistic is the generalised-least-squares distance after the best rescaling,

    W_g = min_c (z_g - c z₀)' M_g⁻¹ (z_g - c z₀),   M_g = Ṽ_g + τ² I + ĉ_g² Var(z₀),

(``Var(z₀)`` the uncertainty of the leave-one-out mean), approximately χ² with ``k - 1``
degrees of freedom for an organisation of the population: a Mahalanobis outlier test
against a random-effects population (Gelman & Hill 2007, ch. 13, on varying slopes;
Viechtbauer & Cheung 2010 for outlier diagnostics in random-effects meta-analysis).
What is new here (not from a reference): the free scale ``c_g``, which makes the test
blind to the size of the effects, and its use as a set-aside rule for a covariance
pooling; its calibration is the benchmark's (``benchmarks/RESULTS.md``, session 8).

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled
    Clinical Trials*, 7(3), 177-188.
Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
    Models*. Cambridge University Press. (Ch. 13: varying intercepts and slopes.)
Hoff, P. D. (2009). *A First Course in Bayesian Statistical Methods*. Springer. (Ch. 7.)
Jackson, D., White, I. R., & Riley, R. D. (2013). A matrix-based method of moments for
    fitting the multivariate random effects model for meta-analysis and meta-regression.
    *Biometrical Journal*, 55(2), 231-245.
Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for
    meta-analysis. *Research Synthesis Methods*, 1(2), 112-125.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import chi2

# Nominal level of the test (the LR rule's too). With τ² from a handful of members W is
# heavier-tailed than χ², so a member of the population is set aside somewhat more often
# (2% with ten members in tests/test_pooling_profile.py; benchmarks/RESULTS.md, session 8).
PROFILE_LEVEL = 0.01


def profile_critical(k: int) -> float:
    """The χ²_{k-1} quantile at :data:`PROFILE_LEVEL` (upper tail) for ``k`` common drivers."""
    return float(chi2.isf(PROFILE_LEVEL, k - 1))


def profile_statistic(scatter: np.ndarray, m: np.ndarray, member: np.ndarray, drivers_cov: np.ndarray,
                      weights: np.ndarray | None = None) -> np.ndarray:
    """Size-free distance ``W_g`` of each organisation's outcome profile from the other members'.

    Parameters
    ----------
    scatter : ndarray (..., G, k + 1, k + 1)
        Each organisation's scatter matrix of the common drivers then the outcome.
    m : ndarray (..., G)
        Its degrees of freedom (respondents minus one).
    member : ndarray of bool (..., G)
        The organisations that describe the population (leave-one-out over them).
    drivers_cov : ndarray (..., k, k)
        The population's covariance of the common drivers (``Σ₀xx``: the metric ``Ω⁻¹``).
    weights : ndarray (..., G), optional
        Organisation-level bootstrap weights of the members (mean 1), as in
        :func:`analysis.pooling.shrinkage.pool_covariances`.

    Returns
    -------
    ndarray (..., G)
        ``W_g`` (module docstring); 0 for an organisation with too few respondents for
        its own regression (``m_g ≤ k``) and wherever fewer than two other members have
        one (no population to compare with).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> beta = np.array([[.4, .3, .1]] * 6 + [[.1, .1, .5]])       # the last one is rotated
    >>> scat = []
    >>> for b in beta:
    ...     x = rng.standard_normal((400, 3)); y = x @ b + rng.standard_normal(400) * .5
    ...     d = np.column_stack([x, y]); d -= d.mean(0); scat.append(d.T @ d)
    >>> w = profile_statistic(np.array(scat), np.full(7, 399.), np.ones(7, bool), np.eye(3))
    >>> bool(w[-1] > profile_critical(3) > w[:-1].max())
    True
    """
    k = scatter.shape[-1] - 1
    m = np.asarray(m, dtype=float)
    ok = np.isfinite(scatter).all(axis=(-1, -2)) & (m > k)
    a = np.where(ok[..., None, None], scatter, np.eye(k + 1))
    axx, axy, ayy = a[..., :k, :k], a[..., :k, k], a[..., k, k]
    chol = np.linalg.cholesky(axx)
    # β̂ and A_xx⁻¹ through the Cholesky factor (A_xx is positive definite for m > k)
    inv_l = np.linalg.inv(chol)
    axx_inv = np.swapaxes(inv_l, -1, -2) @ inv_l
    beta = (axx_inv @ axy[..., None])[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = np.where(ok, (ayy - (axy * beta).sum(-1)) / (m - k), 0.0)
    sigma2 = np.clip(sigma2, 0.0, None)
    # whitened coordinates z = L'β, Ṽ = L' V L (Ω = I there)
    lt = np.swapaxes(np.linalg.cholesky(drivers_cov), -1, -2)[..., None, :, :]
    z = (lt @ beta[..., None])[..., 0]
    v = sigma2[..., None, None] * (lt @ axx_inv @ np.swapaxes(lt, -1, -2))
    tr_v = np.trace(v, axis1=-2, axis2=-1)

    used = member & ok
    w1 = used.astype(float) if weights is None else used * weights
    # first pass: equal weights, all members (only to set the second pass's weights)
    tau2_all = _tau2(z, v, tr_v, w1, k)
    w = w1 / (tr_v / k + tau2_all[..., None])
    w = np.where(used, w, 0.0)
    # second pass, leave-one-out: every sum over the members minus the organisation's own term
    own_w = np.where(used, w, 0.0)
    tau2 = _tau2(z, v, tr_v, w, k, own_w=own_w)                         # (..., G)
    sw = w.sum(-1)[..., None] - own_w
    with np.errstate(divide="ignore", invalid="ignore"):
        z0 = ((w[..., None] * z).sum(-2)[..., None, :] - own_w[..., None] * z) / sw[..., None]
        eye = np.eye(k)
        noise = v + tau2[..., None, None] * eye                        # each organisation's total variance
        var_z0 = (((w ** 2)[..., None, None] * noise).sum(-3)[..., None, :, :]
                  - (own_w ** 2)[..., None, None] * noise) / (sw ** 2)[..., None, None]
        # an organisation without its own regression or without a population: a harmless
        # identity (its statistic is set to 0 below), so that one batch solve serves all
        valid = (ok & (sw > 0))[..., None, None]
        mg = np.where(valid, v + tau2[..., None, None] * eye, eye)
        z0 = np.where(valid[..., 0] & np.isfinite(z0), z0, 1.0)
        c = _scale(mg, z, z0)
        mg = np.where(valid & np.isfinite(var_z0), mg + (c ** 2)[..., None, None] * var_z0, mg)
        stat = _gls_distance(mg, z, z0)
    enough = (used.sum(-1)[..., None] - used) >= 2
    return np.where(ok & enough & np.isfinite(stat), stat, 0.0)


def _tau2(z, v, tr_v, w, k, own_w=None):
    """Method-of-moments τ² on the directions orthogonal to the (weighted) mean profile.

    ``|P⊥ z_h|² = |z_h|² - (z₀·z_h)² / |z₀|²`` and
    ``tr(P⊥ Ṽ_h) = tr Ṽ_h - z₀'Ṽ_h z₀ / |z₀|²``,
    so the sums over members need only ``Σ w_h z_h z_h'``, ``Σ w_h Ṽ_h`` and the scalars:
    the leave-one-out versions (``own_w`` given: the organisation's own weight) are the
    totals minus the organisation's own term.
    """
    leave_out = own_w is not None
    def total(arr, extra):                      # Σ_h w_h arr_h, minus own if leave_out
        s = (w.reshape(w.shape + (1,) * extra) * arr).sum(axis=-1 - extra)
        s = np.expand_dims(s, -1 - extra)
        if leave_out:
            return s - own_w.reshape(own_w.shape + (1,) * extra) * arr
        return s
    sw = total(np.ones_like(w), 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z0 = total(z, 1) / sw[..., None]
        zz = total(z[..., :, None] * z[..., None, :], 2)
        vv = total(v, 2)
        sq = total((z ** 2).sum(-1), 0)
        tv = total(tr_v, 0)
        n0 = (z0 ** 2).sum(-1)
        proj_z = np.einsum("...i,...ij,...j->...", z0, zz, z0) / n0
        proj_v = np.einsum("...i,...ij,...j->...", z0, vv, z0) / n0
        tau2 = ((sq - proj_z) - (tv - proj_v)) / ((k - 1) * sw)
    tau2 = np.where(np.isfinite(tau2), np.clip(tau2, 0.0, None), 0.0)
    return tau2 if leave_out else tau2[..., 0]


def _scale(mg, z, z0):
    """The GLS scale ``c = z₀'M⁻¹z / z₀'M⁻¹z₀`` of the population's profile in the organisation's."""
    solve_z0 = np.linalg.solve(mg, z0[..., None])[..., 0]
    return (solve_z0 * z).sum(-1) / (solve_z0 * z0).sum(-1)


def _gls_distance(mg, z, z0):
    """``min_c (z - c z₀)' M⁻¹ (z - c z₀) = z'M⁻¹z - (z₀'M⁻¹z)² / z₀'M⁻¹z₀``."""
    both = np.linalg.solve(mg, np.stack([z, z0], axis=-1))
    mz, mz0 = both[..., 0], both[..., 1]
    return (z * mz).sum(-1) - (z0 * mz).sum(-1) ** 2 / (z0 * mz0).sum(-1)
