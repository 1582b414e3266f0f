"""Who a driver analysis uses, and why everyone else is left out.

Driver importance (regression, LMG, dominance, bootstrap) needs respondents with an
outcome and a score for every driver analysed. Every other respondent is listed with
one reason code and a sentence saying why; nobody is dropped silently. The codes, in
the order they are checked (the first that applies is the respondent's code; the
sentence names every reason that applies):

================  ==========================================================================
code              meaning
================  ==========================================================================
``no_group``      no value in the grouping column (``by``)
``flagged``       flagged by the data-quality check (straight-liner, too many missing answers,
                  speeder; :mod:`instrument.reader.flags`) and ``exclude_flagged=True``; the
                  sentence is the one :mod:`analysis.scoring.sample` gives every analysis
``no_outcome``    no outcome: the satisfaction score is missing (fewer than half its items
                  answered) or the CSAT/NPS/CES question was not answered
``missing_score`` no score for at least one driver although its items applied to the
                  respondent (fewer than half of them answered)
``not_asked``     no score only for drivers whose items do not apply to the respondent's
                  channel (wait time and the phone menu are asked on the phone only): missing
                  by design, not a data problem
``small_group``   usable, but in a group too small for a regression on the drivers: fewer
                  usable respondents than it needs (number of drivers + 2), or so few that a
                  driver score or the outcome has one value among them (or the drivers are
                  exact linear combinations of each other); the group is left out of the
                  importance analysis (its respondents still count in the KPIs and the SEM of
                  the whole sample), as long as another group can be analysed
================  ==========================================================================

Respondents flagged only by ``not_asked`` can still be analysed by leaving the
phone-only drivers out (``drivers=`` a subset).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import DataError
from analysis.common.groups import ALL
from analysis.drivers.outcome import no_outcome_message, outcome_absence, python_choice
from analysis.importance.driver_data import variation_problem
from analysis.scoring.sample import FLAG_REASONS, check_group_column, no_group_reason
from analysis.scoring.scores import construct_scores, min_answered
from instrument import Instrument
from instrument.reader.columns import id_variable
from instrument.reader.flags import FLAG_COLUMNS, channel_applicable

REASON_CODES = ("no_group", "flagged", "no_outcome", "missing_score", "not_asked", "small_group")
CHANNEL_COLUMN = "channel"
GROUP = "group"


@dataclass(frozen=True)
class AnalysisSample:
    """The respondents of a driver analysis.

    Attributes
    ----------
    frame : DataFrame
        One row per input respondent, in input order: ``respondent_id``, ``group``
        (label as str, NaN when missing), the driver scores and the outcome (floats,
        NaN when missing), ``flagged`` (any data-quality flag).
    used : ndarray of bool
        Whether the respondent enters the importance analysis.
    reachable : ndarray of bool
        Whether the respondent enters the KPIs and the SEM (has a group and is not
        excluded as flagged); FIML uses whatever such a respondent answered.
    excluded : DataFrame
        One row per respondent not used: ``respondent_id``, ``group``, ``source_row``
        (1-based data row of the file when known, else the position), ``code`` (see the
        module docstring), ``reason`` (a sentence), ``missing_drivers`` (comma-separated
        driver keys without a score, '' if none).
    notes : tuple of str
        Remarks about the data as given (e.g. no flag columns).
    left_out : dict
        Groups left out of the importance analysis (code ``small_group``): label -> why.
    phone_only_small : frozenset
        Groups with too few usable respondents that would have enough without the
        phone-only drivers (not asked in their channel): leaving those drivers out is
        the remedy. The whole sample is the group ``'all'`` when ``by`` is None.
    """

    frame: pd.DataFrame
    used: np.ndarray
    reachable: np.ndarray
    excluded: pd.DataFrame
    notes: tuple[str, ...]
    left_out: dict
    phone_only_small: frozenset

    @property
    def n_flagged_used(self) -> int:
        """Flagged respondents used (some only with ``exclude_flagged=False``)."""
        return int(self.frame.flagged.to_numpy()[self.used].sum())


def outcome_values(data: pd.DataFrame, inst: Instrument, outcome: str) -> tuple[pd.Series, str]:
    """The outcome per respondent and a phrase saying when it is missing."""
    if outcome == inst.outcome_construct.key:
        # none of its items in the file: no respondent has it, whatever the grouping (the reader's record,
        # so that each piece of data kept in pieces says the same)
        absent = outcome_absence(data, inst, outcome, answers=False)
        if absent is not None:
            raise DataError(no_outcome_message(data, inst, outcome, absent, python_choice))
        n_items = len(inst.outcome_construct.item_ids)
        values = construct_scores(data, inst, [outcome])[outcome]
        return values, (f"no {outcome} score (fewer than {min_answered(n_items)} of its {n_items} items "
                        "answered)")
    if outcome not in data.columns:
        raise DataError(f"no column '{outcome}' in the data for the outcome; read the file with "
                        "instrument.read_responses, or choose another outcome")
    values = pd.to_numeric(data[outcome], errors="coerce").astype(float)
    if (data[outcome].notna() & values.isna()).any():
        raise DataError("must hold numeric answer codes to be used as the outcome", column=outcome)
    return values, f"no answer to '{outcome}'"


def min_used_per_group(n_drivers: int) -> int:
    """The fewest usable respondents a group's regression on ``n_drivers`` drivers needs."""
    return n_drivers + 2


