"""A folder of reports holds the files of the latest run only; files the toolkit did not write stay."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from analysis.drivers.analyse import analyse_drivers
from analysis.report import build_reports
from analysis.report.manifest import MANIFEST
from analysis.validation.validation import validate
from instrument.errors import ServiceDriversError


@pytest.fixture(scope="module")
def whole_study_only(example, inst):
    part = example.data[example.data.organisation == "Energie"]
    return part, analyse_drivers(part, inst, by=None, bootstrap=20, seed=1, sem=False), \
        validate(part, inst, by=None, invariance=False)


def test_a_later_run_removes_the_reports_an_earlier_run_made_and_it_does_not(example, inst, whole_study_only,
                                                                              tmp_path):
    out = tmp_path / "reports"
    first = build_reports(example.data, inst, example.quality, lang="en", out_dir=out, analysis=example.analysis,
                          validation=example.validation, pdf=False)
    groups = sorted(h.name for h, _ in first.groups.values())
    assert len(groups) == 4
    listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert listed == sorted(["study.html", "tables.xlsx", *groups])
    (out / "notes.html").write_text("mine")                         # not written by the toolkit: stays
    (out / "organisation-old.html").write_text("an older report, not listed")
    part, analysis, validation = whole_study_only
    second = build_reports(part, inst, example.quality, by=None, lang="en", out_dir=out, analysis=analysis,
                           validation=validation, pdf=False)
    assert sorted(p.name for p in second.removed) == groups
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "notes.html", "organisation-old.html", "study.html",
                                                     "tables.xlsx"]
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"] == ["study.html", "tables.xlsx"]


def test_only_report_files_of_the_folder_listed_in_the_manifest_are_removed(example, inst, whole_study_only,
                                                                            tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    outside = tmp_path / "outside.html"
    keep = [outside, out / "data.csv", out / ".hidden.html", out / "sub" / "x.html", out / "input.xlsx"]
    (out / "sub").mkdir()
    for path in keep:
        path.write_text("x")
    (out / MANIFEST).write_text(json.dumps({"files": ["../outside.html", str(outside), "data.csv", ".hidden.html",
                                                      "sub/x.html", "input.xlsx", 3, None]}))
    part, analysis, validation = whole_study_only
    quality = replace(example.quality, file=out / "input.xlsx")            # the input is never removed
    reports = build_reports(part, inst, quality, by=None, lang="en", out_dir=out, analysis=analysis,
                            validation=validation, pdf=False)
    assert reports.removed == () and all(path.exists() for path in keep)


def test_no_report_overwrites_the_input_file(example, inst, whole_study_only, tmp_path):
    part, analysis, validation = whole_study_only
    source = tmp_path / "tables.xlsx"
    source.write_bytes(b"the client's data")
    with pytest.raises(ServiceDriversError, match="tables.xlsx: is the input file"):
        build_reports(part, inst, replace(example.quality, file=source), by=None, lang="en", out_dir=tmp_path,
                      analysis=analysis, validation=validation, pdf=False)
    assert source.read_bytes() == b"the client's data" and sorted(p.name for p in tmp_path.iterdir()) == [
        "tables.xlsx"]
