"""Improvement-priority reports: per organisation and for the whole study, in Dutch or English.

:func:`build_reports` (in :mod:`analysis.report.build`) runs (or takes) the validation
and the driver analysis, and writes for the whole study and for each organisation with
enough respondents a self-contained HTML report and the same as PDF, plus one Excel
workbook with every table. The report layer computes nothing: it renders
:class:`~analysis.drivers.result.DriverAnalysis`,
:class:`~analysis.validation.result.ValidationResult` and the reader's
:class:`~instrument.reader.quality.QualityReport` (see :mod:`analysis.report.content`).
Open answers are masked (:mod:`analysis.report.privacy`) and escaped. Groups with fewer
usable (not flagged) respondents than ``min_group_n`` show no figures, and their
respondents are left out before analysing, so that the whole study's figures do not
reveal theirs (:mod:`analysis.report.scope`). A folder of reports holds only the
files of the latest run (:mod:`analysis.report.manifest`). Every text of the reports is
in ``texts/<lang>.yaml`` (read by :mod:`analysis.report.strings`).
:func:`~analysis.report.agent_pages.write_agent_pages` writes the per-agent pages of an
:class:`~analysis.agents.result.AgentAnalysis` (``drivers agents``, ``drivers report --by-agent``).
"""
from __future__ import annotations

import importlib

_EXPORTS = {**{name: "analysis.report.build" for name in ("build_reports", "check_report_folder", "ReportSet", "slugify")},
            "write_agent_pages": "analysis.report.agent_pages"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, as in :mod:`analysis`, so that a renderer or the texts can
    # be imported without the whole report pipeline.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
