"""Each group on the drivers that apply to it (e.g. ``by='channel'`` with phone-only drivers).

A questionnaire can have drivers whose items apply to some respondents only: the
shipped one asks wait time and the phone menu on the phone only. Grouped by
organisation every group has phone respondents, so every group is analysed on every
driver. Grouped by channel, the chat and e-mail groups have no answer to those items
at all: no respondent of theirs could ever enter a regression on all drivers. With the
default drivers (``drivers=None``), :func:`analysis.drivers.analyse.analyse_drivers`
therefore analyses each group on the drivers that apply to it: a driver none of whose
items was answered by anyone in the group (all 'not applicable' or blank) is left out
for that group.

How the pieces fit together:

* the **base** analysis runs on every group with the drivers that apply to all groups
  (the *common* drivers); its whole sample ``'all'``, its KPIs and its comparisons
  between groups analysed on the common drivers are kept;
* each other **driver set** (e.g. all seven drivers for the phone group) is analysed
  on its own groups; their rows replace the base rows of those groups;
* group differences are kept only between groups analysed on the same drivers (an LMG
  share of R² over five drivers is not comparable with one over seven); the base's
  'versus the rest' compares a group with every other respondent on the common drivers.

Organisations without phone respondents among organisations with them
(:func:`groups_with_every_driver`) are the one case where the groups are still alike:
the other driver set is then analysed on *every* respondent, the organisations without
phone respondents lending theirs (``analyse_drivers(borrow_from=...)``) to the common
block's pooling, to each organisation's rest of the sample and to the whole sample
``'all'``, which is taken from that analysis (all drivers), with its pooling and its
respondents per channel (:func:`analyse_per_driver_set` states the pooling rule).

The result says so in its warnings (a study-wide note and one note per group whose
drivers were reduced) and in ``settings.group_drivers``.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.common.groups import ALL
from analysis.drivers.sample import not_asked
from analysis.pooling import MIN_GROUPS
from instrument import Instrument
from instrument.reader.integrity import absent_reason

# The result tables with a 'group' column whose rows come from the analysis of the group's driver set.
_GROUP_TABLES = ("importance", "groups", "regression", "dominance", "conditional_dominance", "sem", "sem_fit",
                 "excluded", "exclusion_counts", "used")


def applicable_drivers(data: pd.DataFrame, inst: Instrument, by: str, drivers: list[str]) -> dict[str, tuple]:
    """Group label -> the drivers (in ``drivers`` order) with at least one answered item in the group.

    Respondents without a group are ignored. Items without a column count as
    unanswered.
    """
    group = data[by].astype("string")
    answered = {}
    for d in drivers:
        items = [i for i in inst.construct(d).item_ids if i in data.columns]
        answered[d] = (data[items].notna().any(axis=1) if items else pd.Series(False, index=data.index))
    frame = pd.DataFrame(answered).assign(_group=group.to_numpy()).dropna(subset=["_group"])
    anywhere = frame.groupby("_group", sort=True)[drivers].any()
    return {str(g): tuple(d for d in drivers if row[d]) for g, row in anywhere.iterrows()}


def driver_sets(sets: dict[str, tuple], drivers: list[str]) -> tuple[tuple, dict[tuple, list[str]]]:
    """(the common drivers, {driver set: its groups} for the sets other than the common one)."""
    common = tuple(d for d in drivers if all(d in s for s in sets.values()))
    others: dict[tuple, list[str]] = {}
    for g, s in sets.items():
        if s != common:
            others.setdefault(s, []).append(g)
    return common, others


def groups_with_every_driver(data: pd.DataFrame, inst: Instrument, by: str, sets: dict[str, tuple],
                             drivers: list[str]) -> list[str] | None:
    """The groups asked every driver, when the others lack only drivers not asked in their channel; else None.

    That is the case of an organisation without phone respondents (e.g. a web shop
    served by chat and e-mail) among organisations with them: the drivers asked in every
    channel are the same questions everywhere, so partial pooling still applies, on the
    common drivers across all groups and on the phone-only drivers across the groups
    asked them (:func:`analyse_per_driver_set`). At least two groups
    must be asked every driver, so that each has a rest of the sample with phone
    respondents to be compared with. Groups that are channels (``by='channel'``: one
    phone group) or that lack a driver for another reason give None.
    """
    common, others = driver_sets(sets, drivers)
    full = others.get(tuple(drivers), [])
    if list(others) != [tuple(drivers)] or len(full) < 2:
        return None
    group = data[by].astype("string")
    rows = (group.notna() & ~group.isin(full)).fillna(False).to_numpy()
    missing = [d for d in drivers if d not in common]
    return full if rows.any() and bool(not_asked(data[rows], inst, missing).all()) else None


def analyse_without_absent(analyse_drivers, data, inst, absent: dict, *, drivers, **options):
    """Analyse the drivers whose items the data have, and say which were left out and why.

    ``absent`` maps a driver to the ids of its items with no column in the file
    (:func:`instrument.reader.integrity.absent_item_columns`); each gets an
    ``absent_items`` warning (:func:`~instrument.reader.integrity.absent_reason`). The
    same for rows in one frame and rows kept on workers (:mod:`analysis.drivers.kept`).
    """
    result = analyse_drivers(data, inst, drivers=[d for d in drivers if d not in absent], **options)
    notes = pd.DataFrame([{"group": None, "kind": "absent_items", "severity": "warning",
                           "message": absent_reason(k, ids)} for k, ids in absent.items()])
    return dataclasses.replace(result, warnings=pd.concat([notes, result.warnings], ignore_index=True))


def analyse_per_driver_set(analyse_drivers, data, inst, *, by, drivers, pooling, **options):
    """Each group on the drivers that apply to it, with ``analyse_drivers``; None when all share them.

    Groups that only lack the drivers not asked in their channel (organisations without
    phone respondents, :func:`groups_with_every_driver`) are
    members of one population answering the same questions, on the drivers they are
    asked. The rule (``pooling='partial'``), by the factors of
    :mod:`analysis.pooling.shrinkage`: with at least three groups the drivers asked in
    every channel and the outcome's relation to them are pooled across all groups (a
    group with phone respondents borrows from those without, too); the phone-only
    drivers are pooled across the groups with phone respondents when there are at least
    three, else each of those groups has them from its own phone respondents. A group
    without phone respondents is reported on the common drivers, every other group and
    the whole sample ``'all'`` (every respondent) on all drivers.

    Groups asked different drivers for another reason (``by='channel'``: one phone
    group) are not exchangeable, so nothing is pooled (Gelman & Hill 2007, sec. 12.5,
    21.4; said in the warnings and ``pooling.reason``).
    """
    sets = applicable_drivers(data, inst, by, drivers)
    common, others = driver_sets(sets, drivers)
    if not others or not common:
        return None
    if options["seed"] is None:     # one seed for every part, reported in settings.seed
        options["seed"] = int(np.random.SeedSequence().entropy)
    full = groups_with_every_driver(data, inst, by, sets, drivers)
    labels = {d: inst.construct(d).label.get("en", d) for d in drivers}
    if full is not None:
        rest = [g for g in sets if g not in full]
        base = analyse_drivers(data, inst, by=by, drivers=list(common), pooling=pooling, **options)
        whole = analyse_drivers(data, inst, by=by, drivers=list(drivers), pooling=pooling, borrow_from=rest,
                                **options)
        merged = merge_analyses(base, [whole], sets, drivers, by, labels, whole=True)
        if merged.settings.pooling_used != "partial":
            return merged
        note = _per_driver_set_notes(by, common, drivers, full, rest, labels)
        return dataclasses.replace(merged, warnings=pd.concat([merged.warnings, note], ignore_index=True))
    base = analyse_drivers(data, inst, by=by, drivers=list(common), pooling="none", **options)
    group = data[by].astype("string")
    subs = [analyse_drivers(data[group.isin(groups).fillna(False).to_numpy()], inst, by=by, drivers=list(s),
                            pooling="none", **options) for s, groups in others.items()]
    merged = merge_analyses(base, subs, sets, drivers, by, labels)
    if pooling == "none":
        return merged
    split = "; ".join(f"{', '.join(map(str, groups))}: {len(s)} drivers" for s, groups in others.items())
    reason = (f"no pooling: the groups of '{by}' are asked different drivers ({split}; the others "
              f"{len(common)}), so they are not alike enough to borrow from one another; each group is "
              "estimated from its own respondents on its own drivers")
    note = pd.DataFrame([{"group": None, "kind": "no_pooling", "severity": "info", "message": reason}])
    return dataclasses.replace(merged, settings=dataclasses.replace(merged.settings, pooling=pooling),
                               warnings=pd.concat([merged.warnings, note], ignore_index=True))


def _per_driver_set_notes(by, common, drivers, full, rest, labels) -> pd.DataFrame:
    """The study's note and each group's on what was pooled across which groups (``pooling_per_driver_set``)."""
    n = len(full) + len(rest)
    phone = [labels[d] for d in drivers if d not in common]
    pooled_phone = len(full) >= MIN_GROUPS
    text = (f"partial pooling per driver set: the {len(common)} drivers asked in every channel (and the outcome's "
            f"relation to them) are pooled across all {n} groups of '{by}'; "
            + (f"{', '.join(phone)} across the {len(full)} groups with phone respondents ({', '.join(map(str, full))})"
               if pooled_phone else
               f"{', '.join(phone)} are estimated from each group's own phone respondents ({', '.join(map(str, full))}: "
               f"fewer than {MIN_GROUPS} groups have phone respondents, too few to pool)")
            + f"; {', '.join(map(str, rest))} (no respondent asked {', '.join(phone)}) is estimated on the "
            f"{len(common)} drivers")
    rows = [{"group": None, "kind": "pooling_per_driver_set", "severity": "info", "message": text}]
    own = "pooled across the groups with phone respondents" if pooled_phone else "from its own phone respondents only"
    rows += [{"group": g, "kind": "pooling_per_driver_set", "severity": "info",
              "message": f"the {len(common)} drivers asked in every channel pooled across all {n} groups; "
                         f"{', '.join(phone)} {own}"} for g in full]
    rows += [{"group": g, "kind": "pooling_per_driver_set", "severity": "info",
              "message": f"no phone respondents: the {len(common)} drivers asked in every channel, pooled across all "
                         f"{n} groups"} for g in rest]
    return pd.DataFrame(rows)


def merge_analyses(base, subs: list, sets: dict[str, tuple], drivers: list[str], by: str, labels: dict,
                   whole: bool = False):
    """One :class:`~analysis.drivers.result.DriverAnalysis` from the base and the per-driver-set analyses.

    ``subs`` are the analyses of the groups whose drivers differ from the common ones;
    ``labels`` maps driver keys to their English labels (for the notes). ``whole``: the
    one sub is on every driver and used every respondent (the others lent theirs,
    ``analyse_drivers(borrow_from=...)``), so its whole sample ``'all'``, its pooling and
    its respondents per channel are the study's.
    """
    groups = {g for sub in subs for g in sub.group_names if g != ALL}
    replaced = groups | {ALL} if whole else groups
    order = {g: k for k, g in enumerate(base.group_names)}
    fields = {}
    for name in _GROUP_TABLES:
        table = getattr(base, name)
        if table is None:
            fields[name] = None
            continue
        parts = [table[~table.group.isin(replaced)]]
        parts += [t[t.group.isin(replaced)] for t in (getattr(sub, name) for sub in subs) if t is not None]
        merged = pd.concat([p for p in parts if len(p)] or [table.iloc[:0]], ignore_index=True)
        rank = merged.group.map(order).fillna(len(order))
        fields[name] = merged.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
    fields["differences"] = _differences(base, subs, groups)
    fields["warnings"] = _warnings(base, subs, replaced, sets, drivers, by, labels)
    for name in ("regressions", "importances", "dominances"):
        merged = dict(getattr(base, name))
        for sub in subs:
            merged.update({g: v for g, v in getattr(sub, name).items() if g in replaced})
        fields[name] = merged
    if base.structural is not None:
        parts = {}
        for k in ("paths", "fit", "problems"):
            frames = [getattr(base.structural, k)]
            frames = [frames[0][~frames[0].group.isin(replaced)]]
            frames += [getattr(s.structural, k)[getattr(s.structural, k).group.isin(replaced)]
                       for s in subs if s.structural is not None]
            parts[k] = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
        models = dict(base.structural.models)
        for sub in subs:
            if sub.structural is not None:
                models.update({g: m for g, m in sub.structural.models.items() if g in replaced})
        fields["structural"] = dataclasses.replace(base.structural, models=models, **parts)
    labels_all = dict(base.driver_labels)
    for sub in subs:
        labels_all.update(sub.driver_labels)
    fields["driver_labels"] = {d: labels_all[d] for d in drivers if d in labels_all}
    group_drivers = [(g, tuple(s)) for g, s in sets.items()] + ([(ALL, tuple(drivers))] if whole else [])
    settings = dataclasses.replace(base.settings, drivers=tuple(drivers), group_drivers=tuple(sorted(group_drivers)))
    fields["n_used"] = len(fields["used"])
    if whole:
        sub = subs[0]
        fields["pooling"], fields["respondents"] = sub.pooling, sub.respondents
        fields["bootstrap_all"] = sub.bootstrap_all
        # a group without phone respondents: no figure rests on phone respondents, and
        # there is no phone-only weight (its respondents per channel say n_phone_only 0)
        g = fields["groups"]
        without = ~g.group.isin(replaced)
        fields["groups"] = g.assign(n_complete=g.n_complete.where(~without, 0),
                                    pooling_weight_phone_only=g.pooling_weight_phone_only.where(~without))
    else:
        # each driver set is estimated on its own groups: no one pooling estimate spans them; the
        # respondents per channel of each group from its analysis (none with the drivers a group is not asked)
        fields["pooling"] = None
        parts = [base.respondents[~base.respondents.group.isin(groups)].assign(n_phone_only=0)]
        parts += [s.respondents[s.respondents.group.isin(groups)] for s in subs]
        fields["respondents"] = pd.concat(parts, ignore_index=True).sort_values(["group", "channel"],
                                                                                ignore_index=True)
    fields["timings"] = {k: base.timings.get(k, 0.0) + sum(s.timings.get(k, 0.0) for s in subs)
                         for k in base.timings}
    return dataclasses.replace(base, settings=settings, **fields)


def _differences(base, subs, replaced: set) -> pd.DataFrame:
    """Differences between groups analysed on the same drivers only."""
    d = base.differences
    parts = [d[~d.group.isin(replaced) & ~d.versus.isin(replaced)]] if len(d) else []
    for sub in subs:
        if len(sub.differences):
            parts.append(sub.differences[sub.differences.group != ALL])
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else d.iloc[:0]


def _warnings(base, subs, replaced: set, sets: dict, drivers: list[str], by: str, labels: dict) -> pd.DataFrame:
    """The base's warnings (less those about replaced groups), the subs' about their groups, and what was done."""
    w = base.warnings
    parts = [w[~w.group.isin(replaced)]]
    parts += [s.warnings[s.warnings.group.isin(replaced)] for s in subs]
    common = [d for d in drivers if all(d in s for s in sets.values())]
    name = lambda keys: ", ".join(labels.get(k, k) for k in keys)          # noqa: E731
    reduced = {g: [d for d in drivers if d not in s] for g, s in sets.items() if len(s) < len(drivers)}
    by_missing: dict[tuple, list[str]] = {}
    for g, m in reduced.items():
        by_missing.setdefault(tuple(m), []).append(f"'{g}'")
    shown = "; ".join(f"{', '.join(gs)} without {name(m)}" for m, gs in by_missing.items())
    notes = [{"group": None, "kind": "drivers_per_group", "severity": "note",
              "message": f"each group of '{by}' is analysed on the drivers that apply to it ({shown}): no "
                         "respondent of the group answered any item of the driver(s) left out (not applicable or "
                         f"blank). The whole sample and the comparisons between groups use the drivers that apply "
                         f"to every group ({name(common)}); groups with different drivers are not compared"}]
    notes += [{"group": g, "kind": "drivers_left_out", "severity": "note",
               "message": f"analysed on {len(sets[g])} drivers, without {name(m)}: no respondent of this group "
                          "answered any of their items (not applicable or blank)"} for g, m in reduced.items()]
    return pd.concat([*[p for p in parts if len(p)], pd.DataFrame(notes)], ignore_index=True)
