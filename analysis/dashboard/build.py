"""Write the interactive dashboard of a study: :func:`build_dashboard`.

The same analysis and privacy rules as :func:`analysis.report.build_reports`: groups with
fewer usable respondents than the minimum are left out before analysing (so no figure
of the whole study reveals theirs), channels and driver figures are withheld as in the
reports, and the quotes are the reports' masked sample. The themes of the open answers
are coded as for the reports (:func:`analysis.themes.analyse.analyse_themes`) and, with
``wave``/``period`` and more than one wave, the waves analysed as ``drivers trends`` does
(:func:`analysis.trends.analyse.analyse_waves`, by group and for the whole study). The
content is assembled by :mod:`analysis.dashboard.content` (pure; the waves and themes
views by :mod:`~analysis.dashboard.waves` and :mod:`~analysis.dashboard.open_answers`),
drawn by :mod:`analysis.dashboard.specs` and written as one file by
:mod:`analysis.dashboard.render`.

Examples
--------
.. code-block:: python

    from instrument import load_instrument, read_responses
    from analysis.dashboard import build_dashboard
    inst = load_instrument()
    data, quality = read_responses("data/example/responses.sav", inst)
    board = build_dashboard(data, inst, quality, out="dashboard.html", seed=1)
    board.path, board.size      # PosixPath('dashboard.html'), about 1.1 MB
    build_dashboard(data, inst, quality, out="waves.html", period="month", seed=1)   # with a waves view
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.common.errors import ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.options import check_option, validate_options
from analysis.common.outputs import check_writable
from analysis.dashboard.content import dashboard_content
from analysis.dashboard.render import render_dashboard
from analysis.dashboard.specs import dashboard_specs
from analysis.dashboard.texts import DASHBOARD_STRINGS
from analysis.report.build import AGENT_COLUMN, check_grouping, leave_out_small_groups
from analysis.report.i18n import LANGUAGES
from analysis.report.pooling import pooled
from analysis.report.privacy import names_from_agent_ids
from analysis.report.scope import StudyResults, group_nouns, shown_groups, withheld_channels
from analysis.report.voice import open_question, sample_voice
from analysis.themes.analyse import analyse_themes

# The column that makes the whole study one group for the trend analysis of its waves.
STUDY_COLUMN = "dashboard_whole_study"

__all__ = ["Dashboard", "build_dashboard"]


@dataclass(frozen=True)
class Dashboard:
    """The dashboard file written by :func:`build_dashboard`.

    Attributes
    ----------
    path : Path
    size : int
        Bytes.
    withheld : tuple of str
        Groups with fewer usable respondents than the minimum: not in the dashboard.
    document : dict
        What the page shows (:func:`analysis.dashboard.content.dashboard_content`).
    analysis : DriverAnalysis
    seconds : dict
        Time per stage.
    """

    path: Path
    size: int
    withheld: tuple[str, ...]
    document: dict = field(repr=False)
    analysis: object = field(repr=False)
    seconds: dict = field(default_factory=dict, repr=False)


def check_dashboard_file(out, inputs=()) -> Path:
    """Check, before the analysis, that ``out`` can be written and is not an input file."""
    path = Path(out)
    check_writable(path, inputs=tuple(Path(str(p)) for p in inputs))
    return path


def _waves(data, inst, by, wave, period, bootstrap, seed) -> tuple:
    """The trend analyses of the waves view: by the page's groups and of the whole study (None, None: no view).

    No view without ``wave``/``period``, without groups, or with fewer than two waves
    (a study of one wave has no trend); a ``wave`` that is not a column is an error.
    """
    if wave is None and period is None or by is None:
        return None, None
    from analysis.trends.analyse import analyse_waves, wave_labels

    # wave_labels is the one check of --wave/--period (as in drivers trends and the reports): a wave that
    # is not a column, or contact dates without a usable date, are errors; one wave is no trend
    if wave_labels(data, wave, period).dropna().nunique() < 2:
        return None, None
    groups = analyse_waves(data, inst, wave=wave, period=period, by=by, bootstrap=bootstrap, seed=seed)
    study = data.assign(**{STUDY_COLUMN: ALL})
    return groups, analyse_waves(study, inst, wave=wave, period=period, by=STUDY_COLUMN, bootstrap=bootstrap,
                                 seed=seed)


@validate_options("lang", "min_group_n", "bootstrap", "seed", "outcome", "importance", "crosshair", "pooling", "period")
def build_dashboard(data, inst, quality, *, out, by: str | None = "organisation", lang: str = "en",
                    min_group_n: int = 30, bootstrap: int = 2000, seed: int | None = None, drivers=None,
                    outcome: str = "satisfaction", importance: str = "lmg", crosshair: str = "mean",
                    pooling: str = "partial",
                    wave: str | None = None, period: str | None = None, themes: bool = True,
                    analysis=None, progress=None) -> Dashboard:
    """Write an offline, single-file interactive dashboard of a study.

    Parameters
    ----------
    data : DataFrame
        Responses from :func:`instrument.read_responses`.
    inst : Instrument
    quality : QualityReport
        The reader's report of ``data`` (its file is never overwritten).
    out : path
        The HTML file to write.
    by : str or None, default 'organisation'
        The column whose groups the page compares (never a personal column).
    lang : {'en', 'nl'}
        The language the page opens in; the page carries both and switches.
    min_group_n : int, default 30
        As for :func:`analysis.report.build_reports`: smaller groups are left out
        entirely, smaller channels show no KPIs.
    bootstrap, seed, drivers, outcome, importance, crosshair
        Passed to :func:`analysis.drivers.analyse.analyse_drivers` (the seed also
        draws the quotes), as :func:`analysis.report.build_reports` does, so the same
        data and seed give the reports' numbers.
    pooling : {'partial', 'none'}, default 'partial'
        Passed to :func:`analysis.drivers.analyse.analyse_drivers`, as for
        :func:`analysis.report.build_reports`. With partial pooling the page shows the
        pooled importance as the headline, each group's own-data figure and own-data
        weight beside it (hover and table) and the reports' plain sentence on what pooling
        means (:mod:`analysis.report.pooling`), in both languages; with fewer than three
        groups nothing is pooled and the page says so. A given ``analysis`` keeps its own.
    wave : str, optional
        Column whose values are the waves of a repeated study (as for
        :func:`analysis.report.build_reports`): with two or more waves the page gets
        a waves view (:func:`analysis.trends.analyse.analyse_waves` by group and for
        the whole study, ``bootstrap`` resamples, the analysis' seed).
    period : {'month', 'quarter'}, optional
        Waves from ``contact_date`` instead (as for ``analyse_waves``).
    themes : bool, default True
        A themes view of the open answers when the data have them
        (:func:`analysis.themes.analyse.analyse_themes`, as in the reports).
    analysis : DriverAnalysis, optional
        An analysis of ``data`` (same ``by``) already computed; refused when a group is
        below the minimum (its respondents must not be in it).
    progress : callable, optional
        Called with the name of each stage as it starts.

    Returns
    -------
    Dashboard

    Raises
    ------
    ServiceDriversError
        A bad option, an output that cannot be written or is the input file, every
        group below the minimum.
    """
    from analysis.drivers.analyse import analyse_drivers

    inputs = (Path(str(quality.file)),) if getattr(quality, "file", None) else ()
    path = check_dashboard_file(out, inputs)
    check_grouping(data, inst, by)
    data, left_out_groups, left_out = leave_out_small_groups(data, by, min_group_n, analysis, None)
    say = progress or (lambda stage: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    if analysis is None:
        say("analysis")
        analysis = analyse_drivers(data, inst, by=by, bootstrap=bootstrap, seed=seed, drivers=drivers,
                                   outcome=outcome, importance=importance, crosshair=crosshair, pooling=pooling)
    if analysis.settings.by != by:
        raise ServiceDriversError(f"the analysis given was computed by '{analysis.settings.by}', not by '{by}'; "
                                  f"compute it with by='{by}'")
    seconds["analysis"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("themes and waves")
    why = open_question(inst)
    coded = (analyse_themes(data, inst, analysis=analysis, seed=analysis.settings.seed)
             if themes and why is not None and why in data.columns and data[why].notna().any() else None)
    by_group, whole = _waves(data, inst, by, wave, period, bootstrap, analysis.settings.seed)
    seconds["themes and waves"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("content")
    names = names_from_agent_ids(data[AGENT_COLUMN].dropna().unique()) if AGENT_COLUMN in data.columns else ()
    results = StudyResults(analysis=analysis, validation=None, quality=quality, inst=inst, min_group_n=min_group_n,
                           withheld=tuple(left_out_groups), left_out=left_out, extra_names=tuple(names),
                           source=Path(str(getattr(quality, "file", "") or "")).name,
                           generated=date.today().isoformat(), themes=coded, trends=by_group)
    shown, withheld = shown_groups(results)
    voices = {code: {g: v for g in [ALL, *shown]
                     if (v := sample_voice(data, analysis, inst, group=g, lang=code, withheld=withheld,
                                           extra_names=names,
                                           hidden_channels=[c for part in withheld_channels(results, g)
                                                            for c in part])) is not None}
              for code in LANGUAGES}
    document = dashboard_content(results, voices=voices, lang=lang, study_trends=whole)
    specs = dashboard_specs(analysis.settings.importance, {code: group_nouns(results, code) for code in LANGUAGES},
                            pooled=pooled(results))
    seconds["content"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("page")
    html = render_dashboard(document, specs, title=DASHBOARD_STRINGS["title"][lang])
    check_writable(path, inputs=inputs)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the dashboard ({exc.strerror or exc})") from None
    seconds["page"] = time.perf_counter() - clock
    return Dashboard(path=path, size=path.stat().st_size, withheld=tuple(withheld), document=document,
                     analysis=analysis, seconds=seconds)
