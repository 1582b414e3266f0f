"""Normal log-likelihood of incomplete data by missing-data pattern (FIML).

For a pattern observing variables ``o`` in ``n`` respondents with mean ``ybar``
and covariance ``C`` (divisor ``n``), with ``K = Sigma_oo^-1`` and
``d = ybar - mu_o``::

    logL_p = -n/2 * ( k log(2 pi) + log|Sigma_oo| + tr(K C) + d' K d )

Patterns with the same number of observed variables are processed together
(stacked arrays), so the cost is a handful of array operations per distinct
pattern size rather than a loop over respondents.  ``Sigma`` is inverted once;
a pattern missing the variables ``m`` then needs only the small matrix
``K_mm`` of ``K = Sigma^-1``: ``Sigma_oo^-1 = K_oo - K_om K_mm^-1 K_mo`` and
``log|Sigma_oo| = log|Sigma| + log|K_mm|`` (the partitioned inverse; Magnus &
Neudecker, 1999, ch. 1), which is exact and, with few variables missing per
pattern, much cheaper than inverting every ``Sigma_oo``.
Derivatives are returned with respect to the full ``mu`` and the unconstrained
entries of ``Sigma``; :mod:`analysis.sem.representation` chains them to the
model parameters.  Complete data are one pattern, so the same code gives
ordinary ML.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of
    incomplete data. In *Advanced Structural Equation Modeling*, 243-277.
Enders, C. K. (2001). A primer on maximum likelihood algorithms available for
    use with missing data. *Structural Equation Modeling*, 8(1), 128-141.
Savalei, V. (2010). Expected versus observed information in SEM with
    incomplete normal and nonnormal data. *Psychological Methods*, 15(4), 352-367.
Magnus, J. R., & Neudecker, H. (1999). *Matrix Differential Calculus with
    Applications in Statistics and Econometrics* (rev. ed.). Wiley.

Example
-------
>>> import numpy as np
>>> from analysis.sem.data import single_pattern
>>> b = single_pattern(np.zeros(2), np.eye(2), 10)
>>> round(pattern_loglik(np.eye(2), np.zeros(2), b), 4)
-28.3788
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from analysis.sem.data import PatternBatch, missing_positions

LOG_2PI = float(np.log(2.0 * np.pi))


def _sub(sigma: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return sigma[idx[:, :, None], idx[:, None, :]]


def _factor(sigma: np.ndarray, batch: PatternBatch):
    """Inverse and log-determinant of every pattern's sub-matrix, or None if not PD."""
    sub = _sub(sigma, batch.idx)
    try:
        chol = np.linalg.cholesky(sub)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    inv = np.linalg.inv(sub)
    return 0.5 * (inv + inv.transpose(0, 2, 1)), logdet


def missing_indices(batch: PatternBatch, p: int) -> np.ndarray:
    """The unobserved variable indices of each pattern of ``batch`` (B, p - k), ascending."""
    if batch.mis is not None and batch.mis.shape[1] == p - batch.idx.shape[1]:
        return batch.mis
    return missing_positions(batch.idx, p)


def _factor_from_inverse(K: np.ndarray, logdet: float, batch: PatternBatch):
    """``Sigma_oo^-1`` and ``log|Sigma_oo|`` of every pattern from ``K = Sigma^-1`` (partitioned inverse)."""
    idx = batch.idx
    B, k = idx.shape
    if k == len(K):
        return np.broadcast_to(K, (B, k, k)), np.full(B, logdet)
    p = len(K)
    mis = missing_indices(batch, p)
    # the blocks gathered by flat position (``lin`` holds those of K_oo): one take each
    k_mm = K.take(mis[:, :, None] * p + mis[:, None, :])
    k_mo = K.take(mis[:, :, None] * p + idx[:, None, :])
    chol = np.linalg.cholesky(k_mm)             # PD: a principal block of a PD matrix; its log-determinant
    # K_om (K_mm^-1 K_mo) with the small m x m inverse: measured 27% less CPU than
    # L^-1 K_mo by a (general) batched solve with the Cholesky factor, the same to ~1e-16
    inv = K.take(batch.lin.reshape(B, k, k)) - k_mo.transpose(0, 2, 1) @ (np.linalg.inv(k_mm) @ k_mo)
    return 0.5 * (inv + inv.transpose(0, 2, 1)), logdet + 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)


