"""Respondent-level data-quality flags: straightlining, too many missing answers, speeding.

Flagged respondents are kept in the data (a boolean column per flag); the analyses
exclude them by default and list them. The rules, all on the driver battery (the 28
items of the seven driver constructs, not the satisfaction items or KPIs):

*Applicable items.* An item applies to a respondent unless it is limited to some
channels (the wait-time and phone-menu items: phone only) and the respondent's
channel is known and not one of them. Items the file has no column for are not
counted (they were not asked).

``flag_straightlining``
    All substantive answers (codes 1-7; 'not applicable' and blanks are not answers)
    to the applicable driver items are the same code, and at least 75% of the
    applicable items have a substantive answer (so that two identical answers out of
    twenty are not called straightlining). Raw answers are compared, before
    reverse-keyed items are recoded: a straight-liner ticks the same box throughout.
    Non-differentiation as an indicator of satisficing goes back to Herzog & Bachman
    (1981); Kim et al. (2019) compare straightlining indicators, of which this
    (identical answers in a battery) is the simplest and strictest.
``flag_too_many_missing``
    Fewer than half of the applicable driver items are answered, where a 'not
    applicable / don't know' answer counts as answered (the respondent gave an answer,
    and N/A is a legitimate one); blanks and invalid values read as missing do not.
    Half is the same share the construct scores require (:mod:`analysis.scoring.scores`).
``flag_speeding``
    The completion time ``duration_sec`` is below 40% of the median completion time of
    all respondents with a duration. Respondents without a duration are not flagged;
    when no respondent has one, nobody is. Greszki, Meyer & Schoen (2015) define
    speeders relative to the median completion time and show that removing them
    changes substantive results little but improves data quality.

References
----------
Herzog, A. R., & Bachman, J. G. (1981). Effects of questionnaire length on response
    quality. *Public Opinion Quarterly*, 45(4), 549-559.
Kim, Y., Dykema, J., Stevenson, J., Black, P., & Moberg, D. P. (2019). Straightlining:
    overview of measurement, comparison of indicators, and effects in mail-web
    mixed-mode surveys. *Social Science Computer Review*, 37(2), 214-233.
Greszki, R., Meyer, M., & Schoen, H. (2015). Exploring the effects of removing "too
    fast" responses and respondents from web surveys. *Public Opinion Quarterly*,
    79(2), 471-503.

Examples
--------
>>> import numpy as np, pandas as pd
>>> answers = pd.DataFrame({"a": [4.0, 4.0, 5.0], "b": [4.0, np.nan, 2.0], "c": [4.0, np.nan, 3.0]})
>>> na = pd.DataFrame(False, index=answers.index, columns=answers.columns)
>>> applicable = pd.DataFrame(True, index=answers.index, columns=answers.columns)
>>> flags, reasons = respondent_flags(answers, na, applicable, pd.Series([300.0, 310.0, 90.0]))
>>> flags.to_dict("list")
{'flag_straightlining': [True, False, False], 'flag_too_many_missing': [False, True, False], 'flag_speeding': [False, False, True]}
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from instrument.definition import Instrument

STRAIGHTLINING_MIN_SHARE = 0.75
MIN_ANSWERED_SHARE = 0.5
SPEEDING_SHARE_OF_MEDIAN = 0.4
FLAG_COLUMNS = ("flag_straightlining", "flag_too_many_missing", "flag_speeding")


def driver_item_ids(inst: Instrument) -> list[str]:
    """The items of the driver constructs, in codebook order."""
    return [i.id for c in inst.drivers for i in c.items]


def channel_applicable(channel: pd.Series | None, inst: Instrument, item_ids: list[str]) -> pd.DataFrame:
    """Whether each item applies to each respondent, given the respondent's channel.

    Parameters
    ----------
    channel : Series of channel keys (NaN when unknown), or None
    inst : Instrument
    item_ids : list of str

    Returns
    -------
    DataFrame of bool, one column per item. An item limited to some channels applies
    when the channel is one of them or unknown; other items always apply.
    """
    n = len(channel) if channel is not None else 0
    out, by_channels = {}, {}
    # each distinct channel once (codes, not a million objects per item), each set of channels once
    codes, keys = pd.factorize(channel, use_na_sentinel=True) if channel is not None else (None, None)
    for item_id in item_ids:
        channels = inst.variable(item_id).channels
        if not channels or channel is None:
            out[item_id] = np.ones(n, dtype=bool)
            continue
        if tuple(channels) not in by_channels:
            allowed = np.array([key in channels for key in keys] + [True])   # the last: unknown channel (code -1)
            by_channels[tuple(channels)] = allowed[codes]
        out[item_id] = by_channels[tuple(channels)].copy()
    return pd.DataFrame(out, index=channel.index if channel is not None else None)


def speeding_reason(seconds: float, median: float) -> str:
    """Why a respondent is flagged as a speeder (one part of the reason of :func:`respondent_flags`)."""
    return f"speeding: {seconds:g} s, below {SPEEDING_SHARE_OF_MEDIAN:.0%} of the median {median:g} s"


def respondent_flags(
    answers: pd.DataFrame,
    not_applicable: pd.DataFrame,
    applicable: pd.DataFrame,
    duration: pd.Series | None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Compute the three flags (see the module docstring for the rules).

    Parameters
    ----------
    answers : DataFrame
        Substantive answers to the driver items present in the file (NaN otherwise).
    not_applicable : DataFrame of bool
        Where the answer was 'not applicable / don't know'.
    applicable : DataFrame of bool
        Where the item applies to the respondent (:func:`channel_applicable`).
    duration : Series or None
        Completion time in seconds (NaN when unknown).

    Returns
    -------
    flags : DataFrame
        Boolean columns ``flag_straightlining``, ``flag_too_many_missing``, ``flag_speeding``.
    reasons : Series of str
        Per respondent, why they are flagged ('' when not flagged).
    """
    n_applicable, n_substantive, n_answered, highest, lowest = _row_counts(answers, not_applicable, applicable)
    # one distinct substantive answer (nunique == 1), without a per-row nunique
    one_distinct = (n_substantive > 0) & (highest == lowest)

    straight = (n_applicable > 0) & (n_substantive >= 2) & one_distinct & (
        n_substantive >= STRAIGHTLINING_MIN_SHARE * n_applicable
    )
    too_many_missing = (n_applicable > 0) & (n_answered < MIN_ANSWERED_SHARE * n_applicable)
    speeding = np.zeros(len(answers), dtype=bool)
    median = np.nan
    if duration is not None and duration.notna().any():
        median = float(duration.median())
        speeding = (duration < SPEEDING_SHARE_OF_MEDIAN * median).fillna(False).to_numpy(dtype=bool)

    reasons = pd.Series("", index=answers.index, dtype=object)
    flagged = straight | too_many_missing | speeding
    if flagged.any():
        # the flagged rows only: a million respondents stay fast
        rows = np.flatnonzero(flagged)
        code = highest[rows]      # all substantive answers are equal
        n_sub, n_ans, n_app = (a[rows] for a in (n_substantive, n_answered, n_applicable))
        is_straight, is_missing, is_speeding = (a[rows] for a in (straight, too_many_missing, speeding))
        seconds = duration.to_numpy()[rows] if duration is not None else np.full(len(rows), np.nan)
        texts = []
        for k in range(len(rows)):
            why = []
            if is_straight[k]:
                why.append(f"straightlining: all {n_sub[k]} answered driver items are {code[k]:g}")
            if is_missing[k]:
                why.append(f"too many missing: {n_ans[k]} of {n_app[k]} applicable driver items answered")
            if is_speeding[k]:
                why.append(speeding_reason(seconds[k], median))
            texts.append("; ".join(why))
        reasons.iloc[rows] = texts
    flags = pd.DataFrame(
        {"flag_straightlining": straight, "flag_too_many_missing": too_many_missing, "flag_speeding": speeding},
        index=answers.index,
    )
    return flags, reasons


