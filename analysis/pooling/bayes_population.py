"""The full-Bayesian model's likelihood per organisation, and its two-component population.

Part of the cross-check of ``pooling='partial'`` (:mod:`analysis.pooling.bayes`,
``benchmarks/bench_pooling_bayes.py``); plain NumPy, PyTensor imported only inside
:func:`mixture_op`.

**Why two components.** The default (:mod:`analysis.pooling.shrinkage`) estimates its
population "as a heavy-tailed (two-component) population would be": per factor, an
organisation whose own marginal likelihood is much higher at its own strength ``κ_g``
than at the population's ``κ`` is set aside, ``Σ₀`` and ``κ`` come from the others, and
the one set aside is shrunk with its own ``κ_g ≤ κ``. This module writes that population
down as a model. Per factor ``f`` and organisation ``g`` an indicator ``z_fg``: with
prior probability ``1 - π_f`` the organisation is in the crowd, ``κ_fg = κ_f``; with
probability ``π_f`` it is an outlier with its own ``κ_fg^out`` in ``(κ_min, κ_f]``,
log-uniform there -- flat in log κ as the default's ``κ_g`` is an unpenalised maximum on
its grid from ``κ_min`` up to ``κ`` (:func:`analysis.pooling.shrinkage._argmax_refined`).
``z`` is summed out: the organisation's factor likelihood is
``log[(1 - π_f) p(A_fg | Σ₀, κ_f) + π_f p(A_fg | Σ₀, κ_fg^out)]``, both terms the
closed-form marginal likelihoods of :func:`group_log_likelihood_and_gradient` (a mixture
over the organisation's prior strength, hence over its inverse-Wishart prior: a
scale mixture with a heavier tail than one inverse-Wishart; cf. the discrete mixture
priors for outlying groups in Gelman et al. 2013, sec. 17.3, and the marginalised
indicators of the Stan User's Guide, "Finite mixtures"). An outlier with a small
``κ^out`` tells little about ``Σ₀`` (its term depends on ``Σ₀`` through ``κ^out Σ₀``
only) and about ``κ_f`` only through ``κ^out ≤ κ_f`` and the width of its prior: the
counterpart of leaving it out of the population's estimate. Given the population, the posterior probability that an organisation is an
outlier is :func:`responsibilities`; each posterior draw of its covariance draws ``z``
with it, so its posterior-mean covariance averages over both components.

References
----------
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., & Rubin, D. B.
    (2013). *Bayesian Data Analysis* (3rd ed.). CRC Press. (Ch. 17: robust models, mixtures.)
Gupta, A. K., & Nagar, D. K. (2000). *Matrix Variate Distributions*. Chapman & Hall/CRC.
Magnus, J. R., & Neudecker, H. (2019). *Matrix Differential Calculus with Applications in
    Statistics and Econometrics* (3rd ed.). Wiley.
Stan Development Team. *Stan User's Guide*, "Finite mixtures" (summing out a discrete
    indicator with log-sum-exp).
"""
from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

# The prior of π_f, the probability that an organisation is an outlier in factor f:
# Beta(1, OUTLIER_PRIOR_B), mean 1 / (1 + b). Calibrated to the default's test in
# benchmarks/bench_pooling_bayes.py (outlier_prior_calibration) and RESULTS.md: the
# default sets an organisation aside when twice its log likelihood ratio exceeds 6.635
# (chi-square(1) 1%), a likelihood ratio of 27.6; the Bayes factor of the outlier
# component is that ratio times the Occam factor of the log-uniform κ^out prior (the
# likelihood's width in log κ over the prior's), so prior odds π/(1 - π) equal to one
# over the Bayes factor at the test's threshold make the posterior probability 1/2 where
# the default's test is on its boundary. On the example study (4 organisations x 3
# factors, at the default's population) the log Occam factor is -1.5 to -2.5, median
# -1.8, so that Bayes factor is exp(6.635/2 - 1.8) = 4.6: b = 4.5, E[π] = 0.18. Shape 1:
# with a handful of organisations π is learned little, and its mean is what counts.
OUTLIER_PRIOR_B = 4.5


