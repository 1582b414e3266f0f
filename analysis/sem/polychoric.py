"""Thresholds, polychoric correlations and their asymptotic covariance matrix.

The two-step estimator of Olsson (1979) as lavaan 0.6 computes it for
``ordered`` variables: the thresholds of each variable from its own marginal
proportions (``tau_k = Phi^-1(P(y <= k))``), then each polychoric correlation by
maximising the bivariate ordinal likelihood of its contingency table with the
thresholds held fixed.  Missing answers (and N/A, which the readers turn into
missing) are never a category: each threshold uses every respondent who
answered the item, each correlation every respondent who answered both
(lavaan's ``missing = "pairwise"``).

The asymptotic covariance matrix ``Gamma`` of ``sqrt(N)`` times the thresholds
and correlations is Muthén's (1984) sandwich from the casewise scores of the
univariate and bivariate likelihoods, ``Gamma = N A^-1 B A^-T`` with ``B`` the
cross-product of the scores and ``A`` the block-triangular Jacobian of the two
steps (outer-product estimates of its blocks, as lavaan's ``muthen1984``);
missing answers contribute zero scores.  Its diagonal gives the DWLS weights
(Muthén, du Toit & Spisic 1997).

The bivariate normal distribution function uses Plackett's identity
``dPhi2/drho = phi2`` integrated in ``t = asin(r)`` with 20-point Gauss-Legendre
(Genz 2004's substitution; within 1e-10 for ``|rho| <= .99``), vectorised over
all pairs and cells at once.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44(4), 443-460.
Muthén, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*,
    49(1), 115-132.
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted
    least squares and quadratic estimating equations in latent variable modeling
    with categorical and continuous outcomes. Unpublished manuscript.
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate
    normal and t probabilities. *Statistics and Computing*, 14(3), 251-260.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> z = rng.standard_normal((500, 2)) @ np.linalg.cholesky([[1, .6], [.6, 1]]).T
>>> y = np.digitize(z, [-1.0, 0.0, 1.0]).astype(float)
>>> stats = ordinal_statistics(y)
>>> round(float(stats.cor[0, 1]), 2)
0.5
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis.common.errors import ModelError

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
_BIG = 10.0          # stands in for an infinite threshold: Phi(10) = 1 to machine precision
_RHO_MAX = 0.9999


def _phi(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _cdf(x):
    return special.ndtr(x)


def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """``P(X <= h, Y <= k)`` for standard bivariate normals with correlation ``rho``.

    Broadcasts its arguments; thresholds beyond +-10 count as infinite.
    """
    h, k, rho = np.broadcast_arrays(np.clip(h, -_BIG, _BIG), np.clip(k, -_BIG, _BIG), rho)
    a = np.arcsin(rho)
    t = 0.5 * a[..., None] * (_NODES + 1.0)
    inv = 1.0 / (2.0 * np.cos(t) ** 2)                  # per node: 1 / (2 cos^2 t)
    f = np.exp((2.0 * h * k)[..., None] * (np.sin(t) * inv) - (h * h + k * k)[..., None] * inv)
    return _cdf(h) * _cdf(k) + 0.5 * a * (f @ _WEIGHTS) / (2.0 * np.pi)


def bvn_pdf(h, k, rho):
    """Standard bivariate normal density (zero where a bound is infinite)."""
    h, k = np.clip(h, -_BIG, _BIG), np.clip(k, -_BIG, _BIG)
    one = 1.0 - rho * rho
    return np.exp(-(h * h - 2.0 * rho * h * k + k * k) / (2.0 * one)) / (2.0 * np.pi * np.sqrt(one))


@dataclass(frozen=True)
class OrdinalStats:
    """Sample statistics of ordinal variables in one group.

    ``thresholds`` lists each variable's thresholds; ``th`` is them stacked,
    ``th_var`` the variable of each; ``cor`` the polychoric correlation matrix,
    ``pairs`` the ``(i, j)`` of each correlation in ``vech`` order below the
    diagonal (lavaan's order: ``(2,1), (3,1), ..., (3,2), ...``); ``gamma`` the
    asymptotic covariance matrix of ``sqrt(n)`` times ``(th, cor[pairs])``;
    ``n`` the group's respondents (rows with at least one answer);
    ``levels`` the values of each variable's categories.
    """

    thresholds: tuple
    th: np.ndarray
    th_var: np.ndarray
    cor: np.ndarray
    pairs: np.ndarray
    gamma: np.ndarray
    n: int
    levels: tuple
    n_pairwise: np.ndarray

    @property
    def moments(self) -> np.ndarray:
        """``(th, rho)``: the statistics DWLS fits."""
        return np.concatenate([self.th, self.cor[self.pairs[:, 0], self.pairs[:, 1]]])


def category_codes(Y: np.ndarray, levels=None, where: str = "the data", names=None):
    """Code each column's values as categories 0..K-1 (``-1`` = missing).

    ``levels`` (one sorted array per column) fixes the categories, as lavaan
    takes them from all groups together; a category without respondents in
    this group is an error (lavaan refuses such data too).
    """
    n, p = Y.shape
    names = names or [f"column {j + 1}" for j in range(p)]
    codes = np.full((n, p), -1, dtype=int)
    out_levels = []
    for j in range(p):
        col = Y[:, j]
        seen = ~np.isnan(col)
        lev = np.unique(col[seen]) if levels is None else np.asarray(levels[j])
        if len(lev) < 2:
            raise ModelError(f"{where}: '{names[j]}' has fewer than two answer categories; an "
                             f"ordinal model needs variation, remove it from the model")
        idx = np.searchsorted(lev, col[seen])
        codes[seen, j] = idx
        counts = np.bincount(idx, minlength=len(lev))
        if np.any(counts == 0):
            empty = [str(_fmt(v)) for v in lev[counts == 0]]
            raise ModelError(f"{where}: nobody answered '{names[j]}' with {', '.join(empty)}, a "
                             f"category used elsewhere; thresholds cannot be compared across groups -- "
                             f"merge that answer with its neighbour (recode) or use estimator 'mlr'")
        out_levels.append(lev)
    return codes, tuple(out_levels)


def _fmt(v):
    return int(v) if float(v).is_integer() else v


def ordinal_statistics(Y: np.ndarray, levels=None, where: str = "the data", names=None) -> OrdinalStats:
    """Thresholds, polychoric correlations and ``Gamma`` of the rows ``Y`` (NaN = missing).

    Parameters
    ----------
    Y : ndarray (n, p)
        Answers as numbers; each column's distinct values are its ordered
        categories.  Rows without any answer are to be removed beforehand.
    levels : sequence of arrays, optional
        Categories per column (e.g. from all groups); default: those observed.

    Returns
    -------
    OrdinalStats
    """
    codes, levels = category_codes(Y, levels, where, names)
    n, p = codes.shape
    K = np.array([len(lev) for lev in levels])
    kmax = int(K.max())
    observed = codes >= 0
    # thresholds: -inf, tau_1..tau_{K-1}, +inf per variable, padded with +inf
    cuts = np.full((p, kmax + 1), _BIG)
    cuts[:, 0] = -_BIG
    thresholds, sc_th_cols, th_var = [], [], []
    for j in range(p):
        counts = np.bincount(codes[observed[:, j], j], minlength=K[j])
        tau = special.ndtri(np.cumsum(counts)[:-1] / counts.sum())
        cuts[j, 1:K[j]] = tau
        thresholds.append(tau)
        th_var += [j] * len(tau)
        # univariate scores: d log P(category) / d tau_k
        prob = np.diff(_cdf(cuts[j, :K[j] + 1]))
        dens = _phi(tau)
        cat_score = np.zeros((K[j], K[j] - 1))
        cat_score[np.arange(K[j] - 1), np.arange(K[j] - 1)] = dens / prob[:-1]     # upper bound
        cat_score[np.arange(1, K[j]), np.arange(K[j] - 1)] = -dens / prob[1:]      # lower bound
        sc = np.zeros((n, K[j] - 1))
        sc[observed[:, j]] = cat_score[codes[observed[:, j], j]]
        sc_th_cols.append(sc)
    sc_th = np.hstack(sc_th_cols)
    th_start = np.concatenate([[0], np.cumsum(K - 1)])

    # every contingency table at once from the one-hot codes
    onehot = np.zeros((n, p, kmax))
    rows, cols = np.nonzero(observed)
    onehot[rows, cols, codes[rows, cols]] = 1.0
    jj, ii = np.triu_indices(p, 1)                   # lavaan's vech order below the diagonal:
    order = np.lexsort((ii, jj))                     # column j, then row i > j
    pairs = np.column_stack([ii[order], jj[order]])
    flat = onehot.reshape(n, p * kmax)
    cross = (flat.T @ flat).reshape(p, kmax, p, kmax)
    tables = cross[pairs[:, 0], :, pairs[:, 1], :]    # (pairs, kmax, kmax): rows = first variable
    n_pair = tables.sum(axis=(1, 2))
    if np.any(n_pair == 0):
        i, j = pairs[np.flatnonzero(n_pair == 0)[0]]
        raise ModelError(f"{where}: no respondent answered both '{(names or [''] * p)[i] or i}' and "
                         f"'{(names or [''] * p)[j] or j}', so their polychoric correlation cannot be "
                         f"estimated")
    lo1, hi1 = cuts[pairs[:, 0], :-1], cuts[pairs[:, 0], 1:]
    lo2, hi2 = cuts[pairs[:, 1], :-1], cuts[pairs[:, 1], 1:]
    rho = _start_rho(tables, K[pairs[:, 0]], K[pairs[:, 1]])
    for _ in range(100):
        prob, dprob = _cell_probs(lo1, hi1, lo2, hi2, rho)
        score = np.sum(tables * dprob / prob, axis=(1, 2))
        info = n_pair * np.sum(dprob ** 2 / prob, axis=(1, 2))     # expected (Fisher) information
        step = score / info
        rho = np.clip(rho + step, -_RHO_MAX, _RHO_MAX)
        if np.max(np.abs(step)) < 1e-10:
            break
    prob, dprob = _cell_probs(lo1, hi1, lo2, hi2, rho)
    s_rho = dprob / prob                               # (pairs, kmax, kmax) casewise rho scores
    cor = np.eye(p)
    cor[pairs[:, 0], pairs[:, 1]] = cor[pairs[:, 1], pairs[:, 0]] = rho

    # casewise rho scores and the A21 block (rho scores x bivariate threshold scores)
    both = observed[:, pairs[:, 0]] & observed[:, pairs[:, 1]]
    ci = np.where(observed, codes, 0)
    sc_cor = s_rho[np.arange(len(pairs))[None, :], ci[:, pairs[:, 0]], ci[:, pairs[:, 1]]] * both
    d1, d2 = _threshold_derivatives(lo1, hi1, lo2, hi2, rho, kmax)
    weight = np.where(tables > 0, tables * s_rho / prob, 0.0)      # n_ab * s_rho_ab / pi_ab
    a21_1 = np.einsum("pab,pabk->pk", weight, d1)      # per pair, thresholds of the first variable
    a21_2 = np.einsum("pab,pabk->pk", weight, d2)
    nth, npair = sc_th.shape[1], len(pairs)
    A21 = np.zeros((npair, nth))
    for r, (i, j) in enumerate(pairs):
        A21[r, th_start[i]:th_start[i + 1]] = a21_1[r, :K[i] - 1]
        A21[r, th_start[j]:th_start[j + 1]] = a21_2[r, :K[j] - 1]
    scores = np.hstack([sc_th, sc_cor])
    inner = scores.T @ scores
    a11_inv = np.zeros((nth, nth))
    for j in range(p):
        s = slice(th_start[j], th_start[j + 1])
        a11_inv[s, s] = np.linalg.inv(inner[s, s])
    a22_inv = 1.0 / np.sum(sc_cor ** 2, axis=0)
    b_inv = np.zeros((nth + npair, nth + npair))
    b_inv[:nth, :nth] = a11_inv
    b_inv[nth:, :nth] = -(a22_inv[:, None] * A21) @ a11_inv
    b_inv[nth:, nth:] = np.diag(a22_inv)
    gamma = n * (b_inv @ inner @ b_inv.T)
    return OrdinalStats(thresholds=tuple(thresholds), th=np.concatenate(thresholds),
                        th_var=np.array(th_var, dtype=int), cor=cor, pairs=pairs,
                        gamma=0.5 * (gamma + gamma.T), n=n, levels=levels, n_pairwise=n_pair)


def _start_rho(tables, k1, k2):
    """Pearson correlation of the category numbers: a start inside (-1, 1)."""
    kmax = tables.shape[1]
    a = np.arange(kmax, dtype=float)
    n = tables.sum(axis=(1, 2))
    p1, p2 = tables.sum(axis=2) / n[:, None], tables.sum(axis=1) / n[:, None]
    m1, m2 = p1 @ a, p2 @ a
    v1, v2 = p1 @ a ** 2 - m1 ** 2, p2 @ a ** 2 - m2 ** 2
    cov = np.einsum("pab,a,b->p", tables, a, a) / n - m1 * m2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(v1 * v2)
    return np.clip(np.nan_to_num(r), -0.9, 0.9)


def _cell_probs(lo1, hi1, lo2, hi2, rho):
    """Cell probabilities and their derivatives w.r.t. rho, (pairs, K, K).

    The distribution function and density are evaluated once on the grid of
    threshold pairs (the infinite edges in closed form); each cell is the
    rectangle difference of its four corners.
    """
    c1 = np.concatenate([lo1, hi1[:, -1:]], axis=1)                 # (pairs, K+1)
    c2 = np.concatenate([lo2, hi2[:, -1:]], axis=1)
    r = rho[:, None, None]
    F = np.zeros((len(rho), c1.shape[1], c2.shape[1]))
    F[:, 1:-1, 1:-1] = bvn_cdf(c1[:, 1:-1, None], c2[:, None, 1:-1], r)
    F[:, -1, :] = _cdf(c2)
    F[:, :, -1] = _cdf(c1)
    F[:, -1, -1] = 1.0
    F[:, 0, :] = F[:, :, 0] = 0.0
    f = bvn_pdf(c1[:, :, None], c2[:, None, :], r)
    prob = F[:, 1:, 1:] - F[:, :-1, 1:] - F[:, 1:, :-1] + F[:, :-1, :-1]
    dprob = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
    # padded (empty) categories have zero probability and zero counts
    prob = np.where(prob > 1e-300, prob, 1e-300)
    return prob, dprob


def _threshold_derivatives(lo1, hi1, lo2, hi2, rho, kmax):
    """d pi_ab / d tau_k for the thresholds of each variable: (pairs, K, K, kmax-1)."""
    npair = len(rho)
    s = np.sqrt(1.0 - rho ** 2)[:, None, None]
    r = rho[:, None, None]

    def edge(x, lo_o, hi_o):
        # d/dx of P(X <= x, lo_o < Y <= hi_o) = phi(x) [Phi((hi_o - r x)/s) - Phi((lo_o - r x)/s)]
        xc = np.clip(x, -_BIG, _BIG)
        return _phi(xc) * (_cdf((hi_o - r * xc) / s) - _cdf((lo_o - r * xc) / s))

    up1 = edge(hi1[:, :, None], lo2[:, None, :], hi2[:, None, :])    # d pi_ab / d upper bound of a
    low1 = edge(lo1[:, :, None], lo2[:, None, :], hi2[:, None, :])
    up2 = edge(hi2[:, None, :], lo1[:, :, None], hi1[:, :, None])
    low2 = edge(lo2[:, None, :], lo1[:, :, None], hi1[:, :, None])
    d1 = np.zeros((npair, kmax, kmax, kmax - 1))
    d2 = np.zeros((npair, kmax, kmax, kmax - 1))
    k = np.arange(kmax - 1)
    # threshold k is the upper bound of category k and the lower bound of category k+1
    d1[:, k, :, k] = up1[:, k, :].transpose(1, 0, 2)
    d1[:, k + 1, :, k] -= low1[:, k + 1, :].transpose(1, 0, 2)
    d2[:, :, k, k] = up2[:, :, k]           # adjacent advanced indices keep their place
    d2[:, :, k + 1, k] -= low2[:, :, k + 1]
    return d1, d2
