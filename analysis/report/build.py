"""Write the reports of a study: :func:`build_reports`, its options, its output folder and file list.

The steps are in their own modules: who is shown (:mod:`analysis.report.scope`), what
each report says (:mod:`analysis.report.content`, :mod:`analysis.report.appendix`),
quotes (:mod:`analysis.report.voice`, masked by :mod:`analysis.report.privacy`), the themes of
the open answers (:mod:`analysis.themes`, shown by :mod:`analysis.report.themes_section`),
figures (:mod:`analysis.report.figures`), the files (:mod:`analysis.report.render`) and
the folder's file list (:mod:`analysis.report.manifest`). This module ties them together.

Examples
--------
Writing the example study's reports (about a minute; not run as a test, see
``tests/test_report_files.py`` for runs on smaller data):

.. code-block:: python

    from instrument import load_instrument, read_responses
    inst = load_instrument()
    data, quality = read_responses("data/example/responses.sav", inst)
    reports = build_reports(data, inst, quality, lang="nl", out_dir="reports/example", seed=2011)
    reports.study_pdf          # PosixPath('reports/example/study.pdf')
"""
from __future__ import annotations

import os
import platform
import re
import shlex
import time
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from analysis.common.errors import DataError, ServiceDriversError
from analysis.common.groups import ALL
from analysis.common.options import check_option, validate_options
from analysis.common.outputs import check_writable
from analysis.report.content import report_content, withheld_notes
from analysis.report.figures import draw
from analysis.report.i18n import LANGUAGES, Texts
from analysis.report.manifest import MANIFEST, previous_files, replace_manifest
from analysis.report.privacy import names_from_agent_ids
from analysis.report.render.excel import render_excel
from analysis.report.render.html import render_html
from analysis.report.render.pdf import pdf_bytes
from analysis.common.scheduler import open_runner, resolve_scheduler
from analysis.report.scope import StudyResults, group_label, shown_groups, usable_group_sizes, withheld_channels
from analysis.report.voice import open_question, sample_voice
from analysis.dissatisfiers.analyse import analyse_dissatisfiers
from analysis.themes.analyse import analyse_themes
from analysis.scoring.sample import check_group_column
from instrument.reader.integrity import absent_item_columns

__all__ = ["ReportSet", "build_reports"]

SOFTWARE = ("service-drivers", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "jinja2",
            "weasyprint", "openpyxl")
AGENT_COLUMN = "agent_id"


@dataclass(frozen=True)
class ReportSet:
    """The files :func:`build_reports` wrote, and the results they show.

    Attributes
    ----------
    out_dir : Path
    study_html, study_pdf : Path
        The whole-study report (``study_pdf`` is None with ``pdf=False``).
    groups : dict
        Group label -> ``(html, pdf)`` of each group with a report of its own.
    workbook : Path
        The Excel workbook with every table.
    withheld : tuple of str
        Groups with fewer usable respondents than the minimum: no report, no figures,
        and their respondents in no figure of the report.
    analysis, validation
        The :class:`DriverAnalysis` and :class:`ValidationResult` shown.
    seconds : dict
        Time taken per stage.
    sheets : dict
        The workbook's sheet of each table, by table name (``'overview'``,
        ``'priorities'``, ``'kpis_by_channel'``, ..., ``'about'`` for the first sheet,
        ``'voice'`` for the quotes): sheet names follow the report's language.
    removed : tuple of Path
        Files of an earlier run in ``out_dir`` that this run does not write, removed.
    """

    out_dir: Path
    study_html: Path
    study_pdf: Path | None
    groups: dict
    workbook: Path
    withheld: tuple[str, ...]
    analysis: object = field(repr=False)
    validation: object = field(repr=False)
    seconds: dict = field(default_factory=dict, repr=False)
    sheets: dict = field(default_factory=dict, repr=False)
    removed: tuple = ()

    @property
    def paths(self) -> list[Path]:
        """Every file written: the study report, the group reports, the workbook."""
        files = [self.study_html, self.study_pdf]
        for html, pdf in self.groups.values():
            files += [html, pdf]
        return [p for p in files if p is not None] + [self.workbook]


