"""Improvement-priority reports: per organisation and for the whole study, in Dutch or English.

:func:`build_reports` runs (or takes) the validation and the driver analysis, and
writes for the whole study and for each organisation with enough respondents a
self-contained HTML report and the same as PDF, plus one Excel workbook with every
table. The report layer computes nothing: it renders
:class:`~analysis.drivers_result.DriverAnalysis`,
:class:`~analysis.validation_result.ValidationResult` and the reader's
:class:`~instrument.reader.quality.QualityReport` (see :mod:`analysis.report.content`).
Open answers are masked (:mod:`analysis.report.privacy`) and escaped; groups below
``min_group_n`` respondents show no figures.

Examples
--------
>>> from instrument import load_instrument, read_responses
>>> inst = load_instrument()
>>> data, quality = read_responses("data/example/responses.sav", inst)       # doctest: +SKIP
>>> reports = build_reports(data, inst, quality, lang="nl", out_dir="reports/example",
...                         seed=2011)                                          # doctest: +SKIP
>>> reports.study_pdf                                                          # doctest: +SKIP
PosixPath('reports/example/study.pdf')
"""
from __future__ import annotations

import platform
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from analysis.bootstrap import ALL
from analysis.report.content import report_content
from analysis.report.figures import draw
from analysis.report.i18n import LANGUAGES, Texts
from analysis.report.privacy import names_from_agent_ids
from analysis.report.render_excel import render_excel
from analysis.report.render_html import render_html
from analysis.report.render_pdf import render_pdf
from analysis.report.scope import StudyResults, channel_sizes, group_label, shown_groups
from analysis.report.voice import sample_voice
from instrument.errors import ServiceDriversError

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
        Groups with fewer respondents than the minimum: no report, no figures.
    analysis, validation
        The :class:`DriverAnalysis` and :class:`ValidationResult` shown.
    seconds : dict
        Time taken per stage.
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


