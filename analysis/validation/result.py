"""Result objects of :func:`analysis.validation.validation.validate`.

The tables here are views of what :mod:`analysis.validation.validation` computed; ``to_dict()``
is the ``drivers validate --json`` document, and the terminal and report renderers
read these same objects, so every figure is computed once.

JSON document (``to_dict()``)::

    {"meta": {"n_input", "n_used", "excluded": [{"respondent_id", "group", "reason"}],
              "missing", "estimator", "by", "instrument_version", "version", "thresholds"},
     "groups": {NAME: {"n",
                       "fit": {"chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr",
                               "estimator", and with "mlr": "chi2_scaled", "pvalue_scaled",
                               "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust",
                               "rmsea_ci_robust", "rmsea_pvalue_robust";
                               with "wlsmv": "chi2_scaled", "pvalue_scaled", "scaling_factor",
                               "chi2_shift", "cfi_scaled", "tli_scaled", "rmsea_scaled", "rmsea_scaled_ci"},
                       "fit_ok": {"cfi", "tli", "rmsea", "srmr"},
                       "constructs": {KEY: {"alpha", "alpha_ci", "omega", "cr", "ave",
                                            ("omega_cat" with "wlsmv"),
                                            "alpha_ok", "omega_ok", "cr_ok", "ave_ok"}},
                       "loadings": {ITEM: {"construct", "std", "se", "est", "fmi"}},
                       "htmt": {KEY: {KEY: value}},
                       "fornell_larcker": {KEY: {"sqrt_ave", "max_abs_correlation", "passes"}},
                       "missing": {"cells_missing_pct", "by_design_pct", "other_missing_pct",
                                   "complete_cases", "fmi_mean", "fmi_max", "method"},
                       "problems": [{"kind", "severity", "message"}]}},
     "invariance": [{"level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi", "holds",
                     "delta_rmsea", "delta_srmr", "chen_rmsea", "chen_srmr", "delta_chi2",
                     "delta_df", "delta_pvalue", and with "mlr": "chi2_scaled", "scaling_factor",
                     "cfi_robust", "rmsea_robust", "delta_scaling", "delta_chi2_sb2010",
                     "delta_pvalue_sb2010"; with "wlsmv": "chi2_scaled", "scaling_factor",
                     "cfi_scaled", "rmsea_scaled", "delta_scaling"}],
     "invariance_note": str or null}

``loadings.*.se`` is the standard error of the standardized loading (delta method);
``fit`` is null when the CFA could not be estimated, did not converge or has an
error-severity problem (then ``loadings`` is empty and ``fmi_*`` null); figures that do
not exist are null (never NaN).  With ``estimator="mlr"`` the ``fit_ok`` verdicts of
CFI, TLI and RMSEA judge the robust indices, and ``delta_cfi``/``delta_rmsea`` of the
invariance steps are differences of robust indices; with ``estimator="wlsmv"`` they judge
lavaan's scaled indices (``cfi.scaled``, ``tli.scaled``, ``rmsea.scaled``) and the
invariance difference test is the DIFFTEST.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common import thresholds
from analysis.common.display import Summary, SummaryTable
from analysis.common.errors import ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.serialize import jsonable
from analysis.common.versions import package_version
from analysis.scoring.sample import reason_counts

FIT_CHECKS = {"cfi": thresholds.CFI, "tli": thresholds.TLI, "rmsea": thresholds.RMSEA, "srmr": thresholds.SRMR}
# the robust version a verdict judges with estimator "mlr" (Brosseau-Liard & Savalei 2014)
ROBUST_INDEX = {"cfi": "cfi_robust", "tli": "tli_robust", "rmsea": "rmsea_robust", "srmr": "srmr"}
ROBUST_FIT = ("chi2_scaled", "pvalue_scaled", "scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust")
# with estimator "wlsmv": lavaan's scaled.shifted statistic and the indices computed from it
SCALED_INDEX = {"cfi": "cfi_scaled", "tli": "tli_scaled", "rmsea": "rmsea_scaled", "srmr": "srmr"}
SCALED_FIT = ("chi2_scaled", "pvalue_scaled", "scaling_factor", "chi2_shift", "cfi_scaled", "tli_scaled",
              "rmsea_scaled")
EXTRA_FIT = {"mlr": ROBUST_FIT, "wlsmv": SCALED_FIT}
VERDICT_INDEX = {"mlr": ROBUST_INDEX, "wlsmv": SCALED_INDEX}
INTERVAL_FIT = {"mlr": "rmsea_ci_robust", "wlsmv": "rmsea_scaled_ci"}


ESTIMATOR_NAMES = {"ml": "ML", "mlr": "robust ML (MLR)", "wlsmv": "WLSMV (ordinal items)"}


def _invariance_columns(estimator: str) -> list[str]:
    if estimator in VERDICT_INDEX:
        kind = VERDICT_INDEX[estimator]
        return ["level", "chi2_scaled", "scaling_factor", "df", kind["cfi"], kind["rmsea"], "srmr",
                "delta_chi2", "delta_pvalue", "delta_cfi", "holds"]
    return ["level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi", "holds"]


@dataclass(frozen=True)
class GroupValidation:
    """Validation of the questionnaire on one group of respondents.

    Attributes
    ----------
    name : str
        Group label (``"all"`` for the whole sample).
    n : int
        Respondents used.
    fit : FitIndices or None
        CFA fit (lavaan's definitions); None when the CFA failed, did not converge or
        has an error-severity problem (a Heywood case, a matrix that is not positive
        definite, more free parameters than respondents; see ``problems``).
    reliability : DataFrame
        ``construct, n_items, n_obs, alpha, alpha_ci_low, alpha_ci_high, omega, cr, ave``
        and the verdicts ``alpha_ok, omega_ok, cr_ok, ave_ok``.
    item_analysis : DataFrame
        ``construct, item, n, mean, sd, r_drop, alpha_if_deleted, floor_share, ceiling_share``.
    loadings : DataFrame
        ``construct, item, est, se, std, std_se, fmi`` (std = completely standardized).
    htmt, fornell_larcker
        :class:`~analysis.validation.discriminant.HTMTResult` and
        :class:`~analysis.validation.discriminant.FornellLarckerResult` (None if not computable).
    problems : tuple of Problem
        Estimation problems and figures that could not be computed.
    missing : dict
        Missing answers: total, by design, other (% of item cells), complete cases,
        mean and maximum fraction of missing information of the loadings (NaN
        without a usable fit), method.
    model : SEM or None
        The fitted CFA (also when its fit is not usable: see ``problems``).
    constructs : tuple of str
        The constructs assessed in this group (every item answered by someone).
    """

    name: str
    n: int
    fit: object
    reliability: pd.DataFrame
    item_analysis: pd.DataFrame
    loadings: pd.DataFrame
    htmt: object
    fornell_larcker: object
    problems: tuple
    missing: dict
    model: object = field(repr=False, default=None)
    constructs: tuple = ()

    def fit_ok(self) -> dict:
        """Each fit index judged against its Hu & Bentler (1999) cut-off (None if missing)."""
        if self.fit is None:
            return {k: None for k in FIT_CHECKS}
        names = VERDICT_INDEX.get(self.fit.estimator, {k: k for k in FIT_CHECKS})
        return {k: rule.holds(getattr(self.fit, names[k])) for k, rule in FIT_CHECKS.items()}

    def to_dict(self) -> dict:
        fit = None
        if self.fit is not None:
            f = self.fit
            fit = {"chi2": f.chi2, "df": f.df, "pvalue": f.pvalue, "cfi": f.cfi, "tli": f.tli,
                   "rmsea": f.rmsea, "rmsea_ci": list(f.rmsea_ci), "srmr": f.srmr,
                   "estimator": f.estimator}
            fit.update({k: getattr(f, k) for k in EXTRA_FIT.get(f.estimator, ())})
            if f.estimator == "mlr":
                fit.update(rmsea_ci_robust=list(f.rmsea_ci_robust), rmsea_pvalue_robust=f.rmsea_pvalue_robust)
            elif f.estimator == "wlsmv":
                fit.update(rmsea_scaled_ci=list(f.rmsea_scaled_ci))
        constructs = {
            r["construct"]: {
                "alpha": r["alpha"], "alpha_ci": [r["alpha_ci_low"], r["alpha_ci_high"]],
                "omega": r["omega"], "cr": r["cr"], "ave": r["ave"],
                **({"omega_cat": r["omega_cat"]} if "omega_cat" in r else {}),
                "alpha_ok": r["alpha_ok"], "omega_ok": r["omega_ok"], "cr_ok": r["cr_ok"], "ave_ok": r["ave_ok"],
            }
            for r in self.reliability.to_dict("records")
        }
        loadings = {
            r["item"]: {"construct": r["construct"], "std": r["std"], "se": r["std_se"],
                        "est": r["est"], "fmi": r["fmi"]}
            for r in self.loadings.to_dict("records")
        }
        htmt = None
        if self.htmt is not None:
            m = self.htmt.matrix
            htmt = {a: {b: m.loc[a, b] for b in m.columns if b != a} for a in m.index}
        fornell = None
        if self.fornell_larcker is not None:
            fornell = {
                r["construct"]: {"sqrt_ave": r["sqrt_ave"], "max_abs_correlation": r["max_abs_correlation"],
                                 "passes": r["passes"]}
                for r in self.fornell_larcker.verdicts.to_dict("records")
            }
        return jsonable({
            "n": self.n, "fit": fit, "fit_ok": self.fit_ok(), "constructs": constructs,
            "loadings": loadings, "htmt": htmt, "fornell_larcker": fornell, "missing": self.missing,
            "problems": [{"kind": p.kind, "severity": p.severity, "message": p.message} for p in self.problems],
        })


@dataclass(frozen=True)
class ValidationResult:
    """Validation of the questionnaire: per group and across groups.

    Attributes
    ----------
    groups : dict of str to GroupValidation
        ``"all"`` (the whole sample) first, then each group.
    invariance : InvarianceResult or None
        Configural, metric and scalar models across the groups.
    invariance_note : str or None
        Why invariance was not tested, if it was not.
    excluded : DataFrame
        ``respondent_id, group, reason`` of every respondent left out.
    by, missing : str
        Grouping column and missing-data method.
    estimator : str
        ``"ml"``, ``"mlr"`` (robust ML) or ``"wlsmv"`` (ordinal items).
    n_input : int
        Respondents in the data given.
    partial : bool
        Whether the partial-invariance search was asked for (``validate(partial=True)``).
    """

    groups: dict
    invariance: object
    invariance_note: str | None
    excluded: pd.DataFrame
    by: str | None
    missing: str
    n_input: int
    instrument_version: str
    estimator: str = "ml"
    partial: bool = False

    # --- tidy views ---------------------------------------------------------------
    @property
    def n_used(self) -> int:
        return self.groups[ALL].n

    @property
    def fit(self) -> pd.DataFrame:
        """``group, n, chi2, df, pvalue, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr``
        and the verdicts ``cfi_ok, tli_ok, rmsea_ok, srmr_ok`` (Hu & Bentler 1999); with
        ``estimator="mlr"`` also ``chi2_scaled, pvalue_scaled, scaling_factor, cfi_robust,
        tli_robust, rmsea_robust, rmsea_ci_low_robust, rmsea_ci_high_robust`` (the verdicts
        then judge the robust indices)."""
        rows = []
        for g in self.groups.values():
            f = g.fit
            row = {"group": g.name, "n": g.n}
            if f is None:
                row.update({k: math.nan for k in ("chi2", "df", "pvalue", "cfi", "tli", "rmsea",
                                                  "rmsea_ci_low", "rmsea_ci_high", "srmr")})
            else:
                row.update(chi2=f.chi2, df=f.df, pvalue=f.pvalue, cfi=f.cfi, tli=f.tli, rmsea=f.rmsea,
                           rmsea_ci_low=f.rmsea_ci[0], rmsea_ci_high=f.rmsea_ci[1], srmr=f.srmr)
            row.update({k: getattr(f, k) if f is not None else math.nan
                        for k in EXTRA_FIT.get(self.estimator, ())})
            # the interval of the RMSEA the verdict judges (lavaan's rmsea.ci.*.robust / .scaled)
            if self.estimator in INTERVAL_FIT:
                low, high = getattr(f, INTERVAL_FIT[self.estimator]) if f is not None else (math.nan, math.nan)
                suffix = "robust" if self.estimator == "mlr" else "scaled"
                row.update({f"rmsea_ci_low_{suffix}": low, f"rmsea_ci_high_{suffix}": high})
            row.update({f"{k}_ok": v for k, v in g.fit_ok().items()})
            rows.append(row)
        out = pd.DataFrame(rows)
        for k in FIT_CHECKS:
            out[f"{k}_ok"] = out[f"{k}_ok"].astype("boolean")
        return out

    def _stack(self, attribute: str) -> pd.DataFrame:
        frames = [getattr(g, attribute).assign(group=g.name) for g in self.groups.values()
                  if len(getattr(g, attribute))]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out[["group"] + [c for c in out.columns if c != "group"]]

    @property
    def reliability(self) -> pd.DataFrame:
        """Per group and construct: alpha (with CI), omega, CR, AVE and their verdicts."""
        return self._stack("reliability")

    @property
    def loadings(self) -> pd.DataFrame:
        """Per group and item: unstandardized and standardized loadings with SEs."""
        return self._stack("loadings")

    @property
    def item_analysis(self) -> pd.DataFrame:
        return self._stack("item_analysis")

    @property
    def htmt(self) -> pd.DataFrame:
        """Per group and pair of constructs: ``htmt, below_strict, below_liberal``."""
        frames = [g.htmt.pairs.assign(group=g.name) for g in self.groups.values() if g.htmt is not None]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out[["group"] + [c for c in out.columns if c != "group"]]

    @property
    def problems(self) -> pd.DataFrame:
        """``group, kind, severity, message`` of every problem found."""
        rows = [{"group": g.name, "kind": p.kind, "severity": p.severity, "message": p.message}
                for g in self.groups.values() for p in g.problems]
        return pd.DataFrame(rows, columns=["group", "kind", "severity", "message"])

    @property
    def partial_invariance(self) -> pd.DataFrame:
        """The constraints the partial-invariance search released, in order (empty without
        ``partial=True``); columns as :attr:`InvarianceResult.partial
        <analysis.validation.invariance.InvarianceResult>`."""
        return self.invariance.partial if self.invariance is not None else pd.DataFrame()

    @property
    def comparability(self) -> pd.DataFrame:
        """Per construct: invariant loadings and intercepts, and whether latent relations
        and latent means can be compared across the groups (empty without invariance)."""
        return self.invariance.comparability if self.invariance is not None else pd.DataFrame()

    @property
    def misfit(self) -> pd.DataFrame:
        """The five equality constraints most responsible for misfit (largest score tests,
        with EPC and standardized EPC) of the most constrained invariance model."""
        return self.invariance.misfit if self.invariance is not None else pd.DataFrame()

    # --- output -------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The ``drivers validate --json`` document (see the module docstring)."""
        invariance = partial = None
        if self.invariance is not None:
            keep = ["level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi", "holds", "delta_rmsea",
                    "delta_srmr", "chen_rmsea", "chen_srmr", "delta_chi2", "delta_df", "delta_pvalue"]
            if self.estimator == "mlr":
                keep += ["chi2_scaled", "scaling_factor", "cfi_robust", "rmsea_robust", "delta_scaling",
                         "delta_chi2_sb2010", "delta_pvalue_sb2010"]
            if self.estimator == "wlsmv":
                keep += ["chi2_scaled", "scaling_factor", "cfi_scaled", "rmsea_scaled", "delta_scaling"]
            invariance = self.invariance.table[keep].to_dict("records")
            partial = {"steps": self.partial_invariance.to_dict("records"), "stops": dict(self.invariance.stops),
                       "comparability": self.comparability.to_dict("records"),
                       "misfit": self.misfit.to_dict("records")}
        meta = {
            "n_input": self.n_input, "n_used": self.n_used,
            "excluded": self.excluded[["respondent_id", "group", "reason"]].to_dict("records"),
            "missing": self.missing, "estimator": self.estimator, "by": self.by, "instrument_version": self.instrument_version,
            "version": package_version(),
            "thresholds": {t.figure: {"op": t.op, "value": t.value, "source": t.source} for t in (
                thresholds.ALPHA, thresholds.OMEGA, thresholds.CR, thresholds.AVE, thresholds.HTMT_STRICT,
                thresholds.CFI, thresholds.TLI, thresholds.RMSEA, thresholds.SRMR, thresholds.DELTA_CFI,
                thresholds.DELTA_RMSEA)},
        }
        return jsonable({
            "meta": meta,
            "groups": {name: g.to_dict() for name, g in self.groups.items()},
            "invariance": invariance,
            "invariance_note": self.invariance_note,
            "partial_invariance": partial,
        })

    def summary(self) -> Summary:
        """Fit, reliability, discriminant validity, invariance and problems as titled tables.

        Returns a :class:`~analysis.common.display.Summary`: ``print()`` shows aligned
        text, Jupyter shows HTML tables.
        """
        heading = (f"Questionnaire validation: {self.n_used} of {self.n_input} respondents "
                   f"({len(self.excluded)} excluded), missing data: {self._missing_method()}, "
                   f"estimator: {ESTIMATOR_NAMES[self.estimator]}")
        if self.estimator == "mlr":
            tables = [SummaryTable("CFA fit, robust ML (robust CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; "
                                   "Hu & Bentler 1999; Yuan-Bentler scaled chi-square)",
                                   self.fit[["group", "n", "chi2", "chi2_scaled", "scaling_factor", "df",
                                             "cfi_robust", "tli_robust", "rmsea_robust", "srmr"]])]
        elif self.estimator == "wlsmv":
            tables = [SummaryTable("CFA fit, WLSMV (scaled CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; "
                                   "Hu & Bentler 1999; mean- and variance-adjusted chi-square)",
                                   self.fit[["group", "n", "chi2", "chi2_scaled", "scaling_factor", "df",
                                             "cfi_scaled", "tli_scaled", "rmsea_scaled", "srmr"]])]
        else:
            tables = [SummaryTable("CFA fit (CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; Hu & Bentler 1999)",
                                   self.fit[["group", "n", "chi2", "df", "cfi", "tli", "rmsea", "srmr"]])]
        rel = self.groups[ALL].reliability
        if len(rel):
            tables.append(SummaryTable("Reliability, whole sample (alpha/omega/CR >= .70, AVE >= .50)",
                                       rel[[c for c in ("construct", "alpha", "alpha_ci_low", "alpha_ci_high",
                                                        "omega_cat", "omega", "cr", "ave") if c in rel]]))
        h = self.groups[ALL].htmt
        if h is not None:
            worst = h.pairs.sort_values("htmt", ascending=False).head(3)
            tables.append(SummaryTable("Highest HTMT, whole sample (< .85 strict, < .90 liberal; Henseler et al. 2015)",
                                       worst[["construct_a", "construct_b", "htmt"]]))
        if self.invariance is not None:
            tables.append(SummaryTable("Measurement invariance (holds: drop in CFI <= .01, Cheung & Rensvold 2002)",
                                       self.invariance.table[_invariance_columns(self.estimator)]))
            tables += self._partial_tables()
        elif self.invariance_note:
            tables.append(SummaryTable("Measurement invariance", notes=(self.invariance_note,)))
        if len(self.excluded):
            tables.append(SummaryTable("Excluded (respondents by reason; one respondent can have several)",
                                       reason_counts(self.excluded).rename_axis("reason").rename("respondents")
                                       .reset_index()))
        problems = self.problems
        if len(problems):
            tables.append(SummaryTable("Problems", notes=tuple(f"[{r.group}] {r.severity}: {r.message}"
                                                               for r in problems.itertuples())))
        return Summary(heading, tuple(tables))

    def _missing_method(self) -> str:
        if self.missing != "ml":
            return "listwise"
        return "pairwise" if self.estimator == "wlsmv" else "FIML"

    def _partial_tables(self) -> list:
        out = []
        misfit = self.misfit
        if len(misfit):
            out.append(SummaryTable("Constraints most responsible for misfit (score tests; EPC: expected "
                                    "change of the group's parameter)",
                                    misfit[["item", "parameter", "group", "score_chi2", "epc", "sepc_all"]]))
        steps = self.partial_invariance
        if len(steps):
            out.append(SummaryTable("Partial invariance: constraints released, largest score test first "
                                    "(Byrne, Shavelson & Muthén 1989)",
                                    steps[["level", "step", "item", "parameter", "group", "score_chi2", "cfi",
                                           "delta_cfi", "holds"]],
                                    notes=tuple(f"{k}: stopped ({v})" for k, v in self.invariance.stops.items())))
        comp = self.comparability
        if len(comp) and (self.partial or len(steps)):
            out.append(SummaryTable("Comparable across groups per construct (relations: >= 2 invariant loadings; "
                                    "latent means: >= 2 invariant loadings and intercepts)",
                                    comp[["construct", "invariant_loadings", "invariant_intercepts",
                                          "relations_comparable", "means_comparable"]]))
        return out

    def __repr__(self) -> str:
        f = self.groups[ALL].fit
        names = VERDICT_INDEX.get(self.estimator, {"cfi": "cfi", "rmsea": "rmsea"})
        label = {"mlr": " (robust)", "wlsmv": " (scaled)"}.get(self.estimator, "")
        fit = (f"CFI{label} {getattr(f, names['cfi']):.3f}, "
               f"RMSEA {getattr(f, names['rmsea']):.3f}, SRMR {f.srmr:.3f}"
               if f is not None else "CFA not estimated")
        return f"<ValidationResult: {len(self.groups) - 1} group(s), n={self.n_used}, {fit}>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot_loadings(self, groups: list[str] | None = None, ax=None):
        """Standardized loadings with 95% intervals per item, coloured by group.

        A dashed line marks .70, the loading at which a construct explains half of an
        item's variance (AVE >= .50, Fornell & Larcker 1981). Returns the Axes.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        names = groups or [ALL]
        unknown = [g for g in names if g not in self.groups]
        if unknown:
            raise ServiceDriversError(f"unknown group(s) {unknown}; groups are {list(self.groups)}")
        table = self.loadings[self.loadings["group"].isin(names)]
        items = list(dict.fromkeys(table["item"]))
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 0.22 * len(items) + 1.2))
        palette = sns.color_palette("colorblind", len(names))
        offsets = np.linspace(-0.25, 0.25, len(names)) if len(names) > 1 else [0.0]
        ypos = {item: i for i, item in enumerate(items)}
        for colour, offset, name in zip(palette, offsets, names):
            t = table[table["group"] == name]
            y = t["item"].map(ypos).to_numpy() + offset
            ax.errorbar(t["std"], y, xerr=1.96 * t["std_se"].fillna(0), fmt="o", ms=3.5, color=colour,
                        elinewidth=1, capsize=0, label=name)
        ax.axvline(0.70, ls="--", lw=0.8, color="0.4")
        ax.set_yticks(range(len(items)), items)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("standardized loading (95% CI)")
        # Separate constructs with faint lines so a reader sees the blocks.
        construct_of = dict(zip(table["item"], table["construct"]))
        for i in range(1, len(items)):
            if construct_of[items[i]] != construct_of[items[i - 1]]:
                ax.axhline(i - 0.5, color="0.85", lw=0.6)
        if len(names) > 1:
            ax.legend(frameon=False, fontsize=8, loc="lower left")
        return ax
