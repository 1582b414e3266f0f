"""The result of :func:`analysis.themes.analyse.analyse_themes`."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.common.display import Summary, SummaryTable
from analysis.common.groups import ALL


@dataclass(frozen=True, eq=False)
class ThemeAnalysis:
    """Themes of the open answers per group, quadrant and NPS group.

    Attributes
    ----------
    coded : DataFrame
        One row per coded answer: ``respondent_id``, ``language``, ``polarity``,
        ``n_themes``, one column per theme (its polarity, or missing), ``group``, ``nps_group``.
    frequency : DataFrame
        Per ``group`` (each group, then ``'all'``) and ``theme``: ``driver`` (one of the
        seven), ``n_answers``, ``n`` (answers mentioning it), ``share``, ``n_complaint``,
        ``n_praise``, ``complaint_share`` (of the mentions).
    by_score : DataFrame
        The same per ``group`` and ``nps_group`` (promoters 9-10, passives 7-8,
        detractors 0-6): which themes go with detractors.
    by_quadrant : DataFrame
        Per ``group`` and priority-matrix ``quadrant``: its ``drivers``, the answers
        mentioning any of them (``n``, ``share``) and complaining (``n_complaint``,
        ``complaint_share`` of the mentions). Empty without a driver analysis.
    quotes : DataFrame
        Representative answers per group and priority driver (``priority`` 1-3):
        ``respondent_id``, ``polarity``, ``nps_group``, ``text`` **unmasked**: the
        report masks them (:func:`analysis.report.privacy.mask_personal_data`).
    other_themes : DataFrame
        Topics of the answers with no lexicon theme (:func:`analysis.themes.topics.discover_topics`).
    excluded : DataFrame
        ``respondent_id``, ``group``, ``reason``: flagged, without a group, or without an open answer.
    """
    coded: pd.DataFrame = field(repr=False)
    frequency: pd.DataFrame = field(repr=False)
    by_score: pd.DataFrame = field(repr=False)
    by_quadrant: pd.DataFrame = field(repr=False)
    quotes: pd.DataFrame = field(repr=False)
    other_themes: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    by: str | None = None
    language: str = "auto"
    seed: int = 0

    def table(self, group: str = ALL) -> pd.DataFrame:
        """Theme frequencies of one group, most mentioned first."""
        part = self.frequency[self.frequency.group == group]
        return part.sort_values(["n", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)

    def detractor_themes(self, group: str = ALL) -> pd.DataFrame:
        """Theme shares among detractors and promoters of one group, and their difference (points)."""
        s = self.by_score
        if s.empty:
            return pd.DataFrame(columns=["theme", "detractors", "promoters", "difference"])
        part = s[s.group == group].pivot(index="theme", columns="nps_group", values="share")
        out = pd.DataFrame({"detractors": part.get("detractors"), "promoters": part.get("promoters")})
        out["difference"] = 100 * (out["detractors"] - out["promoters"])
        return out.sort_values("difference", ascending=False).reset_index()

    def to_dict(self) -> dict:
        """Plain data (JSON-ready): settings and every table as records (quotes left out: unmasked)."""
        def records(df):
            return df.astype(object).where(df.notna(), None).to_dict("records")
        return {"settings": {"by": self.by, "language": self.language, "seed": self.seed},
                "n_coded": len(self.coded), "frequency": records(self.frequency), "by_score": records(self.by_score),
                "by_quadrant": records(self.by_quadrant), "other_themes": records(self.other_themes),
                "excluded": records(self.excluded)}

    def summary(self) -> Summary:
        """The study's theme frequencies, detractor themes and other themes, as text or HTML."""
        freq = self.table(ALL)
        tables = [SummaryTable("Themes in the open answers (all groups)",
                               freq[freq.n > 0][["theme", "driver", "n", "share", "complaint_share"]])]
        det = self.detractor_themes(ALL)
        if len(det):
            tables.append(SummaryTable("Share of answers mentioning a theme: detractors vs promoters "
                                       "(difference in points)", det))
        if len(self.by_quadrant):
            tables.append(SummaryTable("Driver themes per priority quadrant (all groups)",
                                       self.by_quadrant[self.by_quadrant.group == ALL].drop(columns="group")))
        if len(self.other_themes):
            tables.append(SummaryTable("Other themes: topics of the answers without a lexicon theme",
                                       self.other_themes.drop(columns="terms")))
        heading = (f"Themes of {len(self.coded)} open answers (language: {self.language}"
                   f"{', by ' + self.by if self.by else ''}); {len(self.excluded)} respondents left out (.excluded)")
        return Summary(heading=heading, tables=tuple(tables))

    def __repr__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()