def analysis_sample(data: pd.DataFrame, inst: Instrument, *, by: str | None, outcome: str,
                    drivers: list[str], exclude_flagged: bool = True) -> AnalysisSample:
    """Score every respondent and decide who is analysed (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        Responses from :func:`instrument.read_responses`.
    inst : Instrument
    by : str or None
        Grouping column; None analyses the whole sample only.
    outcome : str
        The satisfaction construct key, or a numeric question column (csat, nps, ces).
    drivers : list of str
        Driver construct keys.
    exclude_flagged : bool

    Returns
    -------
    AnalysisSample

    Notes
    -----
    The three steps (:func:`score_rows`, :func:`small_groups` on the groups' facts,
    :func:`finish_sample`) are separate so that data kept in pieces (each group's rows
    whole in one piece, :mod:`analysis.drivers.kept`) give the same sample: the first and
    last per piece, the decision on small groups over all groups' facts.
    """
    scored = score_rows(data, inst, by=by, outcome=outcome, drivers=drivers, exclude_flagged=exclude_flagged)
    left_out, phone_only, notes = small_groups(group_facts(scored, drivers, outcome), drivers, by)
    return finish_sample(scored, left_out, phone_only, notes, drivers, by)


@dataclass(frozen=True, eq=False)
class ScoredRows:
    """Every respondent scored, before the decision on small groups (:func:`score_rows`)."""

    index: pd.Index
    ids: np.ndarray
    rows: np.ndarray
    group: pd.Series
    scores: pd.DataFrame
    y: pd.Series
    no_outcome_text: str
    flags: list
    flag_matrix: np.ndarray
    flagged: np.ndarray
    missing: np.ndarray
    not_asked: np.ndarray
    used: np.ndarray
    reachable: np.ndarray
    by_design: np.ndarray
    channel: np.ndarray
    notes: tuple
    exclude_flagged: bool
    outcome: str


def score_rows(data: pd.DataFrame, inst: Instrument, *, by: str | None, outcome: str, drivers: list[str],
               exclude_flagged: bool = True) -> ScoredRows:
    """Scores, outcome, flags and reasons of every row (row by row: the same for any split of the rows)."""
    n = len(data)
    notes = []
    id_col = id_variable(inst)
    if id_col in data.columns:
        ids = data[id_col].astype("string").fillna("").to_numpy(dtype=object)
    else:
        ids = np.array([f"row {k}" for k in range(1, n + 1)], dtype=object)
        notes.append(f"no '{id_col}' column: respondents are named by their row number")
    rows = _rows(data)
    if by is None:
        group = pd.Series("all", index=data.index, dtype=object)
    else:
        check_group_column(data, by)
        group = data[by].astype("string").astype(object).where(data[by].notna())
    _check_codes(data, inst, drivers, outcome)
    scores = construct_scores(data, inst, drivers)
    y, no_outcome_text = outcome_values(data, inst, outcome)
    flags = [c for c in FLAG_COLUMNS if c in data.columns]
    if len(flags) < len(FLAG_COLUMNS):
        notes.append("no data-quality flag columns (flag_*): nobody was excluded as flagged; read the file "
                     "with instrument.read_responses to apply the checks")
    flag_matrix = data[flags].fillna(False).to_numpy(dtype=bool) if flags else np.zeros((n, 0), bool)
    flagged = flag_matrix.any(axis=1)

    missing = scores.isna().to_numpy()
    not_asked = _not_asked(data, inst, drivers) & missing
    no_group = group.isna().to_numpy()
    no_y = y.isna().to_numpy()
    excluded_flagged = flagged & exclude_flagged
    used = ~(no_group | excluded_flagged | no_y | missing.any(axis=1))
    reachable = ~(no_group | excluded_flagged)
    # usable but for phone-only drivers not asked in their channel
    by_design = reachable & ~no_y & ~(missing & ~not_asked).any(axis=1) & not_asked.any(axis=1)
    channel = (data[CHANNEL_COLUMN].astype("string").fillna("unknown").to_numpy(dtype=object)
               if CHANNEL_COLUMN in data.columns else np.full(n, "unknown", dtype=object))
    return ScoredRows(index=data.index, ids=ids, rows=rows, group=group, scores=scores, y=y,
                      no_outcome_text=no_outcome_text, flags=flags, flag_matrix=flag_matrix, flagged=flagged,
                      missing=missing, not_asked=not_asked, used=used, reachable=reachable, by_design=by_design,
                      channel=channel, notes=tuple(notes), exclude_flagged=exclude_flagged, outcome=outcome)