def slugify(name: str) -> str:
    """A file-name part for a group label: ASCII, lower case, words joined by '-'."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "group"


def software_versions() -> tuple[tuple[str, str], ...]:
    found = [("Python", platform.python_version())]
    for name in SOFTWARE:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "-"))
    return tuple(found)


def check_report_folder(out_dir, *, inputs=(), pdf: bool = True, create: bool = True) -> Path:
    """Check, before minutes of analysis, that ``out_dir`` can take the reports; make it when ``create``.

    Every file a run always writes must be writable and none may be an input file.
    Without ``create`` (the CLI, before reading the data) a folder still to be made
    needs an existing, writable parent.

    Raises
    ------
    ServiceDriversError
        Naming the folder or file and what to do.
    """
    out = Path(out_dir)
    if not create and not out.exists():
        parent = next((p for p in out.absolute().parents if p.exists()), None)
        if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise ServiceDriversError(f"{out}: cannot create the report folder here ({parent} is not a writable "
                                      "folder); give another folder")
        return out
    if create:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ServiceDriversError(f"{out}: cannot create the report folder ({exc.strerror or exc})") from None
    if not out.is_dir():
        raise ServiceDriversError(f"{out}: is not a folder; give a folder for the reports")
    for name in ("study.html", "tables.xlsx", MANIFEST, *(["study.pdf"] if pdf else [])):
        check_writable(out / name, inputs=inputs)
    return out


def check_grouping(data, inst, by) -> None:
    """Refuse a ``by`` column the data lacks or that holds personal data (reports and dashboards alike)."""
    check_group_column(data, by)
    if by is not None:
        personal = {v.id for v in inst.variables if v.personal}
        if by in personal:
            raise ServiceDriversError(f"'{by}' holds personal data (e.g. agents' names): reports are never made per "
                                      f"{by}; group by organisation or channel")


def _check_options(data, inst, by, out_dir, inputs, pdf) -> Path:
    check_grouping(data, inst, by)
    return check_report_folder(out_dir, inputs=inputs, pdf=pdf)


def leave_out_small_groups(data, by, min_group_n, analysis, validation):
    """The data without the respondents of groups below the minimum, those groups, and how many respondents that was.

    Decided on the data, before analysing; the reports then show the analysis' counts.

    Respondents of a withheld group are in no figure: else the whole study's figures
    minus those of the groups shown would give theirs.
    """
    sizes = usable_group_sizes(data, by)
    small = sorted(g for g, n in sizes.items() if g != ALL and n < min_group_n) if by is not None else []
    if not small:
        return data, small, 0
    if analysis is not None or validation is not None:
        shown = ", ".join(f"'{g}'" for g in small[:5]) + (f" and {len(small) - 5} more" if len(small) > 5 else "")
        raise ServiceDriversError(
            f"{shown} of '{by}' have fewer than {min_group_n} usable respondents: their respondents must be left out "
            "of the reports entirely (the whole study's figures would reveal theirs); call build_reports without "
            "analysis= and validation= (it leaves them out before analysing), or pass data without those groups "
            "and results computed on that data")
    if len(small) == len(sizes) - 1:
        raise ServiceDriversError(f"every group of '{by}' has fewer than {min_group_n} usable respondents: nothing "
                                  "can be reported; lower the minimum (min_group_n) or group by a "
                                  "coarser column")
    in_small = data[by].astype("string").isin(small).fillna(False).to_numpy()
    kept = data.loc[~in_small]
    return kept, small, int(in_small.sum())


def _render_report(content, lang: str, nouns, pdf: bool) -> tuple[str, bytes | None, tuple[float, float]]:
    """One report (a task): its HTML, its PDF (None without), and the seconds each took."""
    clock = time.perf_counter()
    t = Texts(lang, nouns=nouns)
    html = render_html(content, {fig.key: draw(fig, t) for fig in content.figures()})
    html_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    document = pdf_bytes(html) if pdf else None
    return html, document, (html_seconds, time.perf_counter() - clock)


def _write_bytes(path: Path, document: bytes) -> Path:
    try:
        path.write_bytes(document)
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the PDF ({exc.strerror or exc})") from None
    return path


def _write_text(path: Path, text: str, inputs) -> Path:
    check_writable(path, inputs=inputs)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ServiceDriversError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    return path


def _quoted(text: str) -> str:
    """A path as one shell word."""
    return shlex.quote(text)


def _dissatisfiers(data, inst, analysis):
    """Penalty-reward contrast on the driver analysis' respondents and options; None when no group allows it."""
    s = analysis.settings
    drivers = None if set(s.drivers) == set(inst.driver_keys) else list(s.drivers)
    try:
        return analyse_dissatisfiers(data, inst, by=s.by, outcome=s.outcome, drivers=drivers,
                                     bootstrap=max(s.n_resamples, 2), seed=s.seed, level=s.level,
                                     exclude_flagged=s.exclude_flagged)
    except DataError:       # too few respondents in every group: the report says nothing about it
        return None