def _row_counts(answers: pd.DataFrame, not_applicable: pd.DataFrame, applicable: pd.DataFrame):
    """Per respondent: applicable, substantive and answered items, and the highest and lowest substantive answer.

    The three frames have their columns in the same order. Returns ``(n_applicable,
    n_substantive, n_answered, highest, lowest)``: int64 counts, and float extremes
    (NaN without a substantive answer: ``fmax``/``fmin`` skip NaN).
    """
    n = len(answers)
    # counted in int16 where the items fit (a quarter of int64's memory traffic), returned as int64
    counter = np.int16 if answers.shape[1] < np.iinfo(np.int16).max else np.int64
    n_applicable, n_substantive, n_answered = (np.zeros(n, dtype=counter) for _ in range(3))
    highest, lowest = np.full(n, np.nan), np.full(n, np.nan)
    # Column by column on one-dimensional arrays, accumulated in place: the row-wise sums and
    # fmax/fmin reductions of a million x 28 array (and np.where on two arrays of different memory
    # order) took four times as long. Maximum and minimum are exact, so the extremes are the same.
    for k in range(answers.shape[1]):
        ok = applicable.iloc[:, k].to_numpy(dtype=bool)
        values = answers.iloc[:, k].to_numpy(dtype=float)
        answered = ~np.isnan(values)
        given = answered | not_applicable.iloc[:, k].to_numpy(dtype=bool)
        if ok.all():    # most items apply to everyone: no masking needed
            n_applicable += 1
            n_substantive += answered
            n_answered += given
            substantive = values
        else:
            n_applicable += ok
            n_substantive += answered & ok
            n_answered += given & ok
            substantive = np.where(ok, values, np.nan)
        np.fmax(highest, substantive, out=highest)
        np.fmin(lowest, substantive, out=lowest)
    return (*(a.astype(np.int64) for a in (n_applicable, n_substantive, n_answered)), highest, lowest)