def _check_options(data, inst, by, lang, min_group_n, out_dir) -> Path:
    if lang not in LANGUAGES:
        raise ServiceDriversError(f"unknown report language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    if isinstance(min_group_n, bool) or not isinstance(min_group_n, int) or min_group_n < 1:
        raise ServiceDriversError(f"min_group_n must be a whole number of at least 1 (30 is usual), "
                                  f"got {min_group_n!r}")
    if by is not None:
        if by not in data.columns:
            raise ServiceDriversError(f"'{by}' is not a column of the data; group the reports by a column it has, "
                                      "e.g. organisation")
        personal = {v.id for v in inst.variables if v.personal}
        if by in personal:
            raise ServiceDriversError(f"'{by}' holds personal data (e.g. agents' names): reports are never made per "
                                      f"{by}; group by organisation or channel")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceDriversError(f"{out}: cannot create the report folder ({exc.strerror or exc})") from None
    if not out.is_dir():
        raise ServiceDriversError(f"{out}: is not a folder; give a folder for the reports")
    return out


def _command(quality, by, lang, out_dir, title, min_group_n, analysis, inst) -> str:
    s = analysis.settings
    parts = ["drivers", "report", str(quality.file), "--by", str(by), "--lang", lang, "--out", str(out_dir),
             "--bootstrap", str(s.n_resamples), "--seed", str(s.seed), "--min-group-n", str(min_group_n)]
    if list(s.drivers) != list(inst.driver_keys):
        parts += ["--drivers", ",".join(s.drivers)]
    if title:
        parts += ["--title", f'"{title}"']
    return " ".join(parts)


def build_reports(data, inst, quality, *, by: str | None = "organisation", lang: str = "nl", out_dir,
                  title: str | None = None, min_group_n: int = 30, bootstrap: int = 2000, seed: int | None = None,
                  drivers=None, analysis=None, validation=None, pdf: bool = True, progress=None) -> ReportSet:
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
        Groups (organisations, channels) with fewer respondents show no figures.
    bootstrap, seed : int
        Passed to :func:`analysis.drivers.analyse_drivers` (the seed also draws the quotes).
    drivers : sequence of str, optional
        The drivers to analyse (default all seven); without the phone-only drivers
        (``wait_time``, ``menu``) every channel's respondents count, so reports per
        channel become possible.
    analysis, validation : optional
        Results already computed for ``data`` (same ``by``); computed here when omitted.
    pdf : bool, default True
        Also write the PDFs (WeasyPrint).
    progress : callable, optional
        Called with the name of each stage as it starts.

    Returns
    -------
    ReportSet
    """
    from analysis.drivers import analyse_drivers
    from analysis.validation import validate

    out = _check_options(data, inst, by, lang, min_group_n, out_dir)
    say = progress or (lambda stage: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    if analysis is None:
        say("analysis")
        analysis = analyse_drivers(data, inst, by=by, bootstrap=bootstrap, seed=seed, drivers=drivers)
    if validation is None:
        say("validation")
        validation = validate(data, inst, by=by)
    if analysis.settings.by != by or validation.by not in (by, None):
        raise ServiceDriversError(f"the results given were computed by '{analysis.settings.by}'/'{validation.by}', "
                                  f"not by '{by}'; compute them with by='{by}'")
    seconds["analysis and validation"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("content")
    names = names_from_agent_ids(data[AGENT_COLUMN].dropna().unique()) if AGENT_COLUMN in data.columns else ()
    draft = StudyResults(analysis=analysis, validation=validation, quality=quality, inst=inst, min_group_n=min_group_n)
    shown, withheld = shown_groups(draft)
    voice = {g: sample_voice(data, analysis, inst, group=g, lang=lang, withheld=withheld, extra_names=names,
                             hidden_channels=[c for c, n in channel_sizes(analysis, g).items() if n < min_group_n])
             for g in [ALL, *shown]}
    results = StudyResults(analysis=analysis, validation=validation, quality=quality, inst=inst,
                           extra_names=tuple(names),
                           voice={g: v for g, v in voice.items() if v is not None}, min_group_n=min_group_n,
                           title=title, source=Path(str(quality.file)).name,
                           command=_command(quality, by, lang, out_dir, title, min_group_n, analysis, inst),
                           versions=software_versions(), generated=date.today().isoformat())
    slugs: dict[str, str] = {ALL: "study"}
    for g in shown:
        slug, i = f"{slugify(by)}-{slugify(g)}", 2
        while slug in slugs.values():
            slug, i = f"{slugify(by)}-{slugify(g)}-{i}", i + 1
        slugs[g] = slug
    contents = [report_content(results, g, lang, slugs[g]) for g in slugs]
    seconds["content"] = time.perf_counter() - clock

    t = Texts(lang)
    written: dict[str, tuple[Path, Path | None]] = {}
    for content in contents:
        clock = time.perf_counter()
        say(f"report {content.slug}")
        images = {fig.key: draw(fig, t) for fig in content.figures()}
        html = render_html(content, images)
        html_path = out / f"{content.slug}.html"
        try:
            html_path.write_text(html, encoding="utf-8")
        except OSError as exc:
            raise ServiceDriversError(f"{html_path}: cannot write the report ({exc.strerror or exc})") from None
        seconds[f"{content.slug}.html"] = time.perf_counter() - clock
        pdf_path = None
        if pdf:
            clock = time.perf_counter()
            pdf_path = render_pdf(html, out / f"{content.slug}.pdf")
            seconds[f"{content.slug}.pdf"] = time.perf_counter() - clock
        written[content.group] = (html_path, pdf_path)
    clock = time.perf_counter()
    labels = {g: group_label(results, g, t) for g in [*shown, *withheld]}
    notes = (t("withheld.groups", groups=", ".join(labels[g] for g in withheld), n=min_group_n),) if withheld else ()
    workbook = render_excel(contents, out / "tables.xlsx", notes=notes, group_labels=labels)
    seconds["tables.xlsx"] = time.perf_counter() - clock
    study_html, study_pdf = written.pop(ALL)
    return ReportSet(out_dir=out, study_html=study_html, study_pdf=study_pdf, groups=written, workbook=workbook,
                     withheld=tuple(withheld), analysis=analysis, validation=validation, seconds=seconds)
