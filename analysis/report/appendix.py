"""The appendices of a report: method and caveats, instrument validation, data quality,
the questionnaire, and what is needed to reproduce the report.

Pure functions of the result objects (see :mod:`analysis.report.content`); no figure
is computed here, only selected, labelled and, for small groups, withheld.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.common import thresholds
from analysis.common.groups import ALL
from analysis.drivers.sample import REASON_CODES
from analysis.report.blocks import Column, Heading, Notes, Paragraph, Section, Table
from analysis.report.i18n import Texts
from analysis.report.privacy import mask_personal_data
from analysis.report.scope import (driver_label, drivers_shown, group_header, group_label, importance_used,
                                   shown_groups, usable_sizes)
from analysis.scoring.scores import scale_range
from instrument.description import describe_instrument, join_words


def sections(results, group: str, shown: list[str], t: Texts) -> list[Section]:
    return [method(results, group, t), validation(results, group, shown, t), data_quality(results, group, shown, t),
            questionnaire(results, t), reproduce(results, t)]


# --------------------------------------------------------------------- method
def method(results, group: str, t: Texts) -> Section:
    s = results.analysis.settings
    k = t.number_word(len(s.drivers_of(group)))
    about = describe_instrument(results.inst, t.lang)
    caveats = ["association", "small_n", "coverage"]
    # the pooled estimate (pooling asked for and run) uses every respondent: the caveat on
    # channel-limited drivers does not hold; it does when the groups were each analysed on their own drivers
    caveats += (["phone_only"] if set(about.channels_of_driver) & set(s.drivers) and results.analysis.pooling is None
                else [])
    low, high = scale_range(results.inst, s.drivers[0])
    blocks: list = [
        Paragraph(t("method.importance", k=k, outcome=t("outcome." + s.outcome), measure=t("measure." + s.importance))),
        *([Paragraph(t("method.pooling", outcome=t("outcome." + s.outcome)))] if s.pooling_used == "partial" else []),
        Paragraph(t("method.performance", items=about.items_per_driver, low=t.num(low), high=t.num(high))),
        Paragraph(t("method.quadrants", k=k, crosshair=t("crosshair." + s.crosshair))),
        Paragraph(t("method.bootstrap", n=t.count(s.n_resamples), level=t.num(100 * s.level), seed=s.seed)),
        # without pooling the organisations' LMG share intervals are analysis.drivers.own_intervals'
        *([Paragraph(t("method.own_intervals"))] if s.by is not None and s.pooling_used == "none" else []),
        Paragraph(t("method.kpis", n=thresholds.MIN_N_KPI_INTERVAL)),
        Notes(tuple(t(f"caveat.{c}", n=results.min_group_n, stable=thresholds.MIN_N_STABLE_RANKS,
                      channels=about.channels, where=about.limited_channels)
                    for c in (*caveats, "min_group")),
              css="warning", title=t("method.caveats")),
    ]
    technical = technical_notes(results, group, t)
    if technical:
        blocks.append(Notes(technical, title=t("method.technical")))
    if drivers_shown(results, group):
        drivers = results.analysis.group(group)
        rows = tuple({"group": group, "driver": r.driver, "driver_label": driver_label(results, r.driver, t),
                      "lmg_pct": r.lmg_pct, "lmg_pct_low": r.ci_low, "lmg_pct_high": r.ci_high,
                      "beta_std": r.beta_std, "beta_std_low": r.beta_std_ci_low, "beta_std_high": r.beta_std_ci_high,
                      "beta_std_p": r.beta_p, "own_ols_beta_std": r.own_ols_beta_std, "sem_std": r.sem_std,
                      "sem_p": r.sem_p, "vif": r.vif, "p_first": r.p_first}
                     for r in drivers.itertuples())
        # every figure but the own-data column rests on the estimate the LMG shares come from (the
        # pooled one with pooling); the complete-case OLS is shown beside it where it differs
        own = _own_ols(results, group, drivers)
        columns = (Column("driver_label", t("col.driver")),
                   Column("lmg_pct", t("col.lmg"), "pct1", "lmg_pct_low", "lmg_pct_high"),
                   Column("beta_std", t("col.beta"), "num2", "beta_std_low", "beta_std_high"),
                   Column("beta_std_p", t("col.beta_p"), "pvalue"),
                   *([Column("own_ols_beta_std", t("col.beta_own"), "num2")] if own else []),
                   Column("sem_std", t("col.sem"), "num2"),
                   Column("sem_p", t("col.sem_p"), "pvalue"), Column("vif", "VIF", "num1"),
                   Column("p_first", t("col.p_first"), "share"))
        note = t("method.details_note", level=t.num(100 * s.level))
        if own:
            note += " " + t("method.details_note_own", **own)
        blocks += [Heading(t("method.details")),
                   Table("details", t("method.details_table", group=group_label(results, group, t)), columns, rows,
                         note=note)]
    return Section("method", t("section.method"), tuple(blocks))


def _own_ols(results, group: str, drivers: pd.DataFrame) -> dict:
    """The sizes for the note on the complete-case OLS column; empty when its betas are the headline ones.

    They are the same sample and estimate without pooling when every respondent used
    has every driver score.
    """
    n_ols = int(drivers.own_ols_n.iloc[0])
    n_used = int(drivers.n.iloc[0])
    if results.analysis.settings.pooling_used != "partial" and n_ols == n_used:
        return {}
    return {"n_ols": n_ols, "n": n_used}


def technical_notes(results, group: str, t: Texts) -> tuple[str, ...]:
    """The analysis' warnings about ``group``, in the report's language, never naming a withheld group's size.

    Notes about the whole run (no group) appear in the study report only. The analysis
    words its warnings in English: an English report shows them as they are, a report in
    another language says what each is about by its ``kind`` (text ``technical.<kind>``).
    A warning listing groups with their counts ('Tiny' (8)) loses the withheld ones; a
    warning that still names a withheld group is left out.
    """
    withheld = shown_groups(results)[1]
    warnings = results.analysis.warnings
    mine = warnings[warnings.group.isna() | (warnings.group == ALL)] if group == ALL else \
        warnings[warnings.group == group]
    notes = []
    for w in mine.itertuples():
        if not pd.isna(w.group) and w.group in withheld:
            continue
        message = str(w.message)
        for name in withheld:
            quoted = re.escape(f"'{name}'")
            message = re.sub(rf"{quoted} \(\d+\)(?:, )?|(?:, )?{quoted} \(\d+\)", "", message)
        if any(f"'{name}'" in message or f'"{name}"' in message for name in withheld) or re.search(r":\s*$", message):
            continue
        if t.lang != "en":
            message = _technical_text(str(w.kind), t)
        note = message if pd.isna(w.group) else f"[{w.group}] {message}"
        if note not in notes:
            notes.append(note)
    return tuple(notes)


def _technical_text(kind: str, t: Texts) -> str:
    """What a warning of ``kind`` is about, in the report's language (structural-model kinds as 'sem_<kind>')."""
    for key in (f"technical.{kind}", f"technical.{kind.removeprefix('sem_')}"):
        if t.has(key):
            return t(key)
    return t("technical.other")


