"""The full-Bayesian counterpart of ``pooling='partial'``: its likelihood, vectorised, and a PyMC model.

Used by ``benchmarks/bench_pooling_bayes.py`` (the cross-check of the default on the
example study) and its tests; never by the toolkit itself. PyMC and PyTensor (the
optional extra ``bayes``) are imported inside the functions that need them, so this
module imports without them.

**The model** is the default's (:mod:`analysis.pooling.shrinkage`) with the empirical-Bayes
steps replaced by priors. Each organisation's covariance of the drivers and the outcome
comes from a generalised inverse-Wishart population around ``Σ₀`` with one prior
strength per factor of the Bartlett factorisation (``κ_drivers``, ``κ_outcome``,
``κ_phone``), and its respondents are normal given its covariance, with the phone-only
drivers observed for the phone respondents (:mod:`analysis.pooling.moments`). With the
organisation's covariance integrated out in closed form (the matrix-variate beta-prime
density of a Wishart scatter under an inverse-Wishart prior; Gupta & Nagar 2000,
sec. 5.2), every organisation's scatter matrices give the likelihood of ``(Σ₀, κ)``,
factor by factor exactly as :func:`~analysis.pooling.shrinkage._factor_curves`. Priors:
``κ`` on the default's search range with one of :data:`KAPPA_PRIORS`; ``Σ₀`` LKJ(1)
correlations with half-normal(2) standard deviations (variables standardized).

**Two populations** (:data:`POPULATIONS`, :func:`build_model`). ``'single'``: one κ per
factor for every organisation. ``'two-component'`` (the default): the full-Bayes form of
the default's set-aside rule, which estimates the population "as a heavy-tailed
(two-component) population would be" -- per factor each organisation is in the crowd
(κ) or, with probability π, an outlier with its own κ^out ≤ κ, the indicator summed out
(:mod:`analysis.pooling.bayes_population`).

**Why a custom operation.** The likelihood is a sum over organisations and factors of
log-determinants of small matrices. Built as a PyTensor graph it is hundreds of small
operations (one Cholesky factor per organisation and factor, their gradients through
triangular solves): 0.6-1.1 ms per log density and gradient with one BLAS thread, and
60-90 ms on a loaded machine when OpenBLAS starts its threads for every 8 x 8 solve
(``benchmarks/RESULTS.md``). :func:`log_likelihood_and_gradient` computes the value and
its analytic gradient with a few NumPy calls on the organisations' stacked matrices
(G, d, d), and :func:`likelihood_op` hands both to PyTensor as one operation.

References
----------
Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A., & Liu, J. (2013). A nondegenerate
    penalized likelihood estimator for variance parameters in multilevel models.
    *Psychometrika*, 78(4), 685-709.
Gupta, A. K., & Nagar, D. K. (2000). *Matrix Variate Distributions*. Chapman & Hall/CRC.
Lewandowski, D., Kurowicka, D., & Joe, H. (2009). Generating random correlation matrices
    based on vines and extended onion method. *Journal of Multivariate Analysis*, 100(9),
    1989-2001.
Magnus, J. R., & Neudecker, H. (2019). *Matrix Differential Calculus with Applications in
    Statistics and Econometrics* (3rd ed.). Wiley. (d log|X| = tr(X⁻¹ dX).)
"""
from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from analysis.pooling.bayes_population import OUTLIER_PRIOR_B, group_log_likelihood_and_gradient, mixture_op
from analysis.pooling.moments import PatternStats
from analysis.pooling.shrinkage import BOUNDARY_PENALTY, KAPPA_GRID

KAPPA_RANGE = (float(KAPPA_GRID[0]), float(KAPPA_GRID[-1]))
# Two readings of the default's penalty -½ log κ as a prior, as the exponent of κ in the
# density per unit of log κ (the sampled variable). 'penalty': density ∝ κ^(-1/2) on κ,
# so ∝ κ^(1/2) on log κ (leans toward complete pooling). 'gamma-sigma': the penalty is
# log σ with σ = κ^(-1/2), the gamma(2, rate → 0) prior on a standard deviation of
# Chung et al. (2013), a density ∝ σ on σ, so ∝ σ² = κ^(-1) on log κ (leans away from
# complete pooling, the boundary σ = 0 that this prior is meant to avoid). Both have
# their mode in σ (or κ) where the default's penalised likelihood has its maximum.
KAPPA_PRIORS = {"penalty": 1 + BOUNDARY_PENALTY, "gamma-sigma": 2 * BOUNDARY_PENALTY}


