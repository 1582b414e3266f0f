"""Text and HTML summaries of a fitted :class:`analysis.sem.model.SEM`.

The layout follows ``lavaan::summary(fit, fit.measures = TRUE, standardized =
TRUE)``; problems are printed first so that an improper or unconverged solution
is never read as if it were fine.

References
----------
Rosseel, Y. (2012). lavaan. *Journal of Statistical Software*, 48(2), 1-36.
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
    structure analysis. *Structural Equation Modeling*, 6(1), 1-55.

Example
-------
>>> escape("<x>")
'&lt;x&gt;'
"""
from __future__ import annotations

import html
import math

from analysis.common import thresholds

SECTIONS = (("=~", "Latent Variables"), ("~", "Regressions"), ("~~", "Covariances"),
            ("~1", "Intercepts"), ("var", "Variances"))


def escape(text: str) -> str:
    return html.escape(text)


def _num(x, width=9, digits=3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return " " * width
    return f"{x:{width}.{digits}f}"


def _verdict(threshold, value) -> str:
    ok = threshold.holds(value)
    return "" if ok is None else ("  ok" if ok else f"  below {threshold}" if ">" in threshold.op
                                  else f"  above {threshold}")


def _header_lines(fit) -> list[str]:
    f = fit.fit_
    est = "FIML (missing = \"ml\")" if fit.missing_ == "ml" else "ML (listwise complete cases)"
    if fit.estimator_ == "wlsmv":
        est = ("WLSMV: DWLS on thresholds and polychoric correlations, delta parameterisation ("
               + ("pairwise" if fit.missing_ == "ml" else "listwise") + " missing)")
    status = (f"converged after {fit.iterations_} iterations" if fit.converged_
              else f"DID NOT CONVERGE ({fit.iterations_} iterations)")
    lines = [f"SEM estimated by {est}: {status}",
             f"  Number of free parameters {f.npar:>28d}",
             f"  Number of respondents used {f.n_obs:>27d}"]
    if len(fit.groups_) > 1:
        for lab in fit.groups_:
            lines.append(f"    {lab:<30}{fit.n_obs_[lab]:>23d}")
    dropped = sum(fit.n_dropped_["all_missing"].values())
    if dropped:
        lines.append(f"  Dropped (every variable missing) {dropped:>21d}")
    if fit.n_dropped_["listwise"]:
        lines.append(f"  Dropped (listwise deletion) {fit.n_dropped_['listwise']:>26d}")
    if fit.missing_ == "ml" and fit.estimator_ != "wlsmv":
        share = float((1 - fit.missing_share_).mean().mean())
        lines.append(f"  Missing-data patterns {sum(fit.n_patterns_.values()):>32d}")
        lines.append(f"  Share of cells observed {share:>30.3f}")
    return lines


def _fit_lines(fit) -> list[str]:
    f = fit.fit_
    lines = _plain_fit_lines(f)
    if f.estimator == "wlsmv":
        return _wlsmv_fit_lines(f, lines)
    if f.estimator != "mlr":
        return lines
    # robust ML: lavaan's extra lines for estimator = "MLR"
    extra = {
        "  P-value (Chi-square)": [
            f"  Scaled test statistic (Yuan-Bentler) {_num(f.chi2_scaled, 17)}",
            f"  Scaling correction factor {_num(f.scaling_factor, 28)}",
            f"  P-value (scaled) {_num(f.pvalue_scaled, 37)}"],
        "  Degrees of freedom " + f"{f.baseline_df:>35d}": [
            f"  Scaled test statistic {_num(f.baseline_chi2_scaled, 32)}",
            f"  Scaling correction factor {_num(f.baseline_scaling_factor, 28)}"],
        "  Tucker-Lewis Index (TLI)": [
            f"  Robust CFI {_num(f.cfi_robust, 43)}{_verdict(thresholds.CFI, f.cfi_robust)}",
            f"  Robust TLI {_num(f.tli_robust, 43)}{_verdict(thresholds.TLI, f.tli_robust)}"],
        "  P-value H_0: RMSEA": [
            f"  Robust RMSEA {_num(f.rmsea_robust, 41)}{_verdict(thresholds.RMSEA, f.rmsea_robust)}",
            f"  90 Percent confidence interval - lower {_num(f.rmsea_ci_robust[0], 15)}",
            f"  90 Percent confidence interval - upper {_num(f.rmsea_ci_robust[1], 15)}",
            f"  P-value H_0: Robust RMSEA <= 0.050 {_num(f.rmsea_pvalue_robust, 19)}"],
    }
    out = []
    for line in lines:
        out.append(line)
        for start, added in extra.items():
            if line.startswith(start):
                out += added
    return out


def _wlsmv_fit_lines(f, lines) -> list[str]:
    """lavaan's lines for estimator = "WLSMV": the scaled-shifted test and the scaled indices;
    no likelihood, so no information criteria."""
    extra = {
        "  P-value (Chi-square)": [
            f"  Scaled test statistic (mean and variance adjusted) {_num(f.chi2_scaled, 3)}",
            f"  Scaling correction factor {_num(f.scaling_factor, 28)}",
            f"  Shift parameter {_num(f.chi2_shift, 38)}",
            f"  P-value (scaled) {_num(f.pvalue_scaled, 37)}"],
        "  Degrees of freedom " + f"{f.baseline_df:>35d}": [
            f"  Scaled test statistic {_num(f.baseline_chi2_scaled, 32)}",
            f"  Scaling correction factor {_num(f.baseline_scaling_factor, 28)}"],
        "  Tucker-Lewis Index (TLI)": [
            f"  Scaled CFI {_num(f.cfi_scaled, 43)}{_verdict(thresholds.CFI, f.cfi_scaled)}",
            f"  Scaled TLI {_num(f.tli_scaled, 43)}{_verdict(thresholds.TLI, f.tli_scaled)}"],
        "  P-value H_0: RMSEA": [
            f"  Scaled RMSEA {_num(f.rmsea_scaled, 41)}{_verdict(thresholds.RMSEA, f.rmsea_scaled)}"],
    }
    out, skip = [], False
    for line in lines:
        if line.startswith("Loglikelihood"):
            out.pop()                     # the blank line before the section
        skip = line.startswith("Loglikelihood") or (skip and line != "")
        if skip:
            continue
        out.append(line)
        for start, added in extra.items():
            if line.startswith(start):
                out += added
    return out


def _plain_fit_lines(f) -> list[str]:
    lo, hi = f.rmsea_ci
    return [
        "", "Model Test User Model:",
        f"  Test statistic (chi-square) {_num(f.chi2, 26)}",
        f"  Degrees of freedom {f.df:>35d}",
        f"  P-value (Chi-square) {_num(f.pvalue, 33)}",
        "", "Model Test Baseline Model:",
        f"  Test statistic {_num(f.baseline_chi2, 39)}",
        f"  Degrees of freedom {f.baseline_df:>35d}",
        "", "User Model versus Baseline Model:",
        f"  Comparative Fit Index (CFI) {_num(f.cfi, 26)}{_verdict(thresholds.CFI, f.cfi)}",
        f"  Tucker-Lewis Index (TLI) {_num(f.tli, 29)}{_verdict(thresholds.TLI, f.tli)}",
        "", "Loglikelihood and Information Criteria:",
        f"  Loglikelihood user model (H0) {_num(f.loglik, 24)}",
        f"  Loglikelihood unrestricted model (H1) {_num(f.unrestricted_loglik, 16)}",
        f"  Akaike (AIC) {_num(f.aic, 41)}",
        f"  Bayesian (BIC) {_num(f.bic, 39)}",
        f"  Sample-size adjusted Bayesian (SABIC) {_num(f.bic_adjusted, 16)}",
        "", "Root Mean Square Error of Approximation:",
        f"  RMSEA {_num(f.rmsea, 48)}{_verdict(thresholds.RMSEA, f.rmsea)}",
        f"  90 Percent confidence interval - lower {_num(lo, 15)}",
        f"  90 Percent confidence interval - upper {_num(hi, 15)}",
        f"  P-value H_0: RMSEA <= 0.050 {_num(f.rmsea_pvalue, 26)}",
        "", "Standardized Root Mean Square Residual:",
        f"  SRMR {_num(f.srmr, 49)}{_verdict(thresholds.SRMR, f.srmr)}",
    ]


def _param_lines(fit, standardized: bool) -> list[str]:
    p = fit.params_
    out = ["", "Parameter Estimates:", f"  Information {fit.information_:>42}"]
    if fit.fit_.estimator == "mlr":
        out.append(f"  Standard errors {'Robust.huber.white':>38}")
    head = f"{'':22}{'Estimate':>9}{'Std.Err':>9}{'z-value':>9}{'P(>|z|)':>9}"
    head += f"{'Std.all':>9}" if standardized else ""
    for lab in fit.groups_:
        sub = p[p["group"] == lab]
        if len(fit.groups_) > 1:
            out += ["", f"Group [{lab}]:"]
        for key, title in SECTIONS:
            if key == "var":
                rows = sub[(sub.op == "~~") & (sub.lhs == sub.rhs)]
            elif key == "~~":
                rows = sub[(sub.op == "~~") & (sub.lhs != sub.rhs)]
            else:
                rows = sub[sub.op == key]
            if rows.empty:
                continue
            out += ["", f"{title}:", head]
            last = None
            for _, r in rows.iterrows():
                if key in ("=~", "~", "~~") and r.lhs != last:
                    out.append(f"  {r.lhs} {r.op}")
                    last = r.lhs
                name = r.rhs if key in ("=~", "~", "~~") else r.lhs
                if key == "var":
                    name = ("." if r.lhs in fit.partable_.rhs[fit.partable_.op == "=~"].values
                            or r.lhs in fit.partable_.lhs[fit.partable_.op == "~"].values else " ") + r.lhs
                label = f" ({r.label})" if r.label else ""
                line = f"    {(name + label)[:18]:<18}{_num(r.est)}"
                line += (_num(r.se) + _num(r.z) + _num(r.pvalue)) if r.free else " " * 27
                if standardized:
                    line += _num(r.std_all)
                out.append(line)
    return out


def summary_text(fit, standardized: bool = True) -> str:
    """Plain-text summary: problems, fit measures, parameter estimates, R²."""
    lines = _header_lines(fit)
    if fit.problems_:
        lines += ["", f"PROBLEMS ({len(fit.problems_)}):"] + [f"  - {p}" for p in fit.problems_]
    lines += _fit_lines(fit) + _param_lines(fit, standardized)
    for lab, r2 in fit.r2_.items():
        if len(r2):
            lines += ["", "R-Square:" + (f" [{lab}]" if len(fit.groups_) > 1 else "")]
            lines += [f"    {name:<18}{_num(val)}" for name, val in r2.items()]
    return "\n".join(lines)


def summary_html(fit) -> str:
    """HTML for notebooks: problems in red, fit indices, parameter table."""
    f = fit.fit_
    parts = ["<div>"]
    if fit.problems_:
        parts.append("<p style='color:#b00020'><b>Problems:</b></p><ul>")
        parts += [f"<li style='color:#b00020'>{escape(str(p))}</li>" for p in fit.problems_]
        parts.append("</ul>")
    lo, hi = f.rmsea_ci
    parts.append(
        f"<p>χ²({f.df}) = {f.chi2:.3f}, p = {f.pvalue:.3f}; CFI = {f.cfi:.3f}; TLI = {f.tli:.3f}; "
        f"RMSEA = {f.rmsea:.3f} [{lo:.3f}, {hi:.3f}]; SRMR = {f.srmr:.3f}; N = {f.n_obs}"
        f"{' (' + str(len(fit.groups_)) + ' groups)' if len(fit.groups_) > 1 else ''}; "
        f"{'converged' if fit.converged_ else '<b>not converged</b>'}</p>")
    if f.estimator == "wlsmv":
        parts.append(f"<p>WLSMV: scaled χ²({f.df}) = {f.chi2_scaled:.3f}, p = {f.pvalue_scaled:.3f}; "
                     f"scaled CFI = {f.cfi_scaled:.3f}; TLI = {f.tli_scaled:.3f}; "
                     f"RMSEA = {f.rmsea_scaled:.3f}</p>")
    cols = ["lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std_all", "std_se"]
    table = fit.params_[cols] if len(fit.groups_) > 1 else fit.params_[[c for c in cols if c != "group"]]
    parts.append(table.to_html(index=False, float_format=lambda x: f"{x:.3f}", na_rep=""))
    parts.append("</div>")
    return "\n".join(parts)