def _command(quality, by, lang, out_dir, title, min_group_n, analysis, inst, absent=None, wave=None,
             period=None) -> str:
    s = analysis.settings
    parts = ["drivers", "report", _quoted(str(quality.file)), "--by", str(by), "--lang", lang, "--out", _quoted(str(out_dir)),
             "--bootstrap", str(s.n_resamples), "--seed", str(s.seed), "--min-group-n", str(min_group_n)]
    if list(s.drivers) != list(inst.driver_keys):
        parts += ["--drivers", ",".join(s.drivers)]
    if not inst.is_shipped:              # the questionnaire used, by its file (Appendix E names its hash)
        parts += ["--instrument", _quoted(str(inst.source_file))]
    if getattr(quality, "n_duplicates_dropped", 0):
        parts += ["--duplicates", "drop_identical"]
    if any(len(ids) < len(inst.construct(k).item_ids) for k, ids in (absent or {}).items()):
        parts += ["--absent-items", "leave_out"]          # some of a construct's columns were there: asked for
    for flag, value, default in (("--outcome", s.outcome, "satisfaction"), ("--importance", s.importance, "lmg"),
                                 ("--crosshair", s.crosshair, "mean"), ("--pooling", s.pooling, "partial"),
                                 ("--estimator", s.estimator, "ml")):
        if value != default:
            parts += [flag, value]
    if wave is not None:
        parts += ["--wave", _quoted(str(wave))]
    if period is not None:
        parts += ["--period", period]
    if title:
        parts += ["--title", f'"{title}"']
    return " ".join(parts)


def _trends(data, inst, by, wave, period, bootstrap, seed):
    """The trend analysis behind 'Since the last wave' (None without waves or periods, or with only one)."""
    if (wave is None and period is None) or by is None:
        return None
    from analysis.trends.analyse import analyse_waves, wave_labels

    # wave_labels is the one check of --wave/--period (as in drivers trends and the dashboard)
    if wave_labels(data, wave, period).dropna().nunique() < 2:
        return None
    return analyse_waves(data, inst, wave=wave, period=period, by=by, bootstrap=bootstrap, seed=seed)


@validate_options("min_group_n", "bootstrap", "seed", "outcome", "importance", "crosshair", "pooling", "estimator",
                  "scheduler", "period")
