"""The checks and sums over all parts of a partitioned input (:mod:`instrument.reader.partitions`).

Each part is read and checked on its own; what only the whole input can show is made
here from the parts' summaries: the summed quality report, the speeding rule judged
against the median completion time of all parts (applied part by part where the rows
are, :func:`speeding_part`), and ids used in two parts (:func:`check_unique_ids`, on the
rows whose id hash another row shares).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from instrument.definition import Instrument
from instrument.reader.columns import group_variable, id_variable
from instrument.reader.flags import FLAG_COLUMNS, SPEEDING_SHARE_OF_MEDIAN, speeding_reason
from instrument.reader.integrity import UnusableData
from instrument.reader.quality import QualityReport

# The counts of QualityReport.items that are sums over respondents (pct_missing is recomputed).
ITEM_COUNTS = ("n_applicable", "n_answered", "n_not_applicable", "n_missing", "n_invalid",
               "n_not_applicable_by_design")
REPORT_SUMS = ("n_rows_read", "n_empty_rows", "n_respondents", "n_flagged", "n_usable", "n_not_respondents",
               "n_incomplete", "n_duplicates_dropped")


def ids_of(kept, candidates: set, id_name: str) -> pd.DataFrame:
    """The ids and rows of one part whose hash is among ``candidates`` (a task)."""
    data = kept[0]
    ids = data[id_name].astype(object)
    mine = np.isin(pd.util.hash_array(ids.to_numpy()), np.fromiter(candidates, dtype=np.uint64))
    return pd.DataFrame({"id": ids.to_numpy()[mine], "row": data.source_row.to_numpy()[mine]})


def check_unique_ids(ids: pd.DataFrame, report: QualityReport, file: str) -> None:
    """A respondent id in two rows (of any parts) is an error naming it and its rows."""
    twice = ids.id.duplicated(keep=False).to_numpy()
    if not twice.any():
        return      # equal hashes of different ids
    first = ids.id[twice].iloc[0]
    rows = ids.row.to_numpy()[(ids.id == first).to_numpy()].tolist()
    more = int(ids.id[twice].nunique()) - 1
    message = (f"respondent id '{first}' is in more than one partition (rows {', '.join(map(str, rows))}"
               f"{f', and {more} more ids' if more else ''}); "
               "ids must be unique across the partitions: correct the ids or remove the repeats")
    report = replace(report, ok=False, problems=(message, *report.problems))
    raise UnusableData(message, report=report, file=file)


def speeding_part(kept, median: float, duration_id: str, inst: Instrument):
    """One part's speeders judged against the median of all parts (a task): ``(data, its flag summary)``.

    Each part's check flags speeders against that part's median; the rule
    (:mod:`instrument.reader.flags`) is the median of every respondent, so the flag, the
    reason (its other parts kept) and the counts are made again here from the median of
    all parts' kept respondents, as the one-file reader makes them.
    """
    data, report = kept[0], kept[1]
    duration = data[duration_id]
    speeding = (duration < SPEEDING_SHARE_OF_MEDIAN * median).fillna(False).to_numpy(dtype=bool)
    data = data.assign(flag_speeding=speeding)
    flagged = data[list(FLAG_COLUMNS)].any(axis=1).to_numpy()
    rows = data.source_row.to_numpy()
    old = report.excluded
    with_row = old.row.isin(rows).to_numpy()         # the part's flagged respondents (the others left no row)
    before = dict(zip(old.row[with_row].tolist(), old.reason[with_row].tolist()))
    ids = data[id_variable(inst)].to_numpy(dtype=object)
    records = []
    for k in np.flatnonzero(flagged):
        why = [w for w in (before.get(int(rows[k])) or "").split("; ") if w and not w.startswith("speeding:")]
        if speeding[k]:
            why.append(speeding_reason(duration.iloc[k], median))
        records.append({"row": int(rows[k]), "respondent_id": ids[k], "reason": "; ".join(why)})
    groups = pd.DataFrame({"organisation": data[group_variable(inst)], "flagged": flagged})
    orgs = groups.groupby("organisation", sort=True)["flagged"].agg(n="size", n_flagged="sum").reset_index()
    summary = dict(rows_with_record=old.row[with_row].tolist(), records=records, organisations=orgs,
                   flag_counts={name: int(data[name].sum()) for name in FLAG_COLUMNS},
                   n_flagged=int(flagged.sum()), n=len(data))
    return data, summary


def flag_summary(kept) -> dict:
    return kept[1]


def speeding_over_all(report: QualityReport, summaries: list[dict]) -> QualityReport:
    """The summed report with every count of flagged respondents and their reasons made from the parts' new flags."""
    old = report.excluded
    replaced = old.row.isin([r for s in summaries for r in s["rows_with_record"]]).to_numpy()
    kept = old.loc[~replaced].to_dict("records") + [rec for s in summaries for rec in s["records"]]
    excluded = records_frame([], kept, old.columns)
    orgs = pd.concat([s["organisations"] for s in summaries], ignore_index=True)
    orgs = orgs.groupby("organisation", sort=True)[["n", "n_flagged"]].sum().reset_index()
    orgs["n_flagged"] = orgs["n_flagged"].astype(int)
    orgs["n_usable"] = orgs["n"] - orgs["n_flagged"]
    n_flagged, n = sum(s["n_flagged"] for s in summaries), sum(s["n"] for s in summaries)
    problems = [p for p in report.problems if not all_flagged(p)]
    if n_flagged == n and not any(p.endswith("has no column for any driver item") for p in problems):
        problems.append(f"all {n} respondents are flagged; see the excluded rows")
    return replace(report, n_flagged=n_flagged, n_usable=n - n_flagged,
                   flag_counts={name: sum(s["flag_counts"][name] for s in summaries) for name in FLAG_COLUMNS},
                   organisations=orgs, excluded=excluded, problems=tuple(problems), ok=not problems)