def log_marginal(scatter, m, kappa, target, ops=None):
    """log p(scatter | Σ ~ IW_d(κ + d + 1, κ T)) up to a term free of ``κ`` and ``T``, with Σ integrated out.

    ``scatter`` ~ Wishart_d(m, Σ): the density of ``A`` is
    ``Γ_d((ν+m)/2) / Γ_d(ν/2) |κT|^{ν/2} |κT + A|^{-(ν+m)/2}`` times a function of
    ``A`` and ``m`` alone, ``ν = κ + d + 1`` (Gupta & Nagar 2000, sec. 5.2); the
    default's :func:`analysis.pooling.shrinkage._log_marginal` is the same up to
    ``-(m/2) log|T|``, which it leaves out because its ``T`` is fixed. ``ops`` is
    None (NumPy) or a namespace with ``log``, ``gammaln`` and ``logdet`` (PyTensor).
    """
    if ops is None:
        ops = _NUMPY_OPS
    d = scatter.shape[-1]
    nu = kappa + d + 1
    j = np.arange(d) / 2

    def mvgammaln(x):
        return sum(ops.gammaln(x - jj) for jj in j)

    return (mvgammaln((nu + m) / 2) - mvgammaln(nu / 2) + nu / 2 * (d * ops.log(kappa) + ops.logdet(target))
            - (nu + m) / 2 * ops.logdet(kappa * target + scatter))


class _NumpyOps:
    log = staticmethod(np.log)
    gammaln = staticmethod(gammaln)

    @staticmethod
    def logdet(a):
        return 2 * np.log(np.diagonal(np.linalg.cholesky(a), axis1=-2, axis2=-1)).sum(axis=-1)


_NUMPY_OPS = _NumpyOps()


FACTORS = ("drivers", "outcome", "phone_only")


def factor_log_likelihood(stats: PatternStats, qa: int, sigma0, factor: str, kappa, ops=None):
    """One factor's log likelihood of every organisation's data given ``(Σ₀, κ)``, summed over organisations.

    As :func:`analysis.pooling.shrinkage._factor_curves`: ``'drivers'``, the common
    drivers (all respondents); ``'outcome'``, the outcome given them (the joint density
    over the marginal one, same κ); ``'phone_only'``, the phone-only drivers given the
    common block (phone respondents). ``sigma0`` is in block order. Vectorised over the
    organisations: each term is one stack of G matrices (``κ T + A_g``, one batched
    Cholesky factor), not one small graph per organisation, so that PyTensor's log
    density and gradient cost about a millisecond instead of 92 ms (``RESULTS.md``).
    """
    x = qa - 1
    m_all, m_c = stats.n_all - 1, stats.n_complete - 1
    if factor == "drivers":
        term = log_marginal(stats.scatter_common[:, :x, :x], m_all, kappa, sigma0[:x, :x], ops)
    elif factor == "outcome":
        term = (log_marginal(stats.scatter_common, m_all, kappa, sigma0[:qa, :qa], ops)
                - log_marginal(stats.scatter_common[:, :x, :x], m_all, kappa, sigma0[:x, :x], ops))
    else:
        term = (log_marginal(stats.scatter_complete, m_c, kappa, sigma0, ops)
                - log_marginal(stats.scatter_complete[:, :qa, :qa], m_c, kappa, sigma0[:qa, :qa], ops))
    return term.sum()


def log_likelihood(stats: PatternStats, qa: int, sigma0, kappa: dict, ops=None):
    """The default's likelihood of every organisation's two-pattern data given ``(Σ₀, κ)``: the factors' sum.

    ``kappa`` maps ``'drivers'``, ``'outcome'`` and (with phone-only drivers)
    ``'phone_only'`` to scalars.
    """
    factors = FACTORS if stats.scatter_complete.shape[-1] > qa else FACTORS[:2]
    return sum(factor_log_likelihood(stats, qa, sigma0, f, kappa[f], ops) for f in factors)


