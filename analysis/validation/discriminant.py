"""Discriminant validity: the HTMT ratio and the Fornell-Larcker criterion.

:func:`htmt` computes the heterotrait-monotrait ratio of Henseler, Ringle & Sarstedt
(2015) from item correlations -- the original (arithmetic means) by default, HTMT2
(geometric means; Roemer, Schuberth & Henseler 2021) on request -- with an optional
seeded percentile bootstrap for their 'HTMT_inference' criterion (the interval's upper
limit below 1). Pairs are judged against ``thresholds.HTMT_STRICT`` (.85) and
``HTMT_LIBERAL`` (.90). :func:`fornell_larcker` sets the square root of each construct's
AVE against its correlations with the other constructs (Fornell & Larcker 1981).

References
----------
Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *JAMS*, 43(1),
    115-135.
Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 -- an improved criterion for
    assessing discriminant validity in structural equation modeling. *Industrial
    Management & Data Systems*, 121(12), 2637-2650.
Franke, G., & Sarstedt, M. (2019). Heuristics versus statistics in discriminant validity
    testing. *Internet Research*, 29(3), 430-447.
Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *JMR*, 18(1), 39-50.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from analysis.bootstrap.importance import percentile_interval
from analysis.common import thresholds
from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import DataError, ModelError, ServiceDriversError
from analysis.common.options import check_level
from analysis.validation.reliability import average_variance_extracted
from analysis.validation.reliability_inputs import CFASolution, check_items, item_correlation

__all__ = ["HTMTResult", "htmt", "FornellLarckerResult", "fornell_larcker",
           "fornell_larcker_from_solution"]


def _construct_means(corr: np.ndarray, blocks: list[np.ndarray], geometric: bool) -> np.ndarray:
    """Matrix of mean item correlations within (diagonal) and between blocks."""
    nb = len(blocks)
    means = np.empty((nb, nb))
    for a in range(nb):
        for b in range(a, nb):
            if a == b:
                rows, cols = np.triu_indices(len(blocks[a]), k=1)
                values = corr[np.ix_(blocks[a], blocks[a])][rows, cols]
            else:
                values = corr[np.ix_(blocks[a], blocks[b])].ravel()
            with np.errstate(divide="ignore"):
                means[a, b] = means[b, a] = (np.exp(np.log(values).mean()) if geometric
                                             else values.mean())
    return means


def _htmt_matrix(corr: np.ndarray, blocks: list[np.ndarray], geometric: bool,
                 absolute: bool) -> tuple[np.ndarray, np.ndarray]:
    """HTMT of every pair of blocks (NaN where a monotrait mean is not positive) and
    the monotrait means."""
    corr = np.abs(corr) if absolute else corr
    means = _construct_means(corr, blocks, geometric)
    monotrait = np.diag(means).copy()
    positive = np.where(monotrait > 0, monotrait, np.nan)
    ratio = means / np.sqrt(np.outer(positive, positive))
    np.fill_diagonal(ratio, 1.0)
    return ratio, monotrait


@dataclass(frozen=True)
class HTMTResult:
    """HTMT of every pair of constructs.

    Attributes
    ----------
    matrix : DataFrame
        Constructs by constructs, 1 on the diagonal (as ``semTools::htmt``).
    pairs : DataFrame
        One row per pair: ``construct_a``, ``construct_b``, ``htmt``, ``below_strict``
        (HTMT < .85), ``below_liberal`` (< .90), ``ci_low``, ``ci_high`` (percentile
        bootstrap; NaN without one) and ``ci_high_below_one`` (Henseler et al.'s
        HTMT_inference; NA without a bootstrap).
    method, absolute, missing, n_obs, n_boot, n_boot_used, ci_level, seed
        How it was computed; ``n_boot_used`` counts resamples with a defined HTMT.
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    method: str
    absolute: bool
    missing: str
    n_obs: int
    n_boot: int
    n_boot_used: int
    ci_level: float
    seed: int

    def summary(self) -> Summary:
        """Each pair's HTMT with its verdict: text when printed, HTML in Jupyter."""
        rows = []
        for row in self.pairs.itertuples(index=False):
            ci = (f"[{row.ci_low:.3f}, {row.ci_high:.3f}]" if self.n_boot else "")
            verdict = "ok" if row.below_strict else ("ok (liberal)" if row.below_liberal else "PROBLEM")
            rows.append({"pair": f"{row.construct_a} - {row.construct_b}", "htmt": f"{row.htmt:.3f}",
                         **({f"{self.ci_level:.0%} CI": ci} if self.n_boot else {}), "verdict": verdict})
        return Summary(f"{self.method.upper()} ({'absolute' if self.absolute else 'signed'} "
                       f"correlations, {self.missing}, n = {self.n_obs})", (SummaryTable("", pd.DataFrame(rows)),))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def htmt(items: pd.DataFrame, constructs: Mapping[str, Sequence[str]], htmt2: bool = False,
         absolute: bool = True, missing: str = "listwise", n_boot: int = 0,
         ci: float = 0.90, seed: int = 0,
         strict: thresholds.Threshold = thresholds.HTMT_STRICT,
         liberal: thresholds.Threshold = thresholds.HTMT_LIBERAL) -> HTMTResult:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015).

    ``HTMT_ij = mean r(heterotrait i, j) / sqrt(mean r(monotrait i) * mean r(monotrait j))``
    over the Pearson correlations of the items: heterotrait are all pairs of an item of
    *i* and an item of *j*, monotrait all pairs of distinct items of one construct.

    Parameters
    ----------
    items : DataFrame
        Item answers (numeric, NaN for missing), reverse-keyed items recoded.
    constructs : mapping of str to list of str
        Items of each construct (at least two constructs of at least two items).
    htmt2 : bool
        False (default): arithmetic means, the original HTMT. True: geometric means,
        HTMT2 (Roemer et al. 2021), consistent for congeneric rather than only
        tau-equivalent items. Note that ``semTools::htmt`` 0.5-6 defaults to
        ``htmt2 = TRUE``; ``htmt(..., htmt2 = FALSE)`` is our default.
    absolute : bool
        Take absolute correlations first (default, as semTools' ``absolute = TRUE`` and
        cSEM); then an unrecoded reverse-keyed item does not lower the monotrait mean.
        With signed correlations a construct whose monotrait mean is not positive raises
        (semTools returns NaN or -1 there). HTMT2 is defined on absolute correlations
        only (semTools forces them), so ``htmt2=True, absolute=False`` raises.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (default) as semTools (``lavCor(missing = "listwise")``);
        ``"pairwise"``: pairwise-complete correlations, as
        ``htmt(model, sample.cov = cor(x, use = "pairwise"))``.
    n_boot : int
        Bootstrap resamples of respondents (0: none). Percentile intervals (cSEM's
        default); resamples with an undefined HTMT are dropped.
    ci : float
        Level of the two-sided bootstrap interval. The default .90 makes
        ``ci_high_below_one`` a one-sided 5% test of HTMT < 1 (as cSEM's
        ``.alpha = 0.05``; Franke & Sarstedt 2019).
    seed : int
        Seed of the bootstrap's own ``numpy.random.Generator`` (no global state).
    strict, liberal : Threshold
        Cut-offs for ``below_strict`` / ``below_liberal``; by default .85 and .90
        (``thresholds.HTMT_STRICT`` / ``HTMT_LIBERAL``, Henseler et al. 2015).

    Returns
    -------
    HTMTResult

    Raises
    ------
    ValueError
        ``constructs`` not a mapping, ``n_boot`` not a whole number of 0 or more, a
        construct with fewer than two items, unknown or shared items, fewer than two
        constructs, bad item columns (see :func:`cronbach_alpha`), or a construct whose
        monotrait mean is not positive.

    References
    ----------
    Henseler et al. (2015); Roemer et al. (2021); Franke & Sarstedt (2019).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((200, 1))
    >>> x = pd.DataFrame(f + rng.standard_normal((200, 4)), columns=["a1", "a2", "b1", "b2"])
    >>> res = htmt(x, {"a": ["a1", "a2"], "b": ["b1", "b2"]})
    >>> bool(res.pairs.loc[0, "htmt"] > 0.85)  # one factor behind both: no discriminance
    True
    """
    if not isinstance(items, pd.DataFrame):
        raise ServiceDriversError(f"items must be a pandas DataFrame, got {type(items).__name__}")
    if not isinstance(constructs, Mapping):
        raise ServiceDriversError(f"constructs must map each construct's name to its items, e.g. {{'a': ['a1', 'a2'], "
                         f"'b': ['b1', 'b2']}}; got a {type(constructs).__name__}")
    names = list(constructs)
    if len(names) < 2:
        raise DataError("HTMT needs at least two constructs")
    if htmt2 and not absolute:
        raise ServiceDriversError("HTMT2 uses geometric means of absolute correlations; "
                         "set absolute=True")
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ServiceDriversError(f"n_boot must be a whole number of resamples, 0 or more (e.g. 2000), got {n_boot!r}")
    n_boot = int(n_boot)
    ci = check_level(ci, "ci")
    columns: list[str] = []
    sizes = [0]
    for name in names:
        listed = ([constructs[name]] if isinstance(constructs[name], str)
                  else list(constructs[name]))
        if len(listed) < 2:
            raise DataError(f"construct {name!r} has {len(listed)} item(s); HTMT needs a "
                             "monotrait correlation, so at least two")
        unknown = [c for c in listed if c not in items.columns]
        if unknown:
            raise DataError(f"items {unknown} of construct {name!r} are not in the data")
        shared = [c for c in listed if c in columns]
        if shared:
            raise DataError(f"items {shared} of construct {name!r} belong to another construct")
        columns += listed
        sizes.append(len(columns))
    data = check_items(items[columns], missing=missing)
    blocks = [np.arange(start, stop) for start, stop in zip(sizes, sizes[1:])]
    ratio, monotrait = _htmt_matrix(item_correlation(data, missing).to_numpy(), blocks,
                                    htmt2, absolute)
    if not (monotrait > 0).all():
        undefined = {n: round(float(m), 3) for n, m in zip(names, monotrait) if not m > 0}
        raise DataError(f"the monotrait mean correlation of {undefined} is not positive "
                         "(reverse-keyed item not recoded?); recode it or use absolute=True")
    boot = _bootstrap(data, blocks, htmt2, absolute, missing, n_boot, seed)
    lows, highs = percentile_interval(boot, ci)
    rows = []
    for a, b in combinations(range(len(names)), 2):
        low, high = lows[a, b], highs[a, b]
        rows.append({
            "construct_a": names[a], "construct_b": names[b], "htmt": ratio[a, b],
            "below_strict": strict.holds(float(ratio[a, b])),
            "below_liberal": liberal.holds(float(ratio[a, b])),
            "ci_low": low, "ci_high": high,
            "ci_high_below_one": bool(high < 1) if len(boot) else None,
        })
    pairs = pd.DataFrame(rows)
    for column in ("below_strict", "below_liberal", "ci_high_below_one"):
        pairs[column] = pairs[column].astype("boolean")
    return HTMTResult(pd.DataFrame(ratio, index=names, columns=names), pairs,
                      "htmt2" if htmt2 else "htmt", absolute, missing, len(data), n_boot,
                      len(boot), ci, seed)


def _bootstrap(data: pd.DataFrame, blocks: list[np.ndarray], htmt2: bool, absolute: bool,
               missing: str, n_boot: int, seed: int) -> np.ndarray:
    """HTMT matrices of ``n_boot`` resamples of respondents (undefined ones dropped)."""
    rng = np.random.default_rng(seed)
    values = data.to_numpy()
    results = []
    for _ in range(n_boot):
        sample = values[rng.integers(0, len(values), len(values))]
        with np.errstate(invalid="ignore", divide="ignore"):
            if missing == "listwise":
                corr = np.corrcoef(sample, rowvar=False)
            else:
                corr = pd.DataFrame(sample).corr(min_periods=2).to_numpy()
            ratio, _ = _htmt_matrix(corr, blocks, htmt2, absolute)
        if np.isfinite(ratio).all():
            results.append(ratio)
    return np.array(results).reshape(-1, len(blocks), len(blocks))


@dataclass(frozen=True)
class FornellLarckerResult:
    """The Fornell-Larcker table and a verdict per construct.

    Attributes
    ----------
    table : DataFrame
        Constructs by constructs: square root of AVE on the diagonal, latent
        correlations off it (the layout of most papers).
    verdicts : DataFrame
        ``construct``, ``ave``, ``sqrt_ave``, ``max_abs_correlation`` (largest absolute
        correlation with another construct), ``most_correlated_with`` and ``passes``
        (``sqrt_ave > max_abs_correlation``, i.e. AVE above every squared correlation).
    """

    table: pd.DataFrame
    verdicts: pd.DataFrame

    def summary(self) -> Summary:
        """Each construct's sqrt(AVE) against its largest correlation: text when printed, HTML in Jupyter."""
        rows = pd.DataFrame([{"construct": r.construct, "sqrt_ave": r.sqrt_ave, "max_abs_correlation":
                              r.max_abs_correlation, "with": r.most_correlated_with,
                              "verdict": "ok" if r.passes else "PROBLEM"} for r in self.verdicts.itertuples(index=False)])
        matrix = self.table.rename_axis(self.table.index.name or "construct").reset_index()
        return Summary("Fornell-Larcker: sqrt(AVE) vs largest |correlation|",
                       (SummaryTable("", rows), SummaryTable("sqrt(AVE) on the diagonal, latent correlations below",
                                                             matrix)))

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def fornell_larcker(ave: Mapping[str, float] | pd.Series,
                    latent_correlations: pd.DataFrame) -> FornellLarckerResult:
    """Fornell & Larcker's (1981) criterion: sqrt(AVE) above every latent correlation.

    Parameters
    ----------
    ave : mapping or Series
        AVE of each construct (e.g. the ``ave`` column of
        :func:`analysis.validation.reliability.model_based_reliability`, ``mean(lambda_std^2)``).
    latent_correlations : DataFrame
        Factor correlation matrix (labelled), e.g. lavaan's ``lavInspect(fit, "cor.lv")``.

    Returns
    -------
    FornellLarckerResult

    References
    ----------
    Fornell & Larcker (1981), p. 46.

    Examples
    --------
    >>> import pandas as pd
    >>> phi = pd.DataFrame([[1, .6], [.6, 1]], index=["a", "b"], columns=["a", "b"])
    >>> fornell_larcker({"a": .5, "b": .3}, phi).verdicts["passes"].tolist()
    [True, False]
    """
    ave = pd.Series(ave, dtype=float)
    names = list(ave.index)
    if len(names) < 2:
        raise ModelError("the Fornell-Larcker criterion needs at least two constructs")
    corr = pd.DataFrame(latent_correlations, dtype=float)
    absent = [n for n in names if n not in corr.index or n not in corr.columns]
    if absent:
        raise ModelError(f"latent_correlations lacks constructs {absent}")
    corr = corr.loc[names, names]
    if ((ave < 0) | (ave > 1)).any() or ave.isna().any():
        raise ModelError(f"AVE must lie in [0, 1]: {ave.round(3).to_dict()}")
    table = corr.copy()
    for name in names:
        table.loc[name, name] = np.sqrt(ave[name])
    off = corr.abs().where(~np.eye(len(names), dtype=bool))
    verdicts = pd.DataFrame({
        "construct": names,
        "ave": ave.to_numpy(),
        "sqrt_ave": np.sqrt(ave.to_numpy()),
        "max_abs_correlation": off.max(axis=1).to_numpy(),
        "most_correlated_with": off.idxmax(axis=1).to_numpy(),
    })
    verdicts["passes"] = verdicts["sqrt_ave"] > verdicts["max_abs_correlation"]
    return FornellLarckerResult(table, verdicts)


def fornell_larcker_from_solution(solution: CFASolution) -> FornellLarckerResult:
    """:func:`fornell_larcker` with AVE (``mean(lambda_std^2)``) and factor correlations
    taken from a CFA solution (raw or standardized)."""
    standardized = solution.standardized()
    ave = {f: average_variance_extracted(standardized.loadings.loc[solution.items_of(f), f])
           for f in solution.factors}
    return fornell_larcker(ave, standardized.factor_covariances)