def summed_report(reports: list[QualityReport], file: str, empty_rows: list[int]) -> QualityReport:
    """One report for the whole input: counts summed, tables stacked, notes said once."""
    first = reports[0]
    sums = {name: sum(getattr(r, name) for r in reports) for name in REPORT_SUMS}
    sums["n_rows_read"] += len(empty_rows)
    sums["n_empty_rows"] += len(empty_rows)
    items = pd.concat([r.items for r in reports], ignore_index=True)
    lost = np.where(items.n_applicable > 0, np.round(items.pct_missing.fillna(0) * items.n_applicable / 100), 0)
    items = items.assign(_lost=lost)
    keys = ["item", "construct", "column"]
    summed = items.groupby(keys, sort=False, dropna=False)[[*ITEM_COUNTS, "_lost"]].sum().reset_index()
    summed["pct_missing"] = np.where(summed.n_applicable > 0, 100.0 * summed._lost / summed.n_applicable.where(
        summed.n_applicable > 0, 1), np.nan)
    summed = summed[list(first.items.columns)].astype(first.items.dtypes.to_dict())
    orgs = pd.concat([r.organisations for r in reports], ignore_index=True)
    orgs = orgs.groupby("organisation", sort=True)[["n", "n_flagged", "n_usable"]].sum().reset_index()
    empty = [{"row": int(r), "respondent_id": None, "reason": "empty row (dropped)"} for r in empty_rows]
    excluded = records_frame([r.excluded for r in reports], empty, first.excluded.columns)
    invalid = records_frame([r.invalid_values for r in reports], [], first.invalid_values.columns)
    # 'all N respondents are flagged' holds for a part, not necessarily for the whole input
    problems = [p for p in dict.fromkeys(p for r in reports for p in r.problems) if not all_flagged(p)]
    if sums["n_usable"] == 0 and any(all_flagged(p) for r in reports for p in r.problems):
        problems.append(f"all {sums['n_respondents']} respondents are flagged; see the excluded rows")
    problems = tuple(problems)
    return replace(
        first, file=file, **sums,
        flag_counts={name: sum(r.flag_counts[name] for r in reports) for name in FLAG_COLUMNS},
        items=summed, organisations=orgs, excluded=excluded, invalid_values=invalid,
        warnings=tuple(dict.fromkeys(w for r in reports for w in r.warnings)), ok=not problems, problems=problems,
    )


def all_flagged(problem: str) -> bool:
    return problem.startswith("all ") and problem.endswith("respondents are flagged; see the excluded rows")


def records_frame(frames: list[pd.DataFrame], extra: list[dict], columns) -> pd.DataFrame:
    """Rows of several parts' tables as one, sorted by row, typed as the one-file reader types them."""
    records = [rec for f in frames for rec in f.to_dict("records")] + extra
    for rec in records:          # a part's missing id (None) may come back as NaN: the one read has None
        rec.update({k: None for k, v in rec.items() if isinstance(v, float) and np.isnan(v) and k != "row"})
    out = pd.DataFrame(records, columns=list(columns)).sort_values("row", kind="stable").reset_index(drop=True)
    return out.astype({"row": int}) if len(out) else out
