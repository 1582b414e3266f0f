"""Problems a fitted model can have, detected and described for the reader.

Fitting never raises for these: the result lists them in ``problems_`` so that
nothing is printed as if it were fine.  Kinds:

``nonconvergence``
    The optimiser stopped before the gradient vanished.
``heywood``
    A negative (residual) variance or a standardized loading beyond ±1
    (variances are not bounded, so such estimates show).
``not_positive_definite``
    Sample (or EM) covariance matrix, implied latent covariance matrix or
    residual covariance matrix (Theta) is not positive definite.
``small_sample``
    Fewer respondents than free parameters, fewer than variables + 1 in a
    group, or fewer than the recommended 5 per free parameter.
``standard_errors``
    The information matrix is singular (model not identified, at least
    empirically) so standard errors are unavailable.
``missing_data``
    Respondents dropped because every variable was missing, pairs of variables
    rarely observed together, or the EM algorithm not converging.

References
----------
Bentler, P. M., & Chou, C.-P. (1987). Practical issues in structural modeling.
    *Sociological Methods & Research*, 16(1), 78-117 (at least 5 cases per free
    parameter).
Wolf, E. J., Harrington, K. M., Clark, S. L., & Miller, M. W. (2013). Sample size
    requirements for structural equation models: an evaluation of power, bias,
    and solution propriety. *Educational and Psychological Measurement*, 73(6),
    913-934 (30 to 460 cases depending on factors, indicators and loadings).
Kolenikov, S., & Bollen, K. A. (2012). Testing negative error variances: is a
    Heywood case a symptom of misspecification? *Sociological Methods &
    Research*, 41(1), 124-167.

Example
-------
>>> Problem("heywood", "x3 has a negative residual variance (-0.10)", "error").kind
'heywood'
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CASES_PER_PARAMETER = 5  # Bentler & Chou (1987)


@dataclass(frozen=True)
class Problem:
    """One problem with a fitted model.

    Attributes
    ----------
    kind : str
        See the module docstring.
    message : str
        What is wrong and what it means, in one or two sentences.
    severity : {"error", "warning"}
        ``"error"``: estimates or their standard errors should not be interpreted.
    group : str or None
        Group label, if the problem is specific to one group.
    parameters : tuple of str
        Parameters involved, written as in lavaan (``"visual=~x2"``).
    """

    kind: str
    message: str
    severity: str = "warning"
    group: str | None = None
    parameters: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" [group {self.group}]" if self.group else ""
        return f"{self.severity.upper()} {self.kind}{where}: {self.message}"


def usable_fit(model) -> bool:
    """Whether a fitted model's estimates may be reported: it converged and has no error-severity problem.

    A fit with an error (non-convergence, a Heywood case, a matrix that is not positive
    definite, more free parameters than respondents, singular information) is reported
    through its problems only, never through its estimates or fit indices.

    Parameters
    ----------
    model : SEM or None
        A fitted :class:`analysis.sem.SEM` (None, a model that could not be fitted, is
        not usable).

    Returns
    -------
    bool
    """
    return (model is not None and bool(model.converged_)
            and not any(p.severity == "error" for p in model.problems_))


def _min_eig(m: np.ndarray) -> float:
    if m.size == 0:
        return math.inf
    return float(np.linalg.eigvalsh(0.5 * (m + m.T))[0])


def not_pd(matrix: np.ndarray, rel: float = 1e-10) -> bool:
    """True if ``matrix`` is not (numerically) positive definite."""
    if matrix.size == 0:
        return False
    scale = max(float(np.max(np.abs(np.diag(matrix)))), 1e-300)
    return _min_eig(matrix) <= rel * scale


def sample_size_problems(n_by_group: dict[str, int], p: int, npar: int,
                         complete: bool) -> list[Problem]:
    """Too few respondents overall, per group, or per free parameter."""
    out = []
    N = sum(n_by_group.values())
    if N < npar:
        out.append(Problem("small_sample",
                           f"only {N} respondents for {npar} free parameters; at least {npar} are "
                           f"needed to estimate the model at all and about "
                           f"{CASES_PER_PARAMETER * npar} ({CASES_PER_PARAMETER} per parameter, "
                           f"Bentler & Chou 1987) for stable estimates", "error"))
    elif N < CASES_PER_PARAMETER * npar:
        out.append(Problem("small_sample",
                           f"{N} respondents for {npar} free parameters ({N / npar:.1f} per "
                           f"parameter); Bentler & Chou (1987) recommend at least "
                           f"{CASES_PER_PARAMETER} per parameter, i.e. {CASES_PER_PARAMETER * npar}; "
                           f"Wolf et al. (2013) found 30-460 needed depending on loadings and "
                           f"factors; expect unstable estimates and improper solutions",
                           "warning"))
    for label, n in n_by_group.items():
        if n < p + 1:
            out.append(Problem("small_sample",
                               f"{n} respondents but {p} variables: at least {p + 1} are needed for "
                               f"a non-singular covariance matrix"
                               + ("" if complete else " (with missing data the saturated model "
                                  "is not estimable either)"), "error", group=label or None))
    return out


def heywood_problems(rows, est: np.ndarray, std: np.ndarray, observed: set, labels) -> list[Problem]:
    """Negative variances and standardized loadings beyond ±1."""
    out = []
    for k, r in enumerate(rows):
        name = f"{r.lhs}{r.op}{r.rhs}"
        group = labels[r.group - 1] or None
        if r.op == "~~" and r.lhs == r.rhs and r.free and est[k] < 0:
            what = "residual variance" if r.lhs in observed else "variance"
            out.append(Problem("heywood",
                               f"{r.lhs} has a negative {what} ({est[k]:.3f}): an improper "
                               f"solution (Heywood case); check the model, small samples or "
                               f"outliers before interpreting it", "error", group, (name,)))
        if r.op == "=~" and np.isfinite(std[k]) and abs(std[k]) > 1.0:
            out.append(Problem("heywood",
                               f"standardized loading of {r.rhs} on {r.lhs} is {std[k]:.3f} "
                               f"(beyond ±1): an improper solution (Heywood case)", "error",
                               group, (name,)))
    return out


def matrix_problems(model, theta: np.ndarray, labels) -> list[Problem]:
    """Implied latent covariance matrix and residual covariance matrix not PD."""
    out = []
    p = model.p
    for g in range(model.ngroups):
        pr = model.parts(theta, g)
        lab = labels[g] or None
        if model.latent and not_pd(pr["V"][p:, p:]):
            out.append(Problem("not_positive_definite",
                               "the implied covariance matrix of the latent variables is not "
                               "positive definite (a variance ≤ 0 or a correlation beyond ±1)",
                               "error", lab, tuple(model.latent)))
        theta_mat = pr["S"][:p, :p]
        if not_pd(theta_mat) and np.all(np.diag(theta_mat) > 0):
            out.append(Problem("not_positive_definite",
                               "the residual covariance matrix (Theta) is not positive definite: "
                               "some residual correlations are beyond ±1", "error", lab))
    return out


def data_problems(group, sat) -> list[Problem]:
    """Problems of one group's data and saturated (EM) fit: respondents with nothing observed,
    pairs rarely observed together, a failed or non-converged EM, a non-positive-definite matrix."""
    out = []
    lab = group.label or None
    if group.n_empty:
        out.append(Problem("missing_data",
                           f"{group.n_empty} respondent(s) had every model variable missing and "
                           f"were dropped (as lavaan does)", "warning", lab))
    low = np.argwhere(np.triu(group.coverage < 0.1, 1))
    if len(low):
        out.append(Problem("missing_data",
                           f"{len(low)} pair(s) of variables are observed together for fewer than "
                           f"10% of respondents (lowest {group.coverage.min():.1%}); their "
                           f"covariances rest on the model's assumptions, not on data", "warning", lab))
    if np.isnan(sat.loglik):
        out.append(Problem("not_positive_definite",
                           "the EM estimate of the saturated model failed: its covariance matrix "
                           "became singular (too few respondents for the number of variables); "
                           "chi-square, CFI, TLI, RMSEA and SRMR are not valid", "error", lab))
    elif not sat.converged:
        out.append(Problem("missing_data", f"the EM algorithm for the saturated model did not "
                           f"converge in {sat.iterations} iterations", "warning", lab))
    if not np.isnan(sat.loglik) and not_pd(sat.cov):
        what = "sample" if group.complete else "EM-estimated saturated"
        out.append(Problem("not_positive_definite",
                           f"the {what} covariance matrix is not positive definite (collinear or "
                           f"constant variables, or too few respondents); chi-square, CFI and "
                           f"SRMR are not valid", "error", lab))
    return out
