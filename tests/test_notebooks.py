"""The teaching notebooks: paired .py/.ipynb in sync, and each runs top to bottom on a fresh kernel.

Each notebook is executed from its .ipynb (what a student opens) with nbclient, in a
fresh ``python3`` kernel started from the Python that runs the tests (checked), with the
working directory set to ``notebooks/`` as Jupyter does. Nothing is written into the
repository: notebook 3 writes its reports to a temporary folder given through
``SERVICE_DRIVERS_REPORT_DIR`` (without PDFs, to keep the run short).

The data the notebooks read are checked to be what their scripts make.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_reproduce_ccc_study", "02_validate_your_pilot", "03_from_survey_export_to_report"]
CELL_TIMEOUT = 180  # seconds per cell; a whole notebook takes 20-65 s on 2 cores (notebooks/README.md)
KERNEL_CHECK = ("import sys, analysis; "
                "print(repr((sys.prefix, sys.executable, analysis.__file__)))")


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.py")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_py_and_ipynb_are_in_sync(name):
    """Same cells (type and source) in both files, paired by jupytext, and no outputs committed."""
    py_nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    ipynb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in py_nb.cells]
    # what `jupytext --sync` would write from the .ipynb is the .py as committed, except the
    # jupytext version stamp in the header, which says which release last wrote the file and
    # changes with every jupytext release (a test must not depend on the day's releases)
    written = jupytext.writes(ipynb, fmt="py:percent")
    committed = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")
    assert _without_version_stamp(written) == _without_version_stamp(committed)
    assert ipynb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert ipynb.metadata["kernelspec"]["name"] == "python3"
    for cell in ipynb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit the .ipynb with outputs stripped"


def _without_version_stamp(text: str) -> str:
    return re.sub(r"(?m)^#\s+jupytext_version: .*\n", "", text, count=1)


def _snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(ROOT)): (p.stat().st_mtime_ns, p.stat().st_size)
            for folder in folders for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}


def _errors(nb) -> list[str]:
    return [f"cell {i}: {o.ename}: {o.evalue}" for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for o in cell.get("outputs", []) if o.output_type == "error"]


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            out.append(o.get("data", {}).get("text/plain", ""))
    return "".join(out)


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    """Execute a notebook in memory on a fresh kernel; return it with its outputs."""
    monkeypatch.setenv("SERVICE_DRIVERS_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SERVICE_DRIVERS_REPORT_PDF", "0")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    def run(name: str):
        nb = copy.deepcopy(nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4))
        nb.cells.append(nbformat.v4.new_code_cell(KERNEL_CHECK))  # which Python ran it (in memory only)
        before = _snapshot(NOTEBOOKS, ROOT / "data")
        client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT, allow_errors=False,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute()
        assert _snapshot(NOTEBOOKS, ROOT / "data") == before, "a notebook wrote into the repository"
        assert not _errors(nb)
        prefix, executable, analysis_file = eval(_text(nb.cells[-1]))  # noqa: S307 - our own repr
        assert Path(prefix).resolve() == Path(sys.prefix).resolve(), f"kernel ran {executable}, not {sys.executable}"
        assert Path(analysis_file).resolve().is_relative_to(ROOT), "the kernel imported another copy of the toolkit"
        nb.cells.pop()
        return nb

    return run


def _output_of(nb, startswith: str) -> str:
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(startswith)]
    assert len(cells) == 1, startswith
    return _text(cells[0])


def test_notebook_01_reproduces_the_study(run_notebook):
    nb = run_notebook("01_reproduce_ccc_study")
    assert "1500 respondents" in _output_of(nb, "data, quality = read_responses")
    coverage = _output_of(nb, "true_pct = ")
    assert "of 28 intervals cover the true share" in coverage
    assert "Reliability and empathy are the top two at" in _output_of(nb, "n_rel_emp = ")
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # loadings, importance, priorities, estimates against the truth


def test_notebook_01_says_who_the_driver_analysis_uses(inst):
    """The text beside the analysis states what the analysis does on the example (audit L2).

    It said respondents without the phone-only drivers were left out (``not_asked``) and
    spoke of "about 200 complete cases per organisation"; every usable respondent is used.
    The ranges it states are those of the analysis it describes.
    """
    from analysis.drivers.analyse import analyse_drivers
    from instrument import read_responses

    nb = nbformat.read(NOTEBOOKS / "01_reproduce_ccc_study.ipynb", as_version=4)
    text = " ".join(" ".join(c.source for c in nb.cells if c.cell_type == "markdown").split())
    assert "not_asked" not in text and "complete cases" not in text
    data, _ = read_responses(ROOT / "data" / "example" / "responses.sav", inst)
    imp = analyse_drivers(data, inst, by="organisation", bootstrap=20, seed=1, pooling="none", sem=False)
    groups = imp.groups[imp.groups.group != "all"]
    flagged = imp.exclusion_counts[imp.exclusion_counts.code == "flagged"].n
    assert set(imp.exclusion_counts.code) <= {"flagged", "no_outcome", "missing_score"}

    def span(values) -> str:
        return f"{min(values)}-{max(values)}"

    assert f"phone respondents only ({span(groups.n_complete)} per organisation" in text
    assert f"too many missing answers: {span(flagged)} per organisation" in text
    assert f"leaves {span(groups.n_used)} of the {groups.n_input.max()} per organisation" in text
    assert f"about {round(groups.n_used.mean(), -1):.0f} respondents per organisation" in text


def test_notebook_02_gives_a_verdict_per_construct(run_notebook):
    nb = run_notebook("02_validate_your_pilot")
    assert "Refused:" in _output_of(nb, "try:")
    verdicts = _output_of(nb, "LOADING_MIN = ")
    assert "revise cfo2" in verdicts                       # the planted weak statement
    found = _output_of(nb, "planted = json.loads")
    assert "False" not in found and "3 of 3" in found      # every planted flaw is found


def test_notebook_03_writes_the_reports_outside_the_repository(run_notebook, tmp_path):
    nb = run_notebook("03_from_survey_export_to_report")
    out = tmp_path / "reports"
    written = sorted(p.name for p in out.iterdir())
    assert "study.html" in written and "tables.xlsx" in written
    assert sum(name.startswith("organisation-") and name.endswith(".html") for name in written) == 3
    assert not any(name.endswith(".pdf") for name in written)   # PDFs switched off for the test
    assert str(out) in _output_of(nb, "reports = build_reports(")
    summaries = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if '<section id="summary"' in o.get("data", {}).get("text/html", "")]
    assert len(summaries) == 1


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_limesurvey_export_is_what_its_script_makes(tmp_path):
    folder = ROOT / "data" / "limesurvey_example"
    made = _load_script(folder / "make_export.py").main(tmp_path)
    assert made.read_bytes() == (folder / made.name).read_bytes()
    assert (folder / made.name).stat().st_size < 1_000_000


def test_shipped_pilot_is_what_its_script_makes(tmp_path):
    folder = ROOT / "data" / "pilot"
    made = _load_script(folder / "make_pilot.py").main(tmp_path)
    shipped = folder / made.name
    pd.testing.assert_frame_equal(pd.read_excel(made), pd.read_excel(shipped))  # xlsx bytes carry time stamps
    planted = folder / "pilot.planted.json"
    assert json.loads((tmp_path / planted.name).read_text()) == json.loads(planted.read_text())
    assert shipped.stat().st_size < 1_000_000