def group_log_likelihood_and_gradient(terms: list[tuple], sigma0: np.ndarray, kappa: np.ndarray):
    """Each organisation's log likelihood per factor given its own κ, and the gradients, vectorised.

    Parameters
    ----------
    terms : list
        :func:`analysis.pooling.bayes.likelihood_terms`: ``(sign, factor, scatter (G, d, d), m (G,))``.
    sigma0 : ndarray (q, q)
        Σ₀ in block order.
    kappa : ndarray (F, G)
        The prior strength of every factor and organisation.

    Returns
    -------
    value : ndarray (F, G)
        ``-inf`` everywhere (zero gradients) where Σ₀ is not positive definite.
    grad_sigma0 : ndarray (F, G, q, q)
        Symmetric: ``d value[f, g] = tr(grad[f, g] dΣ₀)``.
    grad_kappa : ndarray (F, G)
        ``∂ value[f, g] / ∂ kappa[f, g]``.

    Notes
    -----
    The per-organisation terms of :func:`analysis.pooling.bayes.log_likelihood_and_gradient`
    (its Notes give the formulas; ``d log|X| = tr(X⁻¹ dX)``, Magnus & Neudecker 2019),
    with ``κ`` a vector over organisations: the matrix-variate beta-prime density of the
    scatter (Gupta & Nagar 2000, sec. 5.2) up to a term free of ``(Σ₀, κ)``.
    """
    sigma0 = np.asarray(sigma0, dtype=float)
    kappa = np.asarray(kappa, dtype=float)
    n_f, n_g = kappa.shape
    q = sigma0.shape[-1]
    value, grad_s, grad_k = np.zeros((n_f, n_g)), np.zeros((n_f, n_g, q, q)), np.zeros((n_f, n_g))
    try:
        for sign, f, scatter, m in terms:
            k, d = kappa[f], scatter.shape[-1]
            t = sigma0[:d, :d]
            logdet_t = 2 * np.log(np.diagonal(np.linalg.cholesky(t))).sum()
            mat = k[:, None, None] * t + scatter
            logdet_m = 2 * np.log(np.diagonal(np.linalg.cholesky(mat), axis1=-2, axis2=-1)).sum(axis=-1)
            inv_m = np.linalg.inv(mat)
            nu = k + d + 1
            a = (nu + m) / 2
            j = np.arange(d) / 2
            value[f] += sign * (gammaln(a[:, None] - j).sum(-1) - gammaln(nu[:, None] / 2 - j).sum(-1)
                                + nu / 2 * (d * np.log(k) + logdet_t) - a * logdet_m)
            grad_k[f] += sign * (0.5 * digamma(a[:, None] - j).sum(-1) - 0.5 * digamma(nu[:, None] / 2 - j).sum(-1)
                                 + 0.5 * (d * np.log(k) + logdet_t) + nu * d / (2 * k) - 0.5 * logdet_m
                                 - a * np.einsum("gij,ji->g", inv_m, t))
            grad_s[f, :, :d, :d] += sign * ((nu / 2)[:, None, None] * np.linalg.inv(t)
                                            - (k * a)[:, None, None] * inv_m)
    except np.linalg.LinAlgError:           # Σ₀ not positive definite: outside the support
        return np.full((n_f, n_g), -np.inf), np.zeros((n_f, n_g, q, q)), np.zeros((n_f, n_g))
    return value, (grad_s + np.swapaxes(grad_s, -1, -2)) / 2, grad_k


def _components(terms, sigma0, kappa, kappa_out, pi):
    """Both components' log likelihoods (with their prior weights), their log-sum-exp and gradients."""
    kappa_out = np.asarray(kappa_out, dtype=float)
    pi = np.asarray(pi, dtype=float)
    crowd = group_log_likelihood_and_gradient(terms, sigma0, np.broadcast_to(
        np.asarray(kappa, dtype=float)[:, None], kappa_out.shape))
    out = group_log_likelihood_and_gradient(terms, sigma0, kappa_out)
    with np.errstate(divide="ignore"):
        a0 = np.log1p(-pi)[:, None] + crowd[0]
        a1 = np.log(pi)[:, None] + out[0]
    total = np.logaddexp(a0, a1)
    with np.errstate(invalid="ignore"):
        r = np.where(np.isfinite(total), np.exp(a1 - total), 0.0)
    return total, r, crowd, out