# ----------------------------------------------------------------- validation
# robust ML: the scaled chi-square and the robust indices stand in the fit and invariance tables
ROBUST_SHOWN = {"chi2": "chi2_scaled", "pvalue": "pvalue_scaled", "cfi": "cfi_robust", "tli": "tli_robust",
                "rmsea": "rmsea_robust", "rmsea_ci_low": "rmsea_ci_low_robust",
                "rmsea_ci_high": "rmsea_ci_high_robust"}
# WLSMV: lavaan's scaled-shifted chi-square and the indices computed from it
SCALED_SHOWN = {"chi2": "chi2_scaled", "pvalue": "pvalue_scaled", "cfi": "cfi_scaled", "tli": "tli_scaled",
                "rmsea": "rmsea_scaled", "rmsea_ci_low": "rmsea_ci_low_scaled",
                "rmsea_ci_high": "rmsea_ci_high_scaled"}
SHOWN = {"mlr": ROBUST_SHOWN, "wlsmv": SCALED_SHOWN}


def _shown(estimator: str, key: str) -> str:
    return SHOWN.get(estimator, {}).get(key, key)


def _fit_rows(results, groups: list[str], t: Texts) -> tuple[dict, ...]:
    fit = results.validation.fit.set_index("group")
    est = results.validation.estimator
    # the interval of the RMSEA shown: robust with MLR (Brosseau-Liard, Savalei & Li 2012), scaled with WLSMV
    return tuple({"group": g, "group_label": group_label(results, ALL if g == ALL else g, t),
                  **{k: fit.loc[g, _shown(est, k)] for k in ("n", "chi2", "df", "pvalue", "cfi", "tli", "rmsea",
                                                             "rmsea_ci_low", "rmsea_ci_high", "srmr")},
                  **{k: _verdict(fit.loc[g, k]) for k in ("cfi_ok", "tli_ok", "rmsea_ok", "srmr_ok")}}
                 for g in groups if g in fit.index)