def group_facts(scored: ScoredRows, drivers: list[str], outcome: str) -> dict:
    """Per group (in order of first appearance): ``(usable, usable but for not-asked drivers, problem, first row)``.

    ``problem`` is :func:`~analysis.importance.driver_data.variation_problem` of the
    group's usable rows when it has enough of them (else None); ``first row`` is the
    ``source_row`` of its first row, which orders the groups of pieces as one pass would.
    """
    codes, labels = pd.factorize(scored.group)                 # missing group: code -1
    used = scored.used
    counts = np.bincount(codes[used], minlength=len(labels))
    design = np.bincount(codes[scored.by_design & (codes >= 0)], minlength=len(labels))
    present = codes >= 0
    _, first = np.unique(codes[present], return_index=True)
    first_rows = scored.rows[np.flatnonzero(present)[first]] if len(first) else np.zeros(0, dtype=int)
    values = np.column_stack([scored.scores[drivers].to_numpy(dtype=float), scored.y.to_numpy(dtype=float)])
    rows = np.flatnonzero(used)
    rows = rows[np.argsort(codes[rows], kind="stable")]
    bounds = np.r_[0, np.cumsum(counts)]
    minimum = min_used_per_group(len(drivers))
    facts = {}
    for k, g in enumerate(labels):
        problem = (variation_problem(values[rows[bounds[k]:bounds[k + 1]]], drivers, outcome)
                   if counts[k] >= minimum else None)
        facts[g] = (int(counts[k]), int(design[k]), problem, int(first_rows[k]))
    return facts


def small_groups(facts: dict, drivers: list[str], by: str | None) -> tuple[dict, frozenset, list]:
    """Groups too small for a regression, left out when at least one group is not; the phone-only cause; notes.

    ``facts`` are :func:`group_facts` of every group, in the order of their first rows.
    A group is too small with fewer usable respondents than :func:`min_used_per_group`,
    or when among them a driver score or the outcome does not vary, or the drivers are
    exact linear combinations of each other. Returns ``(left_out, phone_only, notes)``:
    ``left_out`` maps each group left out to the sentence that says why; it is empty
    (and the caller stops with a message that says what to do) when every group is too
    small, when there is only the whole sample (``by`` None), or when a group is small
    only because the phone-only drivers are not asked in it (e.g. grouping by channel):
    leaving those drivers out is then the remedy, not leaving the group out (most of
    its otherwise usable respondents lack only those drivers). ``phone_only`` holds
    those groups; ``notes`` the remarks on the groups left out.
    """
    minimum = min_used_per_group(len(drivers))
    small = {g: c for g, (c, _, _, _) in facts.items() if c < minimum}
    phone_only = frozenset(g for g, (c, d, _, _) in facts.items() if c < minimum and d > c and c + d >= minimum)
    if by is None or phone_only:
        return {}, phone_only, []
    why = {g: f"in a group of '{by}' with too few usable respondents for a regression on {len(drivers)} drivers"
           for g in small}
    flat = {g: problem for g, (_, _, problem, _) in facts.items() if g not in small and problem is not None}
    for g, problem in flat.items():
        why[g] = f"in a group of '{by}' too small for a regression: among its usable respondents {problem}"
    if not why or len(why) == len(facts):
        return {}, phone_only, []
    notes = []
    if small:
        shown = ", ".join(f"'{g}' ({n})" for g, n in sorted(small.items())[:10])
        more = f" and {len(small) - 10} more" if len(small) > 10 else ""
        notes.append(f"groups of '{by}' with fewer than {minimum} usable respondents are left out of the "
                     f"importance analysis (usable respondents in brackets): {shown}{more}")
    notes += [f"group '{g}' of '{by}' is left out of the importance analysis: among its usable respondents "
              f"{problem}" for g, problem in flat.items()]
    return why, phone_only, notes