def likelihood_terms(stats: PatternStats, qa: int) -> list[tuple]:
    """The stacks of :func:`log_likelihood` as ``(sign, factor index, scatter (G, d, d), m (G,))`` terms.

    A factor's log likelihood is one log marginal (``'drivers'``) or the difference of two
    (a conditional factor: the joint over the marginal), each a sum over organisations;
    :func:`log_likelihood_and_gradient` evaluates them from these stacks.
    """
    x, q = qa - 1, stats.scatter_complete.shape[-1]
    m_all, m_c = stats.n_all - 1.0, stats.n_complete - 1.0
    common, complete = stats.scatter_common, stats.scatter_complete
    terms = [(1, 0, common[:, :x, :x], m_all), (1, 1, common, m_all), (-1, 1, common[:, :x, :x], m_all)]
    if q > qa:
        terms += [(1, 2, complete, m_c), (-1, 2, complete[:, :qa, :qa], m_c)]
    return terms


def log_likelihood_and_gradient(terms: list[tuple], sigma0: np.ndarray, kappa: np.ndarray):
    """:func:`log_likelihood` and its gradient, vectorised over organisations, for the sampler.

    Parameters
    ----------
    terms : list
        :func:`likelihood_terms`.
    sigma0 : ndarray (q, q)
        Σ₀ in block order.
    kappa : ndarray (n_factors,)
        κ of ``'drivers'``, ``'outcome'`` (and ``'phone_only'``).

    Returns
    -------
    value : float
        ``-inf`` (zero gradient) where a matrix is not positive definite.
    grad_sigma0 : ndarray (q, q)
        The symmetric gradient: ``d value = tr(grad dΣ₀)`` for every symmetric ``dΣ₀``.
    grad_kappa : ndarray (n_factors,)

    Notes
    -----
    Per term, with ``ν = κ + d + 1``, ``a_g = (ν + m_g) / 2`` and ``M_g = κ T + A_g``
    (``T`` the leading ``d x d`` block of Σ₀), the value is
    ``Σ_g [log Γ_d(a_g) - log Γ_d(ν/2) + ν/2 (d log κ + log|T|) - a_g log|M_g|]`` and,
    from ``d log|X| = tr(X⁻¹ dX)`` and ``d log Γ_d(x)/dx = Σ_j ψ(x - j/2)``,
    ``∂/∂κ = Σ_g [½ Σ_j (ψ(a_g - j/2) - ψ(ν/2 - j/2)) + ½ (d log κ + log|T|) + νd/(2κ)
    - ½ log|M_g| - a_g tr(M_g⁻¹ T)]`` and ``∂/∂T = Σ_g [ν/2 T⁻¹ - κ a_g M_g⁻¹]``. One
    batched Cholesky factor and inverse per term: a few NumPy calls on (G, d, d) stacks
    instead of a graph of hundreds of small operations.
    """
    kappa = np.asarray(kappa, dtype=float)
    n_groups = len(terms[0][3])
    value, grad_s, grad_k = group_log_likelihood_and_gradient(
        terms, sigma0, np.repeat(kappa[:, None], n_groups, axis=1))
    if not np.isfinite(value).all():
        return -np.inf, np.zeros_like(np.asarray(sigma0, dtype=float)), np.zeros_like(kappa)
    return float(value.sum()), grad_s.sum(axis=(0, 1)), grad_k.sum(axis=1)


def pytensor_ops():
    """The PyTensor namespace for :func:`log_marginal`: log-determinants of stacks by one batched Cholesky."""
    import pytensor.tensor as pt    # with PyMC (the optional extra 'bayes')

    class PytensorOps:
        log = staticmethod(pt.log)
        gammaln = staticmethod(pt.gammaln)

        @staticmethod
        def logdet(a):
            return 2 * pt.log(pt.diagonal(pt.linalg.cholesky(a), axis1=-2, axis2=-1)).sum(axis=-1)

    return PytensorOps()