def pattern_factors(sigma: np.ndarray, batches) -> list | None:
    """:func:`_factor` of every batch, or None if some pattern's sub-matrix is not PD.

    When ``Sigma`` itself is positive definite (and not nearly singular) it is inverted once and each pattern
    missing fewer variables than it observes takes its inverse from ``K`` (exact, see
    the module); otherwise (a non-PD ``Sigma`` whose observed blocks may still be PD)
    every sub-matrix is factored directly, as before.
    """
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        chol = None
    if chol is not None and np.diagonal(chol).min() ** 2 < 1e-10 * np.max(np.diagonal(sigma)):
        chol = None        # nearly singular: K would be inaccurate, factor each pattern's block
    out = []
    if chol is not None:
        logdet = 2.0 * float(np.log(np.diagonal(chol)).sum())
        eye = np.eye(len(sigma))
        lower_inv = np.linalg.solve(chol, eye)
        K = lower_inv.T @ lower_inv
        K = 0.5 * (K + K.T)
    for b in batches:
        k = b.idx.shape[1]
        fac = (_factor_from_inverse(K, logdet, b) if chol is not None and len(sigma) - k <= k
               else _factor(sigma, b))
        if fac is None:
            return None
        out.append(fac)
    return out


def pattern_loglik(sigma: np.ndarray, mu: np.ndarray, batches, factors=None) -> float:
    """Log-likelihood (with constants) of one group; ``-inf`` if ``sigma`` is not PD.

    ``factors``: :func:`pattern_factors` of ``sigma`` when already known.
    """
    total = 0.0
    factors = pattern_factors(sigma, batches) if factors is None else factors
    if factors is None:
        return -np.inf
    for b, (K, logdet) in zip(batches, factors):
        d = b.ybar - mu[b.idx]
        # tr(K C) only for patterns of several respondents (C = 0 for one)
        quad = np.einsum("bi,bi->b", d, (K @ d[:, :, None])[:, :, 0])
        several = np.flatnonzero(b.n > 1)
        if len(several):
            rows = slice(None) if len(several) == len(b.n) else several
            quad[rows] += np.einsum("bij,bij->b", K[rows], b.cov[rows])
        k = b.idx.shape[1]
        total += -0.5 * float(np.sum(b.n * (k * LOG_2PI + logdet + quad)))
    return total


def pattern_loglik_grad(sigma: np.ndarray, mu: np.ndarray, batches, factors=None, products: list | None = None):
    """Log-likelihood and the gradient of ``-logL`` w.r.t. ``Sigma`` and ``mu``.

    Returns ``(logL, G, gmu)``; ``(-inf, None, None)`` if ``sigma`` is not PD.
    ``factors``: :func:`pattern_factors` of ``sigma`` when already known. ``products``:
    a list to which each batch's ``M = K (C + d d') K`` is appended (the observed
    information at the same moments needs them again, :func:`information_in_parameters`).
    """
    p = len(mu)
    total = 0.0
    G = np.zeros(p * p)
    gmu = np.zeros(p)
    factors = pattern_factors(sigma, batches) if factors is None else factors
    if factors is None:
        return -np.inf, None, None
    for b, (K, logdet) in zip(batches, factors):
        d = b.ybar - mu[b.idx]
        Kd = (K @ d[:, :, None])[:, :, 0]
        # K (C + d d') K = K C K + (K d)(K d)': a pattern of one respondent has C = 0 (most
        # patterns of incomplete survey data), so the products with C only where n > 1
        quad = np.einsum("bi,bi->b", d, Kd)
        KTK = Kd[:, :, None] * Kd[:, None, :]
        several = np.flatnonzero(b.n > 1)
        if len(several):
            rows = slice(None) if len(several) == len(b.n) else several
            Kr = K[rows]
            quad[rows] += np.einsum("bij,bij->b", Kr, b.cov[rows])
            KTK[rows] += Kr @ b.cov[rows] @ Kr
        k = b.idx.shape[1]
        total += -0.5 * float(np.sum(b.n * (k * LOG_2PI + logdet + quad)))
        if products is not None:
            products.append(KTK)
        gsub = 0.5 * b.n[:, None, None] * (K - KTK)
        G += np.bincount(b.lin.ravel(), weights=gsub.ravel(), minlength=p * p)
        gmu -= np.bincount(b.idx.ravel(), weights=(b.n[:, None] * Kd).ravel(), minlength=p)
    G = G.reshape(p, p)
    return total, 0.5 * (G + G.T), gmu


