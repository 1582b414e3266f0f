"""The public Python API: the names the README and the notebooks use, what they accept and return."""
import inspect
import re
from pathlib import Path

import pandas as pd
import pytest

import analysis

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_public_names_resolve_to_documented_objects_of_the_topic_packages():
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        assert obj is not None and inspect.getdoc(obj), name
        # defined in a topic package, never in a flat top-level module
        assert obj.__module__.count(".") >= 1 and obj.__module__.startswith("analysis."), (name, obj.__module__)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018


def test_the_readme_python_example_uses_only_public_names_and_their_parameters():
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    imported = re.findall(r"from analysis import (.+)", block)[0].split(", ")
    assert set(imported) <= set(analysis.__all__)
    val_sig = inspect.signature(analysis.validate)
    imp_sig = inspect.signature(analysis.analyse_drivers)
    # the calls of the README bind to the signatures (positional data and instrument, then keywords)
    val_sig.bind(pd.DataFrame(), None, by="organisation")
    imp_sig.bind(pd.DataFrame(), None, by="organisation", bootstrap=2000, seed=1)
    for attribute in ("fit", "reliability", "invariance", "summary"):
        assert hasattr(analysis.ValidationResult, attribute) or attribute in analysis.ValidationResult.__dataclass_fields__
    for attribute in ("importance", "plot_priorities"):
        assert hasattr(analysis.DriverAnalysis, attribute) or attribute in analysis.DriverAnalysis.__dataclass_fields__


def test_thresholds_are_importable_as_the_notebooks_do():
    from analysis import thresholds

    assert thresholds.CFI is not None and "thresholds" not in analysis.__all__   # a module, not a function


def test_entry_points_refuse_bad_options_before_touching_the_data():
    """The declared options are checked first: no data is needed to be told the limit."""
    from analysis.common.errors import OptionError

    with pytest.raises(OptionError, match="^bootstrap must be a whole number from 2 to 100000"):
        analysis.analyse_drivers(None, None, bootstrap=10**9)
    with pytest.raises(OptionError, match="^missing must be one of ml, listwise, got 'fiml'"):
        analysis.validate(None, None, missing="fiml")
    with pytest.raises(OptionError, match="^n_per_org must be"):
        analysis.simulate_study(None, n_per_org=0)
    with pytest.raises(OptionError, match="^min_n must be a whole number of 1 or more"):
        analysis.analyse_agents(None, None, min_n=0)


def test_public_functions_keep_their_names_and_docs_after_validation():
    for func in (analysis.analyse_drivers, analysis.validate, analysis.simulate_study, analysis.build_reports,
                 analysis.build_dashboard, analysis.analyse_agents, analysis.analyse_waves,
                 analysis.simulate_waves):
        assert func.__name__ in analysis.__all__ and "Parameters" in func.__doc__
        assert hasattr(func, "options") and func.options          # the declared options it checks
