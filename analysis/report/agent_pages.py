"""One page per agent for the team lead (HTML, optionally PDF), in Dutch or English.

A page shows the agent's scores on the drivers about the agent (shrunk toward the team,
with their posterior range, and in plain words on which of them the answers cannot tell the
agent from the team) beside the team's, and the agent's KPIs beside the team's,
from an :class:`~analysis.agents.result.AgentAnalysis`. It is for coaching: no rank, no
comparison with named colleagues, and only agents the analysis shows (withheld agents
get no page). Agent ids appear only here, in these per-agent pages, never in an
organisation-level report. Every text from the data is escaped.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from analysis.common.errors import ServiceDriversError
from analysis.report.i18n import Texts

# The KPIs a page shows, with their text keys (the report's own labels).
KPI_TEXT = {"CSAT %": "kpi.csat_pct", "NPS": "kpi.nps", "CES mean": "kpi.ces_mean", "CES % easy": "kpi.ces_pct_easy",
            "FCR % yes": "kpi.fcr_pct_yes"}
STYLE = """body{font-family:sans-serif;max-width:46em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{padding:.3em .8em;border-bottom:1px solid #ccc;text-align:left}
td.num{text-align:right}p.note{color:#555;font-size:.9em}"""


def _esc(value) -> str:
    return html.escape(str(value))


def _kpi_text(t: Texts, kpi: str, estimate, low=None, high=None) -> str:
    percent = kpi in ("CSAT %", "CES % easy", "FCR % yes")
    digits = 1 if kpi == "CES mean" else 0
    value = t.pct(estimate, digits) if percent else (t.signed(estimate, 0) if kpi == "NPS" else t.num(estimate, digits))
    if low is None:
        return value
    rng = t.pct_interval(low, high, digits) if percent else t.interval(low, high, digits)
    return f"{value} ({rng})"


def agent_page_html(res, inst, group: str, agent: str, lang: str) -> str:
    """The page of ``agent`` of team ``group`` as a complete HTML document in ``lang``."""
    t = Texts(lang)
    scores = res.agent_scores(group, agent)
    if not len(scores):
        raise ServiceDriversError(f"agent '{agent}' of '{group}' is not shown by this analysis (withheld or unknown)")
    level = t.pct(100 * res.level)
    n = int(scores.n.max())
    rows = "".join(
        f"<tr><td>{_esc(inst.construct(r.driver).label[lang])}</td><td class='num'>{_esc(t.num(r.estimate, 1))}</td>"
        f"<td class='num'>{_esc(t.interval(r.ci_low, r.ci_high, 1))}</td>"
        f"<td class='num'>{_esc(t.num(r.raw_mean, 1))} ({_esc(t.count(r.n))})</td>"
        f"<td class='num'>{_esc(t.num(r.team_mean, 1))}</td></tr>" for r in scores.itertuples())
    # plain words where the answers cannot tell the agent from the team (the range holds the team's score)
    alike = [inst.construct(r.driver).label[lang].lower() for r in scores.itertuples()
             if r.ci_low <= r.team_mean <= r.ci_high]
    not_distinct = ""
    if alike:
        listed = alike[0] if len(alike) == 1 else f"{', '.join(alike[:-1])} {t('agents.and')} {alike[-1]}"
        not_distinct = f"<p class='note'>{_esc(t('agents.not_distinct', drivers=listed))}</p>"
    kpis = res.agent_kpis(group, agent)
    kpi_rows = "".join(
        f"<tr><td>{_esc(t(KPI_TEXT[k.kpi]))}</td><td class='num'>{_esc(_kpi_text(t, k.kpi, k.estimate, k.ci_low, k.ci_high))}</td>"
        f"<td class='num'>{_esc(t.count(k.n))}</td><td class='num'>{_esc(_kpi_text(t, k.kpi, k.team_estimate))}</td></tr>"
        for k in kpis.itertuples() if k.kpi in KPI_TEXT)
    kpi_block = ""
    if kpi_rows:
        kpi_block = (f"<h2>{_esc(t('agents.section.kpis'))}</h2><table><tr><th>{_esc(t('agents.col.kpi'))}</th>"
                     f"<th>{_esc(t('agents.col.agent_kpi', level=level))}</th><th>{_esc(t('agents.col.answers'))}</th>"
                     f"<th>{_esc(t('agents.col.team'))}</th></tr>{kpi_rows}</table>"
                     f"<p class='note'>{_esc(t('agents.kpis.note', level=level))}</p>")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{_esc(t('agents.title', agent=agent))}</title><style>{STYLE}</style></head><body>"
            f"<h1>{_esc(t('agents.title', agent=agent))}</h1>"
            f"<p>{_esc(t('agents.subtitle', group=group, n=t.count(n)))}</p>"
            f"<p>{_esc(t('agents.intro'))}</p>"
            f"<h2>{_esc(t('agents.section.drivers'))}</h2>"
            f"<table><tr><th>{_esc(t('agents.col.driver'))}</th><th>{_esc(t('agents.col.agent'))}</th>"
            f"<th>{_esc(t('agents.col.range', level=level))}</th><th>{_esc(t('agents.col.own'))}</th>"
            f"<th>{_esc(t('agents.col.team'))}</th></tr>{rows}</table>"
            f"{not_distinct}<p class='note'>{_esc(t('agents.shrinkage', level=level))}</p>"
            f"{kpi_block}<p class='note'>{_esc(t('agents.footer', min_n=t.count(res.min_n)))}</p></body></html>")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(text)).strip("_") or "x"


def write_agent_pages(res, inst, out_dir, languages=("nl", "en"), pdf: bool = False) -> list[Path]:
    """Write one page per shown agent and language: ``<out_dir>/<lang>/<team>/<agent>.html`` (and ``.pdf``).

    Returns
    -------
    list of Path
        The files written, in order of team, agent id and language.
    """
    out = Path(out_dir)
    written = []
    for group, agent in res.agents:
        for lang in languages:
            folder = out / lang / _slug(group)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                page = agent_page_html(res, inst, group, agent, lang)
                path = folder / f"{_slug(agent)}.html"
                path.write_text(page, encoding="utf-8")
            except OSError as exc:
                raise ServiceDriversError(f"{folder}: cannot write the agent pages ({exc.strerror or exc})") from None
            written.append(path)
            if pdf:
                from analysis.report.render.pdf import render_pdf
                written.append(render_pdf(page, path.with_suffix(".pdf")))
    return written

