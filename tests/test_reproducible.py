"""The same seed gives the same figures on any machine.

``drivers simulate`` and ``drivers analyse`` (bootstrap and SEM included) with fixed seeds
are run on a small study, and the analysis' JSON is compared with the document committed
in ``tests/fixtures/reproducible/`` (made on another machine: see ``make_reference``). The
JSON's floats are rounded to 6 significant digits (``analysis.common.outputs.round_floats``)
because their last bits depend on the BLAS kernel the CPU selects; a figure is allowed to
differ by one unit in its last rounded digit only, for a value that lies within that noise
of a rounding boundary. The simulated responses must be byte-identical.

The BLAS environment is not changed here (the suite runs as the machine sets it); check by
hand with ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE make test`` and with another kernel,
e.g. ``OPENBLAS_CORETYPE=Prescott``.

Regenerate the reference only on purpose (a change of method): ``python tests/test_reproducible.py``.
"""
from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "reproducible"
SIMULATE = ["simulate", "--orgs", "3", "--n-per-org", "200", "--seed", "7", "--truth-draws", "0"]
ANALYSE = ["--by", "organisation", "--bootstrap", "200", "--seed", "1"]
VOLATILE = {"version"}   # meta.version changes with every release, not with the machine


def _figures(document, path=""):
    """(path, value) for every number and string in the document, in order."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key not in VOLATILE:
                yield from _figures(value, f"{path}.{key}")
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _figures(value, f"{path}[{i}]")
    else:
        yield path, document


def _last_digit_unit(value: float) -> float:
    """One unit in the last of 6 significant digits of ``value``."""
    return 0.0 if value == 0 else 10.0 ** (math.floor(math.log10(abs(value))) - 5)


def _differences(reference: dict, result: dict) -> list[str]:
    """Figures of the reference that the result lacks or has different.

    Keys the result has beyond the reference's are allowed: the JSON document only ever
    adds keys (:mod:`analysis.drivers.json_document`), and the reference is regenerated
    only for a change of method.
    """
    ref, res = list(_figures(reference)), dict(_figures(result))
    missing = [p for p, _ in ref if p not in res]
    if missing:
        return [f"keys missing from the result: {missing[:5]}"]
    out = []
    for path, a in ref:
        b = res[path]
        if isinstance(a, float) and isinstance(b, (float, int)):
            if abs(a - b) > 1.01 * max(_last_digit_unit(a), _last_digit_unit(b)):
                out.append(f"{path}: {a} != {b}")
        elif a != b:
            out.append(f"{path}: {a!r} != {b!r}")
    return out


def test_same_seed_same_figures_as_on_the_reference_machine(run_cli, tmp_path):
    responses = tmp_path / "study.csv"
    result = tmp_path / "analysis.json"
    assert run_cli(*SIMULATE, "-o", responses).exit_code == 0
    expected = json.loads((FIXTURE / "checksums.json").read_text())
    assert hashlib.sha256(responses.read_bytes()).hexdigest() == expected["study.csv"]
    assert run_cli("analyse", responses, *ANALYSE, "--json", result).exit_code == 0
    reference = json.loads((FIXTURE / "analysis.json").read_text())
    differences = _differences(reference, json.loads(result.read_text()))
    assert not differences, "\n".join(differences[:20])


def test_comparison_catches_a_changed_figure():
    reference = {"meta": {"version": "1", "n": 3}, "groups": {"a": {"lmg": [0.123456, 10.0]}}}
    assert _differences(reference, {"meta": {"version": "2", "n": 3},
                                    "groups": {"a": {"lmg": [0.123457, 10.0]}}}) == []
    assert _differences(reference, {"meta": {"version": "1", "n": 3},
                                    "groups": {"a": {"lmg": [0.123459, 10.0]}}})
    assert _differences(reference, {"meta": {"version": "1", "n": 4},
                                    "groups": {"a": {"lmg": [0.123456, 10.0]}}})
    # a key added to the document is allowed, one taken away is not
    assert _differences(reference, {"meta": {"version": "1", "n": 3, "pooling": {"used": "none"}},
                                    "groups": {"a": {"lmg": [0.123456, 10.0]}}}) == []
    assert _differences(reference, {"meta": {"version": "1"}, "groups": {"a": {"lmg": [0.123456, 10.0]}}})


def make_reference() -> None:
    """Write the reference files with this environment's ``drivers`` (run on purpose only)."""
    import tempfile
    drivers = str(Path(sys.executable).parent / "drivers")
    with tempfile.TemporaryDirectory() as tmp:
        responses, result = Path(tmp) / "study.csv", Path(tmp) / "analysis.json"
        subprocess.run([drivers, *SIMULATE, "-o", str(responses)], check=True, capture_output=True)
        subprocess.run([drivers, "analyse", str(responses), *ANALYSE, "--json", str(result)],
                       check=True, capture_output=True)
        FIXTURE.mkdir(parents=True, exist_ok=True)
        (FIXTURE / "checksums.json").write_text(json.dumps(
            {"study.csv": hashlib.sha256(responses.read_bytes()).hexdigest()}, indent=2) + "\n")
        (FIXTURE / "analysis.json").write_text(result.read_text())


if __name__ == "__main__":
    make_reference()
