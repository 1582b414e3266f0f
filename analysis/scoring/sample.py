"""Which respondents an analysis uses, and why the others are not used.

Every analysis entry point (validation, driver analysis, reports) selects its
respondents here, so that the rule is the same everywhere and every excluded
respondent is counted and explained: nobody is dropped silently.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.errors import ColumnOptionError
from instrument.reader.flags import FLAG_COLUMNS

FLAG_REASONS = {
    "flag_straightlining": "flagged: straight-lining across the driver battery",
    "flag_too_many_missing": "flagged: fewer than half of the applicable driver items answered",
    "flag_speeding": "flagged: completed faster than 40% of the median duration",
}
EXCLUDED_COLUMNS = ["respondent_id", "group", "reason"]
# A respondent left out for several reasons has them in one ``reason``, joined by this.
REASON_SEPARATOR = "; "


def no_group_reason(by: str) -> str:
    """The reason given for a respondent without a value in the grouping column ``by``."""
    return f"no value in the grouping column '{by}'"


@dataclass(frozen=True)
class Selection:
    """Respondents kept for an analysis and those left out, with a reason each.

    Attributes
    ----------
    kept : DataFrame
        The rows used (index of the input preserved).
    excluded : DataFrame
        ``respondent_id``, ``group`` (the value of the grouping column, or ``None``),
        ``reason`` (one line, in English).
    n_input : int
        Rows in the input.
    """

    kept: pd.DataFrame
    excluded: pd.DataFrame
    n_input: int

    def reasons(self) -> pd.Series:
        """How many respondents were excluded for each reason."""
        return self.excluded["reason"].value_counts()


def reason_counts(excluded: pd.DataFrame) -> pd.Series:
    """Respondents per single reason (a respondent with two reasons counts under each), most frequent first.

    Examples
    --------
    >>> ex = pd.DataFrame({"reason": ["a; b", "b", "a"]})
    >>> reason_counts(ex).to_dict()
    {'a': 2, 'b': 2}
    """
    single = excluded["reason"].astype(str).str.split(REASON_SEPARATOR, regex=False).explode()
    counts = single.value_counts(sort=False)
    return counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))].rename("n")


def check_group_column(data: pd.DataFrame, by: str | None) -> None:
    """Raise an :class:`OptionError` naming the columns when ``by`` is not a column of the data.

    Every entry point with a ``by`` option checks it here, so the message is the same
    from :func:`~analysis.validation.validate`, :func:`~analysis.drivers.analyse_drivers`,
    the reports and the command line (which adds the flag name).
    """
    check_column_option(data, "by", by)


def check_column_option(data: pd.DataFrame, option: str, column: str | None) -> None:
    """Raise a :class:`~analysis.common.errors.ColumnOptionError` when option ``option``'s ``column`` is not in the data.

    The one check of every option that names a column (``by``, ``agent``, ``wave``): the
    same message from the Python API and, with the flag and the file, from the command line.
    None (the option not given) passes.
    """
    if column is not None and column not in data.columns:
        known = [str(c) for c in data.columns if not str(c).startswith("flag_") and c != "source_row"]
        raise ColumnOptionError(option, column, known)


def select_respondents(
    data: pd.DataFrame,
    *,
    by: str | None = None,
    exclude_flagged: bool = True,
) -> Selection:
    """Drop flagged respondents (straight-liners, speeders, too many missing), with reasons.

    With ``by``, respondents without a value in that column are dropped too (they
    belong to no group), with the reason :func:`no_group_reason`, as in the driver
    analysis (:mod:`analysis.drivers.sample`).

    Parameters
    ----------
    data : DataFrame
        Clean responses from :func:`instrument.read_responses` (flag columns present).
    by : str, optional
        Grouping column, reported beside each excluded respondent.
    exclude_flagged : bool, default True
        When False, flagged respondents are kept (their flags stay in the data).

    Returns
    -------
    Selection

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"respondent_id": ["a", "b"], "flag_straightlining": [True, False],
    ...                    "flag_too_many_missing": [False, False], "flag_speeding": [False, False]})
    >>> sel = select_respondents(df)
    >>> sel.kept["respondent_id"].tolist(), sel.excluded["reason"].tolist()
    (['b'], ['flagged: straight-lining across the driver battery'])
    """
    check_group_column(data, by)
    present = [c for c in FLAG_COLUMNS if c in data.columns] if exclude_flagged else []
    flags = data[present].fillna(False).astype(bool)
    no_group = data[by].isna() if by else pd.Series(False, index=data.index)
    drop = flags.any(axis=1) | no_group
    if not drop.any():
        return Selection(data, pd.DataFrame(columns=EXCLUDED_COLUMNS), len(data))
    reasons = [
        REASON_SEPARATOR.join(([no_group_reason(by)] if lacking else []) + [FLAG_REASONS[c] for c, f in zip(present, row) if f])
        for lacking, row in zip(no_group[drop], flags[drop].itertuples(index=False))]
    excluded = pd.DataFrame(
        {
            "respondent_id": data.loc[drop, "respondent_id"].astype(str).to_numpy(),
            "group": ([None if lacking else str(v) for lacking, v in zip(no_group[drop], data.loc[drop, by])]
                      if by else None),
            "reason": reasons,
        },
        columns=EXCLUDED_COLUMNS,
    )
    return Selection(data.loc[~drop], excluded, len(data))
