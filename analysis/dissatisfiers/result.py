"""The result of :func:`analysis.dissatisfiers.analyse.analyse_dissatisfiers`."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.serialize import jsonable

COLUMNS = ["group", "driver", "n", "n_driver", "low_cut", "high_cut", "low_share", "high_share", "penalty", "reward",
           "penalty_per_point", "reward_per_point", "asymmetry", "class", "share_basic", "share_performance",
           "share_excitement", "diff_low", "diff_high", "n_resamples"]
RESPONDENT_COLUMNS = ["group", "n_input", "n_used", "n_complete"]
# What each code of ``exclusion_counts`` means (the codes of analysis.drivers.sample, and too_few).
EXCLUSION_REASONS = {
    "no_group": "no value in the grouping column",
    "flagged": "flagged as unreliable (straight-liner, speeder or too many missing answers)",
    "no_outcome": "no outcome",
    "missing_score": "a driver score missing although its items applied (fewer than half answered)",
    "not_asked": "only drivers not asked in the respondent's channel missing",
    "small_group": "in a group too small for a regression on the drivers",
    "too_few": "in a group with too few usable respondents for a contrast (the group is left out)",
}


@dataclass(frozen=True, eq=False)
class DissatisfierAnalysis:
    """Penalty-reward contrast per group and driver.

    Attributes
    ----------
    table : DataFrame
        One row per group and driver: ``group``, ``driver``, ``n`` (usable
        respondents of the group), ``n_driver`` (of them those asked the driver: its
        contrast rests on them; the phone respondents for a phone-only driver), ``low_cut`` / ``high_cut`` (the score at or below /
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
    respondents : DataFrame
        One row per group: ``group``, ``n_input`` (respondents of the group),
        ``n_used``, ``n_complete`` (of them asked every driver; 0 for a group left out).
    exclusion_counts : DataFrame
        Respondents not used, ``group`` (None: no group), ``code`` (of
        :data:`EXCLUSION_REASONS`), ``n``; with ``n_used`` they add up to ``n_input``.
    """

    table: pd.DataFrame
    settings: dict
    notes: tuple[str, ...] = field(default=())
    respondents: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESPONDENT_COLUMNS))
    exclusion_counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["group", "code", "n"]))

    def not_used(self, group) -> str:
        """One sentence counting the group's respondents not used, by reason ('' when every one is used)."""
        part = self.exclusion_counts[self.exclusion_counts.group == group]
        if not len(part):
            return ""
        total = int(part.n.sum())
        reasons = "; ".join(f"{int(r.n)} {EXCLUSION_REASONS.get(r.code, r.code)}" for r in part.itertuples())
        return f"{total} not used: {reasons}"

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
            tables.append(SummaryTable(f"{group}: {self.sizes(group)}", frame.reset_index(drop=True)))
        notes = ("basic = penalty of low performance clearly larger than the reward of high performance "
                 "(per point of driver score; impact asymmetry below -0.2, interval above 0); excitement = the "
                 "reverse; performance = about symmetric",
                 "shares: bootstrap resamples within the group in each class", *self.notes,
                 *(f"group '{g}': {self.not_used(g)}" for g in self.respondents.group if self.not_used(g)),
                 *([f"{self.not_used(None)}"] if self.not_used(None) else []))
        tables.append(SummaryTable("", None, notes=notes))
        return Summary("Penalty-reward contrast analysis (Brandt 1987; Matzler et al. 2004)", tuple(tables))

    def sizes(self, group) -> str:
        """'n = 357 of 375 (phone-only drivers: 221)': the respondents the group's contrasts rest on."""
        r = self.respondents.set_index("group").loc[group]
        fewer = self.table[(self.table.group == group) & (self.table.n_driver < r.n_used)]
        phone = f" (phone-only drivers: {int(fewer.n_driver.min())})" if len(fewer) else ""
        return f"n = {int(r.n_used)} of {int(r.n_input)}{phone}"

    def to_dict(self) -> dict:
        """JSON-ready: settings, notes, the respondents per group, the exclusion counts and the table as records.

        ``exclusion_counts`` is ``[{"group", "code", "reason", "n"}]`` (``reason`` the
        sentence of :data:`EXCLUSION_REASONS`).
        """
        counts = self.exclusion_counts.assign(reason=self.exclusion_counts.code.map(EXCLUSION_REASONS))
        return jsonable({"settings": dict(self.settings), "notes": list(self.notes),
                          "respondents": self.respondents.to_dict(orient="records"),
                          "exclusion_counts": counts[["group", "code", "reason", "n"]].to_dict(orient="records"),
                          "table": self.table.to_dict(orient="records")})
