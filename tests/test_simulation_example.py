"""The ``drivers simulate`` command and the shipped synthetic example study (data/example/)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_results import failed

from analysis.importance.relative import relative_importance
from analysis.scoring.scores import construct_scores
from analysis.simulation.simulate import DRIVERS, simulate_study

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def keyed_scores(frame: pd.DataFrame, inst) -> pd.DataFrame:
    items = frame[inst.item_ids].astype("float64")
    return construct_scores(items.where(items != 99), inst)


@pytest.fixture(scope="module")
def study(inst):
    """The example study's API twin: the default study with seed 2011."""
    return simulate_study(inst, seed=2011)


# --- CLI -------------------------------------------------------------------------------

def test_cli_writes_csv_sav_and_truth(run_cli, tmp_path, inst):
    import pyreadstat

    csv, sav = tmp_path / "study.csv", tmp_path / "study.sav"
    res = run_cli("simulate", "--orgs", "2", "--n-per-org", "50", "--seed", "3",
                  "--truth-draws", "20000", "-o", csv, "-o", sav)
    assert res.exit_code == 0, res.stderr
    assert f"to {csv}" in res.stdout and f"to {sav}" in res.stdout and "study.truth.json" in res.stdout
    frame = pd.read_csv(csv)
    assert list(frame.columns) == [v.id for v in inst.variables] and len(frame) == 100
    truth = json.loads((tmp_path / "study.truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["seed"] == 3 and "observed" in truth["organisations"]["Telecom"]
    data, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert meta.missing_ranges["wai1"] == [{"lo": 99.0, "hi": 99.0}]
    assert meta.variable_value_labels["channel"][1] == "Phone"
    assert meta.column_names_to_labels["rel1"].startswith("Reliability: ")
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    assert np.allclose(data[numeric].astype(float), frame[numeric].astype(float), equal_nan=True)


def test_cli_other_formats(run_cli, tmp_path):
    xlsx, parquet, truth = tmp_path / "s.xlsx", tmp_path / "s.parquet", tmp_path / "t.json"
    res = run_cli("simulate", "--orgs", "1", "--n-per-org", "20", "--truth-draws", "0",
                  "-o", xlsx, "-o", parquet, "--truth", truth)
    assert res.exit_code == 0, res.stderr
    assert pd.read_excel(xlsx).shape == (20, 43) and pd.read_parquet(parquet).shape == (20, 43)
    assert json.loads(truth.read_text())["generator"]["n_per_org"] == 20


@pytest.mark.parametrize("args, code, message", [
    # option values: usage errors (exit 2) naming the flag, in the library's words
    (["--orgs", "0"], 2, "n_orgs must be a whole number from 1 to 50, got 0"),
    (["--n-per-org", "-1"], 2, "n_per_org must be a whole number from 1 to"),
    (["-o", "/no/such/folder/x.csv"], 1, "does not exist"),
    (["-o", "{tmp}/x.txt"], 1, "extension"),
    (["--format", "dta", "-o", "{tmp}/x.csv"], 1, "unknown format"),
])
def test_cli_bad_arguments_fail_cleanly(run_cli, tmp_path, args, code, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "x.csv")]
    failed(run_cli("simulate", "--truth-draws", "0", *args), code, message)
    assert not any(tmp_path.iterdir())  # nothing written


# --- the shipped example ------------------------------------------------------------------

def test_example_regenerates_byte_identically(tmp_path):
    script = (EXAMPLE / "make_example.sh").read_text()
    command = next(line for line in script.splitlines() if line.strip().startswith('"$DRIVERS" simulate'))
    assert "--seed 2011" in command
    drivers = Path(sys.executable).parent / "drivers"  # this environment's console script
    env = {**os.environ, **({"DRIVERS": str(drivers)} if drivers.exists() else {})}
    result = subprocess.run(["bash", str(EXAMPLE / "make_example.sh"), str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    for name in ("responses.csv", "responses.sav", "truth.json"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_example_is_small_synthetic_and_its_top_two_are_recovered(inst):
    for path in EXAMPLE.iterdir():
        assert path.stat().st_size < 1_000_000, path.name
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() and "--seed 2011" in readme
    truth = json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))
    frame = pd.read_csv(EXAMPLE / "responses.csv", dtype={"respondent_id": str})
    assert len(frame) == 1500
    scores = keyed_scores(frame, inst)
    scores["organisation"] = frame["organisation"]
    for name, group in scores.groupby("organisation"):
        result = relative_importance(group.dropna(), "satisfaction", list(DRIVERS))
        estimated = set(result.table.sort_values("lmg_rank")["driver"][:2])
        assert estimated == set(truth["organisations"][name]["observed"]["top_two"]), name


def test_example_responses_match_the_api(study):
    frame = pd.read_csv(EXAMPLE / "responses.csv", dtype={"respondent_id": str, "agent_id": str})
    api = study.responses
    for col in ("rel1", "ckn3", "wai1", "nps", "fcr"):
        assert np.array_equal(frame[col].fillna(-1).to_numpy(), api[col].astype("float64").fillna(-1).to_numpy()), col
    assert (frame["why"].fillna("") == api["why"].fillna("")).all()
    assert re.fullmatch(r"R\d{5}", frame["respondent_id"][0])


def test_example_readme_tables_match_the_truth():
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    truth = json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))
    planted = truth["sample"]["planted"]
    for name, org in truth["organisations"].items():
        effects = " | ".join(f"{org['latent']['effects'][d]:.2f}".replace("0.", ".") for d in DRIVERS)
        assert f"| {name} | {effects} | {org['latent']['r2']:.3f}".replace("0.", ".") in readme, name
        observed = org["observed"]
        shares = " | ".join(f"{observed['lmg_pct'][d]:.0f}" for d in DRIVERS)
        top = ", ".join(observed["top_two"]).replace("_", " ")
        assert f"| {name} | {shares} | {observed['r2']:.3f} | {top} |".replace("0.", ".") in readme, name
    assert f"{len(planted['straightliners'])} straight-liners" in readme
    assert f"{len(planted['speeders'])} speeders" in readme
    assert f"{sum(map(len, planted['personal_data'].values()))} contain fake" in readme
