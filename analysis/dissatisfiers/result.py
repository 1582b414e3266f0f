"""The result of :func:`analysis.dissatisfiers.analyse.analyse_dissatisfiers`."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.serialize import jsonable

COLUMNS = ["group", "driver", "n", "low_cut", "high_cut", "low_share", "high_share", "penalty", "reward",
           "penalty_per_point", "reward_per_point", "asymmetry", "class", "share_basic", "share_performance",
           "share_excitement", "diff_low", "diff_high", "n_resamples"]


@dataclass(frozen=True, eq=False)
class DissatisfierAnalysis:
    """Penalty-reward contrast per group and driver.

    Attributes
    ----------
    table : DataFrame
        One row per group and driver: ``group``, ``driver``, ``n`` (usable
        respondents of the group), ``low_cut`` / ``high_cut`` (the score at or below /
        at or above which a respondent counts as low / high: the group's 25th and 75th
        percentiles), ``low_share`` / ``high_share`` (share of respondents coded so),
        ``penalty`` (``|b_low|``), ``reward`` (``b_high``), both in satisfaction points
        against the middle half, ``penalty_per_point`` / ``reward_per_point`` (the same
        per point of driver score between the groups' means: what is classified),
        ``asymmetry`` (impact asymmetry of the per-point values, -1..1, negative =
        penalty larger), ``class`` ('basic',
        'performance', 'excitement' or 'undetermined'), ``share_basic``,
        ``share_performance``, ``share_excitement`` (share of the bootstrap resamples in
        each class), ``diff_low`` / ``diff_high`` (percentile interval of ``penalty_per_point -
        reward_per_point`` at ``settings['level']``) and ``n_resamples`` (resamples with a defined
        contrast).
    settings : dict
        The options of the call.
    notes : tuple of str
        Groups left out or analysed on fewer drivers, and why.
    """

    table: pd.DataFrame
    settings: dict
    notes: tuple[str, ...] = field(default=())

    def basic_factors(self) -> pd.DataFrame:
        """The rows classified 'basic' (the dissatisfiers)."""
        return self.table[self.table["class"] == "basic"].reset_index(drop=True)

    def summary(self) -> Summary:
        """Each group's drivers with class, penalty, reward and the bootstrap's support."""
        level = round(100 * self.settings.get("level", 0.95))
        tables = []
        for group, part in self.table.groupby("group", sort=False):
            frame = part[["driver", "class", "penalty_per_point", "reward_per_point", "diff_low", "diff_high",
                          "share_basic", "share_performance", "share_excitement"]].rename(
                columns={"diff_low": f"p-r {level}% low", "diff_high": f"p-r {level}% high"})
            tables.append(SummaryTable(f"{group} (n = {int(part['n'].iloc[0])})", frame.reset_index(drop=True)))
        notes = ("basic = penalty of low performance clearly larger than the reward of high performance "
                 "(per point of driver score; impact asymmetry below -0.2, interval above 0); excitement = the "
                 "reverse; performance = about symmetric",
                 "shares: bootstrap resamples within the group in each class", *self.notes)
        tables.append(SummaryTable("", None, notes=notes))
        return Summary("Penalty-reward contrast analysis (Brandt 1987; Matzler et al. 2004)", tuple(tables))

    def to_dict(self) -> dict:
        """JSON-ready: settings, notes and the table as records."""
        return jsonable({"settings": dict(self.settings), "notes": list(self.notes),
                          "table": self.table.to_dict(orient="records")})