def responsibilities(terms: list[tuple], sigma0, kappa, kappa_out, pi) -> np.ndarray:
    """The posterior probability that each organisation is an outlier in each factor, given the population, (F, G).

    ``π p(A | κ^out) / [(1 - π) p(A | κ) + π p(A | κ^out)]`` at the given ``Σ₀``, ``κ``
    (F,), ``κ^out`` (F, G) and ``π`` (F,).
    """
    return _components(terms, sigma0, kappa, kappa_out, pi)[1]


def mixture_log_likelihood_and_gradient(terms: list[tuple], sigma0, kappa, kappa_out, pi):
    """The two-component population's log likelihood, the indicators summed out, and its gradient.

    Parameters
    ----------
    terms : list
        :func:`analysis.pooling.bayes.likelihood_terms`.
    sigma0 : ndarray (q, q)
    kappa : ndarray (F,)
        The crowd's κ per factor.
    kappa_out : ndarray (F, G)
        Each organisation's κ if it is an outlier.
    pi : ndarray (F,)
        The prior probability of being an outlier, per factor, in (0, 1).

    Returns
    -------
    value : float
        ``Σ_fg log[(1 - π_f) exp(L_fg(κ_f)) + π_f exp(L_fg(κ_fg^out))]``; ``-inf`` outside the support.
    grad_sigma0 : ndarray (q, q)
    grad_kappa : ndarray (F,)
    grad_kappa_out : ndarray (F, G)
    grad_pi : ndarray (F,)

    Notes
    -----
    With ``r_fg`` the outlier's responsibility (:func:`responsibilities`), the gradient of
    a log-sum-exp is the responsibility-weighted gradient of its terms:
    ``∂/∂Σ₀ = Σ_fg [(1 - r) ∂L(κ) + r ∂L(κ^out)]``, ``∂/∂κ_f = Σ_g (1 - r) ∂L/∂κ``,
    ``∂/∂κ^out_fg = r ∂L/∂κ^out``, ``∂/∂π_f = Σ_g [r / π - (1 - r) / (1 - π)]``.
    """
    pi = np.asarray(pi, dtype=float)
    total, r, crowd, out = _components(terms, sigma0, kappa, kappa_out, pi)
    shape = np.shape(kappa_out)
    if not np.isfinite(total).all():
        return -np.inf, np.zeros_like(np.asarray(sigma0, dtype=float)), np.zeros(shape[0]), np.zeros(shape), \
            np.zeros(shape[0])
    grad_s = np.einsum("fg,fgij->ij", 1 - r, crowd[1]) + np.einsum("fg,fgij->ij", r, out[1])
    grad_k = ((1 - r) * crowd[2]).sum(axis=-1)
    grad_ko = r * out[2]
    grad_pi = (r / pi[:, None] - (1 - r) / (1 - pi[:, None])).sum(axis=-1)
    return float(total.sum()), grad_s, grad_k, grad_ko, grad_pi


def mixture_op(terms: list[tuple]):
    """A PyTensor operation ``(Σ₀, κ, κ^out, π) -> log likelihood`` computed by :func:`mixture_log_likelihood_and_gradient`.

    As :func:`analysis.pooling.bayes.likelihood_op`: the gradients are the operation's
    further outputs, so PyTensor evaluates the value and the gradient in one call.
    """
    import pytensor.tensor as pt    # the optional extra 'bayes'
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    class MixtureLogLikelihood(Op):
        def make_node(self, sigma0, kappa, kappa_out, pi):
            inputs = [pt.as_tensor_variable(v) for v in (sigma0, kappa, kappa_out, pi)]
            return Apply(self, inputs, [pt.dscalar(), *(v.type() for v in inputs)])

        def perform(self, node, inputs, outputs):
            for slot, value in zip(outputs, mixture_log_likelihood_and_gradient(terms, *inputs)):
                slot[0] = np.asarray(value, dtype=float)

        def grad(self, inputs, output_grads):
            return [output_grads[0] * g for g in self(*inputs)[1:]]

    op = MixtureLogLikelihood()
    return lambda sigma0, kappa, kappa_out, pi: op(sigma0, kappa, kappa_out, pi)[0]