def build_reports(data, inst, quality, *, by: str | None = "organisation", lang: str = "nl", out_dir,
                  title: str | None = None, min_group_n: int = 30, bootstrap: int = 2000, seed: int | None = None,
                  drivers=None, outcome: str = "satisfaction", importance: str = "lmg", crosshair: str = "mean",
                  pooling: str = "partial", analysis=None, validation=None, pdf: bool = True, progress=None,
                  estimator: str = "ml", partial: bool = False, scheduler: str = "threads",
                  wave: str | None = None, period: str | None = None) -> ReportSet:
    """Write the improvement-priority reports of a study.

    Parameters
    ----------
    data : DataFrame
        Responses from :func:`instrument.read_responses`.
    inst : Instrument
    quality : QualityReport
        The reader's data-quality report of ``data``.
    by : str or None, default 'organisation'
        Column whose groups get a report of their own (never a personal column such as
        ``agent_id``); None makes only the study report.
    lang : {'nl', 'en'}
    out_dir : path
        Folder for the files (created if missing): ``study.html``/``.pdf``,
        ``<by>-<group>.html``/``.pdf`` and ``tables.xlsx``.
    title : str, optional
        Title on the title page (default: 'Customer service: what to improve first').
    min_group_n : int, default 30
        A group (organisation, channel) with fewer usable (not flagged) respondents gets
        no report and no figure, and its respondents are left out of every figure,
        the whole study's included; the study report names it (never its size). Within
        a group, a channel below it shows no KPIs, nor do the next smallest channels
        when the channels withheld add up to fewer than it.
    bootstrap, seed : int
        Passed to :func:`analysis.drivers.analyse.analyse_drivers` (the seed also draws the quotes).
    drivers : sequence of str, optional
        The drivers to analyse (default all seven); without the phone-only drivers
        (``wait_time``, ``menu``) every channel's respondents count, so reports per
        channel become possible.
    outcome, importance, crosshair : str
        The driver analysis' options (:func:`analysis.drivers.analyse.analyse_drivers`):
        the outcome the drivers explain ('satisfaction', 'csat', 'nps' or 'ces'), the
        importance behind the priorities ('lmg', 'weights', 'beta' or 'sem') and where
        the quadrants meet ('mean', 'median' or 'midpoint'). Ignored when ``analysis``
        is given (its settings are reported).
    pooling : {'partial', 'none'}, default 'partial'
        As in :func:`~analysis.drivers.analyse.analyse_drivers`. With 'partial' every
        respondent is used and each group's figures are partially pooled across the
        groups: the reports show the pooled figure as the headline, the group's own-data
        figure beside it, a sentence on what pooling means and, per channel, how many
        respondents each figure rests on. With fewer than three groups nothing is pooled
        and the reports say so. Ignored when ``analysis`` is given.
    analysis, validation : optional
        Results already computed for ``data`` (same ``by``); computed here when omitted.
        Refused (:class:`ServiceDriversError`) when a group of ``data`` is below the
        minimum: its respondents must not be in the results, so compute them here.
    pdf : bool, default True
        Also write the PDFs (WeasyPrint).
    estimator : {'ml', 'mlr'}, default 'ml'
        Estimator of the structural model and of the validation's CFA models ('mlr':
        robust ML, named in the validation appendix). Ignored for results given.
    progress : callable, optional
        Called with the name of each stage as it starts.
    partial : bool, default False
        Validate with the partial-invariance search
        (:func:`analysis.validation.validation.validate` ``partial=True``).
    wave : str, optional
        Column whose values are the waves of a repeated study: with two or more waves
        the reports get a section 'Since the last wave' (:mod:`analysis.trends`).
    period : {'month', 'quarter'}, optional
        Instead of ``wave``: the waves are the months or quarters of ``contact_date``.
    scheduler : str, default 'threads'
        Where the driver analysis' per-group work runs (as in
        :func:`analysis.drivers.analyse.analyse_drivers`); the same figures on each.

    Returns
    -------
    ReportSet

    Raises
    ------
    ServiceDriversError
        A bad option, an output that cannot be written or would overwrite the input
        file, precomputed results with a group below the minimum, or every group below it.
    """
    from analysis.drivers.analyse import analyse_drivers
    from analysis.validation.validation import validate

    lang = check_option("lang", lang.lower() if isinstance(lang, str) else lang)
    inputs = (Path(str(quality.file)),) if getattr(quality, "file", None) else ()
    out = _check_options(data, inst, by, out_dir, inputs, pdf)
    data, left_out_groups, left_out = leave_out_small_groups(data, by, min_group_n, analysis, validation)
    say = progress or (lambda stage: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    if analysis is None:
        say("analysis")
        analysis = analyse_drivers(data, inst, by=by, bootstrap=bootstrap, seed=seed, drivers=drivers,
                                   outcome=outcome, importance=importance, crosshair=crosshair, pooling=pooling,
                                   estimator=estimator, scheduler=scheduler)
    if validation is None:
        say("validation")
        validation = validate(data, inst, by=by, estimator=estimator, partial=partial)
    if analysis.settings.by != by or validation.by not in (by, None):
        raise ServiceDriversError(f"the results given were computed by '{analysis.settings.by}'/'{validation.by}', "
                                  f"not by '{by}'; compute them with by='{by}'")
    seconds["analysis and validation"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("content")
    names = names_from_agent_ids(data[AGENT_COLUMN].dropna().unique()) if AGENT_COLUMN in data.columns else ()
    draft = StudyResults(analysis=analysis, validation=validation, quality=quality, inst=inst, min_group_n=min_group_n,
                         withheld=tuple(left_out_groups), left_out=left_out)
    shown, withheld = shown_groups(draft)
    voice = {g: sample_voice(data, analysis, inst, group=g, lang=lang, withheld=withheld, extra_names=names,
                             hidden_channels=[c for part in withheld_channels(draft, g) for c in part])
             for g in [ALL, *shown]}
    themes = (analyse_themes(data, inst, analysis=analysis, seed=analysis.settings.seed)
              if open_question(inst) in data.columns else None)
    trends = _trends(data, inst, by, wave, period, bootstrap, analysis.settings.seed)
    dissatisfiers = _dissatisfiers(data, inst, analysis)
    results = StudyResults(analysis=analysis, validation=validation, quality=quality, inst=inst,
                           extra_names=tuple(names), withheld=tuple(left_out_groups),
                           left_out=left_out, themes=themes, trends=trends, dissatisfiers=dissatisfiers,
                           voice={g: v for g, v in voice.items() if v is not None}, min_group_n=min_group_n,
                           title=title, source=Path(str(quality.file)).name,
                           command=_command(quality, by, lang, out_dir, title, min_group_n, analysis, inst,
                                            absent_item_columns(data), wave, period),
                           versions=software_versions(), generated=date.today().isoformat())
    slugs: dict[str, str] = {ALL: "study"}
    for g in shown:
        slug, i = f"{slugify(by)}-{slugify(g)}", 2
        while slug in slugs.values():
            slug, i = f"{slugify(by)}-{slugify(g)}-{i}", i + 1
        slugs[g] = slug
    contents = [report_content(results, g, lang, slugs[g]) for g in slugs]
    seconds["content"] = time.perf_counter() - clock

    nouns = contents[0].nouns if contents else None
    t = Texts(lang, nouns=nouns)
    written: dict[str, tuple[Path, Path | None]] = {}
    for content in contents:
        check_writable(out / f"{content.slug}.html", inputs=inputs)
        if pdf:
            check_writable(out / f"{content.slug}.pdf", inputs=inputs)
    # Each report is a task on processes or a Dask cluster; with threads (the default)
    # they are rendered one after the other here: WeasyPrint (Pango, fontconfig) is not
    # known to be thread-safe. The files are written here, whoever rendered them.
    say(f"reports (0 of {len(contents)} done)")
    # 'auto' renders with threads, as the default does (the analysis chose its own)
    scheduler = resolve_scheduler(scheduler)
    with open_runner(scheduler, n_workers=1 if scheduler == "threads" else None) as runner:
        rendered = runner.map(_render_report, [(content, lang, nouns, pdf) for content in contents],
                              progress=lambda done, total: say(f"reports ({done} of {total} done)"))
    for content, (html, document, timing) in zip(contents, rendered):
        written[content.group] = (_write_text(out / f"{content.slug}.html", html, inputs),
                                  _write_bytes(out / f"{content.slug}.pdf", document) if pdf else None)
        seconds[f"{content.slug}.html"] = timing[0]
        if pdf:
            seconds[f"{content.slug}.pdf"] = timing[1]
    clock = time.perf_counter()
    labels = {g: group_label(results, g, t) for g in [*shown, *withheld]}
    notes = withheld_notes(results, ", ".join(labels[g] for g in withheld), t) if withheld else ()
    workbook = out / "tables.xlsx"
    sheets = render_excel(contents, workbook, notes=notes, group_labels=labels)
    seconds["tables.xlsx"] = time.perf_counter() - clock
    study_html, study_pdf = written.pop(ALL)
    reports = ReportSet(out_dir=out, study_html=study_html, study_pdf=study_pdf, groups=written, workbook=workbook,
                        withheld=tuple(withheld), analysis=analysis, validation=validation, seconds=seconds,
                        sheets=sheets)
    removed = replace_manifest(out, reports.paths, previous_files(out), inputs)
    return replace(reports, removed=removed)
