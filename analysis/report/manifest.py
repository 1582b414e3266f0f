"""Which files a run of the reports wrote, so that the next run can remove the stale ones.

A run records the files it wrote in ``<out>/.drivers-report.json`` (:data:`MANIFEST`).
The next run into the same folder removes the files that the earlier run listed there
and that it does not write again, e.g. the report of an organisation that is now
withheld or a PDF of a run with PDFs when this one has none: a folder of reports
never holds a report the latest run would not make. Files the toolkit did not write are
never touched: only plain file names listed in the manifest, with a report's suffix,
in that same folder, and never an input file.
"""
from __future__ import annotations

import json
from pathlib import Path

from analysis.common.errors import ServiceDriversError

MANIFEST = ".drivers-report.json"
REPORT_SUFFIXES = (".html", ".pdf", ".xlsx")
WRITER = "service-drivers: drivers report / analysis.report.build_reports"


def previous_files(out: Path) -> list[Path]:
    """The report files an earlier run listed in ``out``'s manifest (none when there is none, or it is unreadable)."""
    try:
        document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = document.get("files", []) if isinstance(document, dict) else []
    return [out / name for name in names
            if isinstance(name, str) and name == Path(name).name and not name.startswith(".")
            and Path(name).suffix.lower() in REPORT_SUFFIXES]


def _is_input(path: Path, inputs) -> bool:
    return any(Path(source).exists() and path.samefile(source) for source in inputs)


def replace_manifest(out: Path, written: list[Path], previous: list[Path], inputs=()) -> tuple[Path, ...]:
    """Remove the files of ``previous`` this run did not write, and list ``written`` in the manifest.

    Returns
    -------
    tuple of Path
        The files removed.

    Raises
    ------
    ServiceDriversError
        A stale file that cannot be removed (it stays listed, so the next run tries again).
    """
    keep = {p.name for p in written}
    removed, failed = [], []
    for path in previous:
        if path.name in keep or not path.is_file() or _is_input(path, inputs):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError as exc:
            failed.append((path, exc))
    listed = sorted({p.name for p in written} | {p.name for p, _ in failed})
    manifest = out / MANIFEST
    try:
        manifest.write_text(json.dumps({"written_by": WRITER, "files": listed}, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ServiceDriversError(f"{manifest}: cannot write the list of reports ({exc.strerror or exc})") from None
    if failed:
        path, exc = failed[0]
        raise ServiceDriversError(f"{path}: cannot remove this report of an earlier run, which this run does not "
                                  f"make again ({exc.strerror or exc}); delete it by hand")
    return tuple(removed)
