"""Voice of the customer: a reproducible sample of open answers per NPS group, masked.

For each group the answers of promoters (9-10), passives (7-8) and detractors (0-6)
(Reichheld 2003; the cut-offs of :mod:`analysis.drivers.kpis`) are sampled with a seed derived
from the analysis seed and the group's name, so the same data and seed give the same
quotes.

Never quoted: respondents the analysis excluded as flagged (unreliable answers),
without a group, or in a group too small for the importance analysis (reason
``small_group``, :data:`NOT_QUOTED`); respondents of groups withheld for having fewer
usable respondents than the minimum (``withheld``; :func:`analysis.report.build_reports`
leaves them out of the data before this runs). A quote from a channel withheld in its
group (``hidden_channels``) is shown without its channel. Every quote passes through
:func:`analysis.report.privacy.mask_personal_data` first; the renderers show it as
text (escaped), never as markup.
"""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from analysis.common.groups import ALL
from analysis.drivers.kpis import NPS_DETRACTOR, NPS_PROMOTER
from analysis.report.blocks import Quote, QuoteGroup, Voice
from analysis.report.i18n import Texts
from analysis.report.privacy import mask_personal_data

NPS_GROUPS = ("promoters", "passives", "detractors")
MAX_QUOTE_CHARS = 400
NOT_QUOTED = ("flagged", "no_group", "small_group")


def nps_group(score) -> str | None:
    """'promoters', 'passives' or 'detractors' for an NPS answer (None when missing)."""
    if score is None or pd.isna(score):
        return None
    return "promoters" if score >= NPS_PROMOTER else "detractors" if score <= NPS_DETRACTOR else "passives"


def open_question(inst) -> str | None:
    """The id of the open 'why' question, if the questionnaire has one."""
    return next((q.id for q in inst.questions if q.type == "open"), None)


def sample_voice(data: pd.DataFrame, analysis, inst, *, group: str, lang: str, per_group: int = 4,
                 withheld=(), extra_names=(), hidden_channels=()) -> Voice | None:
    """Sample masked open answers of one group (``'all'``: the whole study) per NPS group.

    Parameters
    ----------
    data : DataFrame
        The responses the analysis was run on.
    analysis : DriverAnalysis
        Its ``settings.by``, ``settings.seed`` and ``excluded`` decide who may be quoted.
    inst : Instrument
    group : str
        A group label, or ``'all'``.
    lang : {'nl', 'en'}
    per_group : int
        Quotes per NPS group at most.
    withheld : iterable of str
        Groups withheld for having fewer usable respondents than the minimum: never quoted.
    extra_names : iterable of str
        Names to mask besides the shipped list (the agents' names).
    hidden_channels : iterable of str
        Channels withheld in this group (too small, or withheld so that those cannot be
        worked out): their quotes do not say the channel.

    Returns
    -------
    Voice or None
        None when the data has no open question or NPS column.
    """
    t = Texts(lang)
    why = open_question(inst)
    question = inst.question_for("nps")
    if why is None or question is None or why not in data.columns or question.id not in data.columns:
        return None
    by = analysis.settings.by
    excluded = analysis.excluded
    skip = set(excluded.respondent_id[excluded.code.astype(str).isin(NOT_QUOTED)])
    keep = ~data.respondent_id.isin(skip).to_numpy()
    if by is not None and group != ALL:
        keep &= (data[by].astype("string") == group).fillna(False).to_numpy()
    elif by is not None:
        keep &= ~data[by].astype("string").isin(list(withheld)).fillna(False).to_numpy()
    text = data[why].astype("string").str.strip()
    keep &= (text.fillna("") != "").to_numpy()
    rows = data.loc[keep]
    groups = rows[question.id].map(nps_group)
    hidden = set(hidden_channels)
    channels = ({c.key: c.label[lang] for c in inst.variable("channel").choices or () if c.key not in hidden}
                if "channel" in rows else {})
    out = []
    for k, name in enumerate(NPS_GROUPS):
        part = rows[(groups == name).to_numpy()]
        rng = np.random.default_rng(np.random.SeedSequence(analysis.settings.seed,
                                                           spawn_key=(zlib.crc32(str(group).encode()), k)))
        chosen = np.sort(rng.choice(len(part), size=min(per_group, len(part)), replace=False)) if len(part) else []
        quotes = []
        for i in chosen:
            r = part.iloc[int(i)]
            masked = mask_personal_data(str(r[why]).strip(), lang, extra_names)
            if len(masked) > MAX_QUOTE_CHARS:
                masked = masked[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
            channel = channels.get(str(r["channel"]), "") if channels and not pd.isna(r["channel"]) else ""
            meta = " · ".join(filter(None, [f"NPS {int(r[question.id])}", channel]))
            quotes.append(Quote(text=masked, meta=meta, respondent=str(r["respondent_id"])))
        out.append(QuoteGroup(key=name, title=t("voice." + name),
                              description=t("voice.count", shown=len(quotes), n=t.count(len(part))),
                              quotes=tuple(quotes)))
    return Voice(groups=tuple(out), note=t("voice.note"))