def finish_sample(scored: ScoredRows, left_out: dict, phone_only: frozenset, notes: list, drivers: list[str],
                  by: str | None) -> AnalysisSample:
    """The :class:`AnalysisSample` of scored rows, given the groups left out (:func:`small_groups`)."""
    group = scored.group
    used = scored.used.copy()
    if left_out:
        small = np.where(used & group.isin(list(left_out)).to_numpy(), group.map(left_out).to_numpy(dtype=object), "")
    else:                           # nothing left out (the rule): no million-row lookup of an empty mapping
        small = np.full(len(group), "", dtype=object)
    used &= small == ""
    frame = pd.DataFrame({"respondent_id": scored.ids, GROUP: group.to_numpy(),
                          **{d: scored.scores[d].to_numpy() for d in drivers}, scored.outcome: scored.y.to_numpy(),
                          "flagged": scored.flagged}, index=scored.index)
    excluded = _explain(~used, scored.ids, group.to_numpy(), scored.rows, group.isna().to_numpy(),
                        scored.flagged & scored.exclude_flagged, scored.flag_matrix, scored.flags,
                        scored.y.isna().to_numpy(), scored.no_outcome_text, scored.missing, scored.not_asked, small,
                        drivers, scored.channel, by)
    return AnalysisSample(frame=frame, used=used, reachable=scored.reachable, excluded=excluded,
                          notes=(*scored.notes, *notes), left_out=left_out, phone_only_small=phone_only)


def check_groups(labels: list[str], counts: dict, left_out: dict, phone_only_small: frozenset, not_asked: dict,
                  drivers: list[str], by, pooling: str = "none") -> None:
    """Stop with a message that says what to do when a group analysed has too few usable respondents.

    ``counts`` are the usable respondents per group (``{'all': n}`` without groups),
    ``not_asked`` the respondents per group not used only because of drivers not asked
    in their channel. Groups that :func:`analysis.drivers.sample.analysis_sample` left
    out (``small_group``, in ``left_out``) are not analysed, so not checked; the
    phone-only hint is given only when those drivers are the cause (``phone_only_small``).
    """
    if ALL in labels:
        raise DataError(f"a group is called '{ALL}', the name of the whole sample; rename it", column=by)
    minimum = min_used_per_group(len(drivers))
    small = {g: int(counts.get(g, 0)) for g in (labels or [ALL])
             if g not in left_out and counts.get(g, 0) < minimum}
    if not small:
        return
    shown = ", ".join(f"'{g}' ({n})" for g, n in list(small.items())[:5])
    more = f" and {len(small) - 5} more" if len(small) > 5 else ""
    hint = "choose a coarser grouping column, analyse fewer drivers, or remove those respondents"
    phone_only = set(small) & phone_only_small
    if phone_only:
        in_them = sum(n for g, n in not_asked.items() if g in phone_only) if labels else sum(not_asked.values())
        hint += (f"; {int(in_them)} of their respondents have no score only because some drivers are "
                 "not asked in their channel: leave those drivers out (the drivers option) to include them")
        if pooling == "partial":
            # pooling shares one driver set across the groups; without pooling each group is
            # analysed on the drivers that apply to it (analysis.drivers.per_group)
            hint += ", or analyse without pooling (pooling='none' / --pooling none): each group on its own drivers"
    raise DataError(f"too few usable respondents (outcome and every driver score) for {len(drivers)} drivers, "
                    f"at least {minimum} needed: {shown}{more}; {hint}")


def _check_codes(data: pd.DataFrame, inst: Instrument, drivers: list[str], outcome: str) -> None:
    """Refuse answer codes outside the scale (e.g. 99 'not applicable' in raw, unread data)."""
    items = [i for d in drivers for i in inst.construct(d).item_ids]
    if outcome == inst.outcome_construct.key:
        items += inst.outcome_construct.item_ids
    scales = {i: inst.scale(inst.item(i).scale) for i in items}
    question = inst.question_for(outcome)
    if question is not None and question.scale is not None:
        scales[question.id] = inst.scale(question.scale)
    for column, scale in scales.items():
        if column not in data.columns:
            continue
        values = pd.to_numeric(data[column], errors="coerce")
        bad = values.notna() & ((values < scale.min) | (values > scale.max))
        if bad.any():
            shown = ", ".join(f"{v:g}" for v in pd.unique(values[bad])[:3])
            raise DataError(f"has values outside the scale {scale.min}-{scale.max} ({shown}); read the file with "
                            "instrument.read_responses, which turns 'not applicable' (99) and blanks into missing",
                            column=column, rows=list(_rows(data)[bad.to_numpy()]))