def likelihood_op(stats: PatternStats, qa: int):
    """A PyTensor operation ``(Σ₀, κ) -> log likelihood`` computed by :func:`log_likelihood_and_gradient`.

    Its gradient is its own second and third outputs, so PyTensor merges the log density
    and the gradient into one evaluation. The same value as :func:`log_likelihood` with
    :func:`pytensor_ops` (tested), at a fraction of its cost: the NumPy calls on the
    organisations' stacks replace a graph of hundreds of small PyTensor operations.
    """
    import pytensor.tensor as pt    # the optional extra 'bayes'
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    terms = likelihood_terms(stats, qa)

    class LogLikelihood(Op):
        def make_node(self, sigma0, kappa):
            sigma0, kappa = pt.as_tensor_variable(sigma0), pt.as_tensor_variable(kappa)
            return Apply(self, [sigma0, kappa], [pt.dscalar(), sigma0.type(), kappa.type()])

        def perform(self, node, inputs, outputs):
            value, grad_s, grad_k = log_likelihood_and_gradient(terms, *inputs)
            outputs[0][0] = np.asarray(value)
            outputs[1][0] = grad_s
            outputs[2][0] = grad_k

        def grad(self, inputs, output_grads):
            _, grad_s, grad_k = self(*inputs)
            return [output_grads[0] * grad_s, output_grads[0] * grad_k]

    op = LogLikelihood()
    return lambda sigma0, kappa: op(sigma0, kappa)[0]


POPULATIONS = ("two-component", "single")


def build_model(stats: PatternStats, qa: int, kappa_prior: str = "penalty", likelihood: str = "op",
                population: str = "two-component"):
    """The PyMC model of the module docstring for the organisations' statistics: ``(model, factors)``.

    ``kappa_prior`` is a key of :data:`KAPPA_PRIORS`. ``population='single'`` is one
    inverse-Wishart population per factor for every organisation; ``'two-component'``
    (the default) adds the counterpart of the default's set-aside rule
    (:mod:`analysis.pooling.bayes_population`): per factor ``π_f ~ Beta(1,``
    :data:`~analysis.pooling.bayes_population.OUTLIER_PRIOR_B` ``)`` and per factor
    and organisation ``u_fg ~ Uniform(0, 1)``, ``log κ^out_fg = log κ_min + u_fg
    (log κ_f - log κ_min)`` (log-uniform on ``(κ_min, κ_f]``), the indicators summed
    out. ``likelihood='op'`` evaluates the likelihood with :func:`likelihood_op` (or the
    mixture's operation); ``'graph'`` (single population only) builds it as a PyTensor
    graph (:func:`log_likelihood` with :func:`pytensor_ops`, batched Cholesky factors),
    the same value at a higher cost, for timing and checking.
    """
    import pymc as pm               # the optional extra 'bayes'
    import pytensor.tensor as pt

    if population not in POPULATIONS:
        raise ValueError(f"population must be one of {POPULATIONS}, not {population!r}")
    q = stats.scatter_complete.shape[-1]
    factors = FACTORS if q > qa else FACTORS[:2]
    lo, hi = np.log(KAPPA_RANGE[0]), np.log(KAPPA_RANGE[1])
    with pm.Model() as model:
        chol, _, _ = pm.LKJCholeskyCov("sigma0_chol", n=q, eta=1.0, sd_dist=pm.HalfNormal.dist(2.0),
                                       compute_corr=True)
        sigma0 = pm.Deterministic("sigma0", pt.dot(chol, chol.T))
        log_kappa = {f: pm.Uniform(f"log_kappa_{f}", lo, hi) for f in factors}
        kappa = {f: pt.exp(v) for f, v in log_kappa.items()}
        # the prior's density on log κ, ∝ κ^KAPPA_PRIORS[kappa_prior] (uniform in log κ times this)
        pm.Potential("kappa_prior", sum(KAPPA_PRIORS[kappa_prior] * v for v in log_kappa.values()))
        kappa_vector = pt.stack([kappa[f] for f in factors])
        if population == "two-component":
            n_groups = len(stats.n_all)
            pi = pm.Beta("outlier_prob", alpha=1.0, beta=OUTLIER_PRIOR_B, shape=len(factors))
            u = pm.Uniform("outlier_u", 0.0, 1.0, shape=(len(factors), n_groups))
            log_top = pt.stack([log_kappa[f] for f in factors])
            kappa_out = pm.Deterministic("kappa_out", pt.exp(lo + u * (log_top[:, None] - lo)))
            value = mixture_op(likelihood_terms(stats, qa))(sigma0, kappa_vector, kappa_out, pi)
        elif likelihood == "op":
            value = likelihood_op(stats, qa)(sigma0, kappa_vector)
        else:
            value = log_likelihood(stats, qa, sigma0, kappa, pytensor_ops())
        pm.Potential("likelihood", value)
    return model, factors
