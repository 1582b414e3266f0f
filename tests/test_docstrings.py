"""Every Example in a docstring runs, in every module of both packages.

Examples are documentation a user copies; this keeps them true. They run from the
repository root, so that paths like ``data/example/responses.csv`` resolve.
"""
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import analysis
import instrument

ROOT = Path(__file__).parents[1]
MODULES = sorted(
    name
    for package in (analysis, instrument)
    for _, name, _ in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module}"
    # An example marked '# doctest: +SKIP' is documentation only: not attempted, so not
    # counted as run. A module whose every example is skipped shows them as prose instead.
    examples = sum(len(t.examples) for t in doctest.DocTestFinder().find(importlib.import_module(module)))
    assert examples == 0 or result.attempted > 0, f"every example in {module} is skipped: run one or show them as code"