def _parameter_label(parameter: str, t: Texts) -> str:
    """``loading`` / ``intercept`` / ``threshold t3`` (WLSMV) in the report's language; other
    parameters (a latent mean in the misfit table) as lavaan writes them."""
    kind, _, which = parameter.partition(" ")
    if kind in ("loading", "intercept", "threshold") and (kind == "threshold") == bool(which):
        return f"{t('param.' + kind)} {which}".strip()
    return parameter


def _partial_blocks(val, t: Texts, construct: dict) -> list:
    """The constraints most responsible for misfit and, with ``partial``, the released ones and
    what stays comparable (score tests: lavaan's ``lavTestScore``; Byrne, Shavelson & Muthén 1989)."""
    blocks = []
    # with MLR the score tests (and the search) are Satorra's (2000) robust ones
    robust_note = {"mlr": " " + t("validation.score_robust_note"),
                   "wlsmv": " " + t("validation.score_wlsmv_note")}.get(val.estimator, "")
    where = {"item": Column("item", t("col.item")), "parameter": Column("parameter_label", t("col.parameter")),
             "group": Column("group", t("col.group")), "score": Column("score_chi2", t("col.score"), "num1")}
    misfit = val.misfit
    if len(misfit):
        rows = tuple({**r, "parameter_label": _parameter_label(r["parameter"], t)} for r in misfit.to_dict("records"))
        blocks.append(Table("misfit", t("validation.misfit"), (
            *where.values(), Column("epc", "EPC", "num2"), Column("sepc_all", t("col.sepc"), "num2")),
            rows, note=t("validation.misfit_note") + robust_note))
    steps = val.partial_invariance
    if len(steps):
        rows = tuple({**r, "level_label": t("invariance." + r["level"]), "parameter_label": _parameter_label(r["parameter"], t),
                      "holds": _verdict(r["holds"])} for r in steps.to_dict("records"))
        blocks.append(Table("partial", t("validation.partial"), (
            Column("level_label", t("col.level")), *where.values(), Column("cfi", "CFI", "num3"),
            Column("delta_cfi", "ΔCFI", "num3"), Column("holds", t("col.holds"), "bool")),
            rows, note=t("validation.partial_note") + robust_note))
    comp = val.comparability
    if len(comp) and (val.partial or len(steps)):
        rows = tuple({**r, "construct_label": construct.get(r["construct"], r["construct"]),
                      "relations_comparable": _verdict(r["relations_comparable"]),
                      "means_comparable": _verdict(r["means_comparable"])} for r in comp.to_dict("records"))
        blocks.append(Table("comparable", t("validation.comparable"), (
            Column("construct_label", t("col.construct")), Column("invariant_loadings", t("col.invariant_loadings"), "count"),
            Column("invariant_intercepts", t("col.invariant_intercepts"), "count"),
            Column("relations_comparable", t("col.relations_comparable"), "bool"),
            Column("means_comparable", t("col.means_comparable"), "bool")), rows, note=t("validation.comparable_note")))
    return blocks


