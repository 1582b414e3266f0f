"""The reader's messages serve API and CLI users alike (issue 18, point 6 'Command line').

A message of instrument/reader that suggests a command-line flag also names the
Python argument it stands for ("id_column='...' (drivers check --id-column NAME)"),
since ``read_responses`` shows the same message to a notebook user.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from instrument import DataError, read_responses

READER = Path(__file__).parents[1] / "instrument" / "reader"
FLAG = re.compile(r"--([a-z][a-z-]+)")


def _messages():
    """(file, line, text) of every call whose string arguments mention a flag."""
    for path in sorted(READER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                text = " ".join(c.value for arg in [*node.args, *(k.value for k in node.keywords)]
                                for c in ast.walk(arg) if isinstance(c, ast.Constant) and isinstance(c.value, str))
                if FLAG.search(text):
                    yield path.name, node.lineno, text


def test_every_flag_in_a_reader_message_comes_with_its_python_argument():
    found = list(_messages())
    assert found, "no reader message names a flag: the test looks at nothing"
    for name, line, text in found:
        for flag in FLAG.findall(text):
            argument = flag.replace("-", "_")
            assert re.search(rf"\b{argument}\s*=", text), f"{name}:{line}: {flag} without {argument}=: {text[:150]}"


def test_the_id_column_message_names_the_argument_and_the_flag(tmp_path, inst):
    path = tmp_path / "r.csv"
    pd.DataFrame({"RespNr": ["a"], "organisation": ["X"]}).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        read_responses(path, inst)
    message = str(info.value)
    assert "id_column='...'" in message and "--id-column" in message