def _rows(data: pd.DataFrame) -> np.ndarray:
    """1-based data rows of the file when known (``source_row``), else positions."""
    return data["source_row"].to_numpy() if "source_row" in data.columns else np.arange(1, len(data) + 1)


def not_asked(data: pd.DataFrame, inst: Instrument, drivers: list[str]) -> np.ndarray:
    """(n, p) bool: the respondent's channel does not ask enough of the driver's items for a score."""
    return _not_asked(data, inst, drivers)


def _not_asked(data: pd.DataFrame, inst: Instrument, drivers: list[str]) -> np.ndarray:
    """(n, p) bool: too few of the driver's items apply to the respondent's channel for a score."""
    items = [i for d in drivers for i in inst.construct(d).item_ids]
    channel = data[CHANNEL_COLUMN] if CHANNEL_COLUMN in data.columns else None
    if channel is None:
        return np.zeros((len(data), len(drivers)), dtype=bool)
    applies = channel_applicable(channel.astype(object), inst, items)
    out = []
    for d in drivers:
        ids = inst.construct(d).item_ids
        out.append(applies[ids].sum(axis=1).to_numpy() < min_answered(len(ids)))
    return np.column_stack(out)


def _explain(mask, ids, group, rows, no_group, flagged, flag_matrix, flag_cols, no_y, no_outcome_text,
             missing, not_asked, small, drivers, channel, by) -> pd.DataFrame:
    """One row per excluded respondent: the first reason's code and a sentence with every reason.

    Sentences are built once per distinct combination of reasons (and channel), so this
    stays fast for a million respondents.
    """
    idx = np.flatnonzero(mask)
    cols = ["respondent_id", GROUP, "source_row", "code", "reason", "missing_drivers"]
    if not len(idx):
        return pd.DataFrame({c: pd.Series(dtype=object if c != "source_row" else "int64") for c in cols})
    weights = 1 << np.arange(len(drivers), dtype=np.int64)
    flag_weights = 1 << np.arange(len(flag_cols), dtype=np.int64)
    keys = pd.DataFrame({
        "no_group": no_group[idx], "flags": (flag_matrix[idx] * flag_weights).sum(axis=1) * flagged[idx],
        "no_y": no_y[idx], "missing": (missing[idx] & ~not_asked[idx]) @ weights,
        "not_asked": not_asked[idx] @ weights, "small": small[idx], "channel": channel[idx]})
    combo = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(idx))).groupby(combo).first()
    texts, codes, missing_names = {}, {}, {}
    for c, k in first.items():
        r = keys.iloc[k].to_dict()
        codes[c], texts[c], missing_names[c] = _reason(r, flag_cols, no_outcome_text, drivers, by)
    return pd.DataFrame({
        "respondent_id": ids[idx], GROUP: group[idx], "source_row": rows[idx].astype("int64"),
        "code": pd.Categorical([codes[c] for c in combo], categories=REASON_CODES),
        "reason": [texts[c] for c in combo], "missing_drivers": [missing_names[c] for c in combo],
    })


def _names(mask: int, drivers: list[str]) -> list[str]:
    return [d for j, d in enumerate(drivers) if mask >> j & 1]


def _reason(r: dict, flag_cols, no_outcome_text: str, drivers: list[str], by) -> tuple[str, str, str]:
    """(code, sentence, missing driver keys) for one combination of reasons."""
    parts, code = [], None
    if r["no_group"]:
        parts.append(no_group_reason(by))
        code = code or "no_group"
    if r["flags"]:
        parts += [FLAG_REASONS.get(c, f"flagged: {c}") for j, c in enumerate(flag_cols) if int(r["flags"]) >> j & 1]
        code = code or "flagged"
    if r["no_y"]:
        parts.append(no_outcome_text)
        code = code or "no_outcome"
    real, design = _names(int(r["missing"]), drivers), _names(int(r["not_asked"]), drivers)
    if real:
        parts.append(f"no score for {', '.join(real)} (fewer than half of the items answered)")
        code = code or "missing_score"
    if design:
        parts.append(f"no score for {', '.join(design)}: not asked in the {r['channel']} channel (by design)")
        code = code or "not_asked"
    if r["small"]:
        parts.append(r["small"])
        code = code or "small_group"
    return code, "; ".join(parts), ",".join(real + design)