def _verdict(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else bool(v)


def _ok(col: str, t: Texts, rule) -> dict:
    op = {">=": "≥", "<=": "≤"}.get(rule.op, rule.op)
    return {"check": col, "check_header": t("col.meets", rule=f"{op} {t.num(rule.value, 2)}")}


def validation(results, group: str, shown: list[str], t: Texts) -> Section:
    val = results.validation
    candidates = [ALL, *shown] if group == ALL else [group, ALL]
    keep = [g for g in candidates if g in val.groups and val.groups[g].n >= results.min_group_n]
    if group == ALL and ALL not in keep and ALL in val.groups:
        keep.insert(0, ALL)         # the whole study is always shown
    method = "pairwise" if val.estimator == "wlsmv" and val.missing == "ml" else val.missing
    blocks: list = [Paragraph(t("validation.intro", n=t.count(val.n_used), method=t("missing." + method),
                                model=_validated_model(results, t))
                              + " " + t("validation.estimator", estimator=t("estimator." + val.estimator)))]
    if val.by is None and results.analysis.settings.by is not None:
        blocks.append(Notes((t("validation.whole_only"),), css="withheld"))
    fit_columns = (Column("group_label", group_header(results, t)), Column("n", "n", "count"),
                   Column("chi2", "χ²", "num1"), Column("df", "df", "count"), Column("pvalue", "p", "pvalue"),
                   Column("cfi", "CFI", "num3", **_ok("cfi_ok", t, thresholds.CFI)),
                   Column("tli", "TLI", "num3", **_ok("tli_ok", t, thresholds.TLI)),
                   Column("rmsea", "RMSEA", "num3", "rmsea_ci_low", "rmsea_ci_high",
                          **_ok("rmsea_ok", t, thresholds.RMSEA)),
                   Column("srmr", "SRMR", "num3", **_ok("srmr_ok", t, thresholds.SRMR)))
    blocks.append(Table("fit", t("validation.fit"), fit_columns, _fit_rows(results, keep, t),
                        note=t("validation.fit_note")
                        + (" " + t(f"validation.fit_note_{val.estimator}") if val.estimator in SHOWN else "")))
    target = group if group in keep else ALL
    if group != ALL and target != group and val.by is not None:
        blocks.append(Notes((t("withheld.validation", n=results.min_group_n),), css="withheld"))
    gv = val.groups[target]
    label = group_label(results, ALL if target == ALL else target, t)
    construct = {c.key: c.label[t.lang] for c in results.inst.constructs}
    rel = tuple({"group": target, "construct": r["construct"], "construct_label": construct[r["construct"]],
                 "n_items": r["n_items"], "alpha": r["alpha"], "alpha_low": r["alpha_ci_low"],
                 "alpha_high": r["alpha_ci_high"], "omega": r["omega"], "cr": r["cr"], "ave": r["ave"],
                 "omega_cat": r.get("omega_cat"),
                 **{k: _verdict(r[k]) for k in ("alpha_ok", "omega_ok", "cr_ok", "ave_ok")}}
                for r in gv.reliability.to_dict("records"))
    blocks.append(Table("reliability", t("validation.reliability", group=label), (
        Column("construct_label", t("col.construct")), Column("n_items", t("col.items"), "count"),
        Column("alpha", "alpha", "num2", "alpha_low", "alpha_high", **_ok("alpha_ok", t, thresholds.ALPHA)),
        *((Column("omega_cat", t("col.omega_cat"), "num2"),) if "omega_cat" in gv.reliability else ()),
        Column("omega", "omega", "num2", **_ok("omega_ok", t, thresholds.OMEGA)),
        Column("cr", "CR", "num2", **_ok("cr_ok", t, thresholds.CR)),
        Column("ave", "AVE", "num2", **_ok("ave_ok", t, thresholds.AVE))), rel, note=t("validation.reliability_note")))
    if gv.htmt is not None:
        m = gv.htmt.matrix
        keys = list(m.index)
        strict = thresholds.HTMT_STRICT
        rows = tuple({"group": target, "construct": a, "construct_label": f"{i + 1}. {construct.get(a, a)}",
                      **{f"c{j + 1}": (m.loc[a, b] if j < i else None) for j, b in enumerate(keys)},
                      **{f"c{j + 1}_css": "fail" for j, b in enumerate(keys)
                         if j < i and not strict.holds(m.loc[a, b])}}
                     for i, a in enumerate(keys))
        blocks.append(Table("htmt", t("validation.htmt", group=label),
                            (Column("construct_label", t("col.construct")),
                             *(Column(f"c{j + 1}", str(j + 1), "num2") for j in range(len(keys) - 1))),
                            rows, note=t("validation.htmt_note"), css="matrix"))
    if gv.fornell_larcker is not None:
        v = gv.fornell_larcker.verdicts
        failed = v[~v["passes"].astype(bool)]
        failing = ", ".join(construct.get(c, c) for c in failed.construct)
        blocks.append(Paragraph(t("validation.fl_pass") if failed.empty else t("validation.fl_fail", constructs=failing)))
    if val.invariance is not None:
        inv = val.invariance.table
        rows = tuple({"level": r["level"], "level_label": t("invariance." + r["level"]),
                      **{k: r[_shown(val.estimator, k)] for k in ("chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi",
                                                                  "delta_rmsea", "delta_srmr")},
                      "holds": _verdict(r["holds"])}
                     for r in inv.to_dict("records"))
        blocks.append(Table("invariance", t("validation.invariance"), (
            Column("level_label", t("col.level")), Column("chi2", "χ²", "num1"), Column("df", "df", "count"),
            Column("cfi", "CFI", "num3"), Column("rmsea", "RMSEA", "num3"), Column("srmr", "SRMR", "num3"),
            Column("delta_cfi", "ΔCFI", "num3"), Column("delta_rmsea", "ΔRMSEA", "num3"),
            Column("delta_srmr", "ΔSRMR", "num3"), Column("holds", t("col.holds"), "bool")), rows,
            note=t("validation.invariance_note")))
        blocks += _partial_blocks(val, t, construct)
    elif val.invariance_note:
        blocks.append(Paragraph(val.invariance_note))
    problems = val.problems
    problems = problems[problems.group.isin([target])]
    if len(problems):
        blocks.append(Notes(tuple(dict.fromkeys(
            p.message if t.lang == "en" else _technical_text(str(p.kind), t)
            for p in problems.itertuples())),
                            title=t("method.technical")))
    loadings = tuple({"group": target, "construct": r["construct"], "construct_label": construct[r["construct"]],
                      "item": r["item"], "std": r["std"], "std_se": r["std_se"]}
                     for r in gv.loadings.to_dict("records"))
    if loadings:
        blocks.append(Table("loadings", t("validation.loadings", group=label), (
            Column("construct_label", t("col.construct")), Column("item", t("col.item")),
            Column("std", t("col.loading"), "num2"), Column("std_se", t("col.se"), "num3")), loadings,
            note=t("validation.loadings_note"), css="compact"))
    return Section("validation", t("section.validation"), tuple(blocks))


# --------------------------------------------------------------- data quality
def data_quality(results, group: str, shown: list[str], t: Texts) -> Section:
    q, res, val = results.quality, results.analysis, results.validation
    rows: list[dict] = []

    def add(key: str, n, **kw) -> None:
        rows.append({"group": group, "what": key, "label": t("quality." + key, **kw), "n": int(n)})

    if group == ALL:
        add("rows_read", q.n_rows_read)
        add("empty_rows", q.n_empty_rows)
        if q.n_not_respondents:          # survey platform previews and test responses
            add("not_respondents", q.n_not_respondents)
        add("respondents", q.n_respondents)
        if q.n_incomplete:
            add("incomplete", q.n_incomplete)
        for flag, n in q.flag_counts.items():
            add("flag", n, flag=t("flag." + flag) if t.has("flag." + flag) else flag)
        add("usable", q.n_usable)
        add("invalid_values", len(q.invalid_values))
        add("unknown_columns", len(q.unknown_columns))
        if res.settings.by is not None:
            add("no_group", (res.excluded.code == "no_group").sum())
        if results.left_out:
            add("left_out", results.left_out, minimum=results.min_group_n)
        add("in_report", usable_sizes(results)[ALL])
    else:
        org = q.organisations.set_index("organisation") if len(q.organisations) else None
        if org is not None and group in org.index and res.settings.by == "organisation":
            add("respondents", org.n[group])
            add("flagged", org.n_flagged[group])
        add("usable", usable_sizes(results)[group])
    add("used_importance", importance_used(results, group))
    add("used_validation", val.groups[group if group in val.groups else ALL].n)
    columns = (Column("label", t("col.what")), Column("n", t("col.count"), "count"))
    blocks: list = [Paragraph(t("quality.intro", file=results.source)),
                    Table("data_quality", t("quality.table"), columns, tuple(rows))]
    counts = res.exclusion_counts
    counts = counts if group == ALL else counts[counts.group == group]
    channels = describe_instrument(results.inst, t.lang).channels
    reason_rows = tuple({"group": group, "code": code, "reason": t("reason." + code, channels=channels),
                         "n": int(counts[counts.code == code].n.sum())}
                        for code in REASON_CODES if counts[counts.code == code].n.sum())
    if reason_rows:
        blocks.append(Table("exclusions", t("quality.exclusions"), (Column("reason", t("col.reason")),
                                                                    Column("n", t("col.count"), "count")),
                            reason_rows, note=t("quality.exclusions_note")))
    excluded = val.excluded if group == ALL else val.excluded[val.excluded.group == group]
    if len(excluded):
        counts = excluded.reason.value_counts()
        blocks.append(Table("validation_exclusions", t("quality.validation_exclusions"),
                            (Column("reason", t("col.reason")), Column("n", t("col.count"), "count")),
                            tuple({"group": group, "reason": _validation_reason(r, t), "n": int(n)}
                                  for r, n in counts.items())))
    if q.warnings and group == ALL:
        # the reader's warnings may quote values (e.g. SPSS value labels of agent codes): masked like answers
        blocks.append(Notes(tuple(mask_personal_data(w, t.lang, results.extra_names) for w in q.warnings),
                            title=t("quality.reader_warnings")))
    return Section("quality", t("section.quality"), tuple(blocks))


def _validated_model(results, t: Texts) -> str:
    """The measurement model validated, in words: the questionnaire's, less constructs not assessed at all."""
    whole = results.validation.groups.get(ALL)
    assessed = set(whole.constructs) if whole is not None and whole.constructs else None
    return describe_instrument(results.inst, t.lang, drivers=assessed).measurement_model


def _validation_reason(reason: str, t: Texts) -> str:
    """The validation's reason sentence (English, parts joined by '; ') in the report's language."""
    return "; ".join(t("vreason." + part) if t.has("vreason." + part) else part for part in reason.split("; "))


# ---------------------------------------------------------- questionnaire etc.
def questionnaire(results, t: Texts) -> Section:
    inst = results.inst
    channel_labels = {ch.key: ch.label.get(t.lang, ch.key) for ch in inst.definition.choices.get("channel", [])}
    only = lambda item: join_words([channel_labels.get(c, c) for c in item.channels], t.lang)  # noqa: E731
    items = tuple({"construct": c.key, "construct_label": c.label[t.lang], "item": i.id, "text": i.text[t.lang],
                   "note": "; ".join(filter(None, [t("item.phone_only", channels=only(i)) if i.channels else "",
                                                   t("item.reverse") if i.reverse else ""]))}
                  for c in inst.constructs for i in c.items)
    questions = tuple({"item": q.id, "label": q.label[t.lang], "text": q.text[t.lang]} for q in inst.questions)
    scale = inst.scale(inst.item(inst.constructs[0].item_ids[0]).scale)
    na = t("questionnaire.na", label=scale.not_applicable.label.get(t.lang, "")) if scale.not_applicable else ""
    return Section("questionnaire", t("section.questionnaire"), (
        Paragraph(t("questionnaire.intro", version=inst.content_version, file=inst.source_file.name,
                    hash=inst.short_hash, low=scale.min, high=scale.max,
                    low_label=scale.points[0].label.get(t.lang, ""), high_label=scale.points[-1].label.get(t.lang, ""),
                    na=na)),
        Table("questionnaire", t("questionnaire.items"), (
            Column("construct_label", t("col.construct")), Column("item", t("col.item")),
            Column("text", t("col.text")), Column("note", t("col.note"))), items, css="compact"),
        Table("questions", t("questionnaire.questions"), (
            Column("item", t("col.item")), Column("label", t("col.label")), Column("text", t("col.text"))),
            questions, css="compact")))


def reproduce(results, t: Texts) -> Section:
    s = results.analysis.settings
    settings = (("seed", int(s.seed)), ("bootstrap", int(s.n_resamples)), ("level", float(s.level)),
                ("outcome", t("outcome." + s.outcome)), ("importance", t("measure." + s.importance)),
                ("crosshair", t("crosshair." + s.crosshair)), ("flagged", t("yes") if s.exclude_flagged else t("no")),
                ("min_group_n", int(results.min_group_n)), ("missing", t("missing." + results.validation.missing)),
                ("instrument", results.inst.content_version),
                ("instrument_file", f"{results.inst.source_file.name}" + ("" if not results.inst.is_shipped
                                                                           else f" ({t('reproduce.shipped')})")),
                ("instrument_hash", results.inst.content_hash), ("source", results.source))
    return Section("reproduce", t("section.reproduce"), (
        Paragraph(t("reproduce.intro")),
        Paragraph(results.command, css="command"),
        Table("settings", t("reproduce.settings"), (Column("label", t("col.setting")), Column("value", t("col.value"))),
              tuple({"setting": k, "label": t("setting." + k), "value": v} for k, v in settings)),
        Table("software", t("reproduce.software"), (Column("package", t("col.package")),
                                                    Column("version", t("col.version"))),
              tuple({"package": p, "version": v} for p, v in results.versions))))