def _kron_from_gram(gram: np.ndarray, p: int) -> np.ndarray:
    # gram[(i,k),(j,l)] = sum_b w_b X_b[i,k] Y_b[j,l]  ->  kron-style [(i,j),(k,l)]
    return gram.reshape(p, p, p, p).transpose(0, 2, 1, 3).reshape(p * p, p * p)


@lru_cache(maxsize=64)
def _triu(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k)``, kept (each information matrix needs it for every batch)."""
    out = np.triu_indices(k)
    for a in out:
        a.setflags(write=False)
    return out


def _information_grams(sigma, mu, batches, observed: bool, factors=None, products=None) -> dict:
    """The Gram products of :func:`pattern_information`, over the distinct entries of the symmetric matrices.

    ``gram[v(i,k), v(j,l)]`` (``v``: position among the p(p+1)/2 distinct entries) is
    ``ss[(i,j),(k,l)]``; ``ms`` (p(p+1)/2, p) and ``mm`` (p, p) as there. ``products``: the
    batches' ``M`` at these moments, when already known (:func:`pattern_loglik_grad`).
    """
    p = len(mu)
    # K and M are symmetric: the Gram products are taken over their p(p+1)/2 distinct
    # entries (a quarter of the work) and spread to all p*p positions afterwards
    rows, cols = _triu(p)
    vech = np.zeros((p, p), dtype=int)
    vech[rows, cols] = vech[cols, rows] = np.arange(len(rows))
    vech = vech.ravel()
    factors = pattern_factors(sigma, batches) if factors is None else factors
    w = np.concatenate([b.n for b in batches])
    # every pattern's distinct entries written into one array (no per-batch copies)
    VK = np.zeros((len(w), len(rows)))
    VM = np.zeros((len(w), len(rows))) if observed else None
    VV = np.zeros((len(w), p)) if observed else None
    start = 0
    for c, (b, (K, _)) in enumerate(zip(batches, factors)):
        B, k = b.idx.shape
        at = np.arange(start, start + B)[:, None]
        start += B
        tr, tc = _triu(k)
        positions = vech[b.lin.reshape(-1, k, k)[:, tr, tc]]
        VK[at, positions] = K[:, tr, tc]
        if observed:
            d = b.ybar - mu[b.idx]
            KTK = products[c] if products is not None else K @ (b.cov + d[:, :, None] * d[:, None, :]) @ K
            VM[at, positions] = KTK[:, tr, tc]
            VV[at, b.idx] = np.einsum("bij,bj->bi", K, d)
    # sum_p n_p K_p (the means' block) is the weighted column sum of VK, spread to p x p
    # (cheaper than scattering every pattern's K again)
    out = {"mm": (w @ VK)[vech].reshape(p, p), "vech": vech}
    if not observed:
        # V'V with V = sqrt(w) VK: numpy takes a product of a matrix with its own
        # transpose as a symmetric rank-k update (BLAS syrk), half the flops of VKw' VK
        root = VK * np.sqrt(w)[:, None]
        out["gram"] = 0.5 * (root.T @ root)
        out["ms"] = None
        return out
    VKw = VK * w[:, None]
    # -1/2 sum K(x)K + 1/2 sum (K(x)M + M(x)K) as one Gram product: K (x) M is symmetric
    # for symmetric K and M, and its sandwich with the symmetric moment derivatives equals
    # that of M (x) K, so sum K (x) (M - K/2) gives both terms
    VM -= 0.5 * VK
    out["gram"] = VKw.T @ VM
    out["ms"] = VKw.T @ VV
    return out


def pattern_information(sigma: np.ndarray, mu: np.ndarray, batches, observed: bool, factors=None) -> dict:
    """Information of ``(mu, vec Sigma)`` for one group (of ``-logL``, not divided by n).

    Parameters
    ----------
    observed : bool
        ``False``: expected information (Fisher), ``sum_p n_p/2 K (x) K`` for the
        covariances and ``sum_p n_p K`` for the means.  ``True``: observed
        information, the negative Hessian of ``logL`` in the moments, which adds
        the data-dependent terms ``n_p/2 (M (x) K + K (x) M) - n_p/2 K (x) K`` with
        ``M = K (C + d d') K``, and a means-covariances block.

    factors : list, optional
        :func:`pattern_factors` of ``sigma`` when already known.

    Returns
    -------
    dict
        ``ss`` (p*p, p*p), ``ms`` (p, p*p), ``mm`` (p, p); sums of Kronecker
        products over patterns are formed as one Gram matrix product (over the
        distinct entries of the symmetric matrices).  The fit itself takes the
        parameters' information without forming ``ss`` (:func:`information_in_parameters`).
    """
    p = len(mu)
    grams = _information_grams(sigma, mu, batches, observed, factors)
    vech = grams["vech"]
    spread = np.ix_(vech, vech)
    out = {"mm": grams["mm"], "ss": _kron_from_gram(grams["gram"][spread], p)}
    # d2(-logL)/dmu_i dSigma_ac = sum n K_ia v_c
    out["ms"] = (np.zeros((p, p * p)) if grams["ms"] is None
                 else grams["ms"][vech].reshape(p, p, p).reshape(p, p * p))
    return out


CACHED_FOLD_P = 40        # models up to this many observed variables keep their fold positions (< 6 MB)


def _fold_positions(p: int) -> tuple[np.ndarray, ...]:
    """:func:`_fold_positions_of`, kept between calls for models of up to ``CACHED_FOLD_P`` variables."""
    return _cached_fold_positions(p) if p <= CACHED_FOLD_P else _fold_positions_of(p)


@lru_cache(maxsize=4)
def _cached_fold_positions(p: int) -> tuple[np.ndarray, ...]:
    out = _fold_positions_of(p)
    for a in out:
        a.setflags(write=False)          # shared between fits
    return out


def _fold_positions_of(p: int) -> tuple[np.ndarray, ...]:
    """Flat positions in the distinct-entries Gram of the folded information's terms, and the halvings.

    For distinct entries ``u = (i, j)`` and ``w = (k, l)`` (``i <= j``, ``k <= l``) the
    folded information is ``h_u h_w (ss[ij,kl] + ss[ji,kl] + ss[ij,lk] + ss[ji,lk])``
    (``h = 1/2`` on the diagonal, where the two orders are the same entry), and
    ``ss[(a,b),(c,d)] = gram[v(a,c), v(b,d)]``. The third and fourth terms are the first
    and second of the transposed Gram (``gram[v(j,l), v(i,k)]``, ``gram[v(i,l), v(j,k)]``),
    so the positions of the first two are returned, to be read from ``gram + gram'``.
    """
    iu, ju = np.triu_indices(p)
    q = len(iu)
    vech = np.zeros((p, p), dtype=np.int64 if q * q > np.iinfo(np.int32).max else np.int32)
    vech[iu, ju] = vech[ju, iu] = np.arange(q)
    i, j, k, l = iu[:, None], ju[:, None], iu[None, :], ju[None, :]
    terms = tuple(vech[a, c] * q + vech[b, d] for a, b, c, d in ((i, j, k, l), (j, i, k, l)))
    return (*terms, np.where(iu == ju, 0.5, 1.0))


def information_in_parameters(sigma: np.ndarray, mu: np.ndarray, batches, observed: bool, d_mu: np.ndarray,
                              d_sigma: np.ndarray, meanstructure: bool, factors=None, products=None) -> np.ndarray:
    """Chain the moments' information of :func:`pattern_information` to the parameters: ``J' I J``.

    ``d_mu`` (p, r) and ``d_sigma`` (p*p, r) are the moment Jacobian. The rows of
    ``d_sigma`` for ``Sigma_ij`` and ``Sigma_ji`` are equal, so the covariance block is
    taken over the p(p+1)/2 distinct entries: ``I`` folded (the two rows and columns of
    each pair summed), read straight from the Gram product of :func:`_information_grams`
    (the ``p^2 x p^2`` matrix ``ss`` is never formed), then ``dv' I_folded dv``.
    """
    p = len(mu)
    grams = _information_grams(sigma, mu, batches, observed, factors, products)
    t1, t2, half = _fold_positions(p)
    # two gathers from gram + gram' instead of four from gram (see _fold_positions_of)
    gram = grams["gram"]
    both = (gram + gram.T).ravel()
    folded = both.take(t1) + both.take(t2)
    folded *= half[:, None]
    folded *= half[None, :]
    iu, ju = _triu(p)
    dv = d_sigma[iu * p + ju]
    out = dv.T @ (folded @ dv)
    if meanstructure and grams["ms"] is not None:
        ms = grams["ms"][grams["vech"]].reshape(p, p, p).reshape(p, p * p)
        cross = d_mu.T @ (ms @ d_sigma)
        out += cross + cross.T + d_mu.T @ grams["mm"] @ d_mu
    elif meanstructure:                    # expected information: no means-covariances block
        out += d_mu.T @ grams["mm"] @ d_mu
    return 0.5 * (out + out.T)


def complete_information(a: np.ndarray, b: np.ndarray, dmu: np.ndarray, sigma: np.ndarray,
                         mu: np.ndarray, batch: PatternBatch, observed: bool,
                         meanstructure: bool) -> np.ndarray:
    """Information of ``-logL`` for complete data (one pattern), in slot space.

    Uses the rank-2 form of the moment derivatives (``dSigma_r = a_r b_r' +
    b_r a_r'``): ``tr(K dSigma_r M dSigma_s)`` is a sum of Hadamard products of the
    small matrices ``a W a'``, ``a W b'``, ``b W b'``, so no ``p^2 x p^2`` matrix is formed.
    """
    n = float(batch.n[0])
    K = np.linalg.inv(sigma)
    K = 0.5 * (K + K.T)
    aK, bK = a @ K, b @ K
    aa, ab, bb = aK @ a.T, aK @ b.T, bK @ b.T
    tkk = 2.0 * (ab.T * ab + aa * bb)          # tr(K D_r K D_s)
    if not observed:
        out = 0.5 * n * tkk
        if meanstructure:
            out += n * (dmu @ K @ dmu.T)
        return 0.5 * (out + out.T)
    d = batch.ybar[0] - mu
    M = K @ (batch.cov[0] + np.outer(d, d)) @ K
    aM, bM = a @ M, b @ M
    aa_m, ab_m, bb_m = aM @ a.T, aM @ b.T, bM @ b.T
    tkm = ab_m.T * ab + bb_m * aa + aa_m * bb + ab_m * ab.T   # tr(K D_r M D_s)
    out = n * (-0.5 * tkk + 0.5 * (tkm + tkm.T))
    if meanstructure:
        v = K @ d
        dK = dmu @ K
        cross = (dK @ a.T) * (b @ v)[None, :] + (dK @ b.T) * (a @ v)[None, :]
        out += n * (cross + cross.T + dmu @ K @ dmu.T)
    return 0.5 * (out + out.T)
