"""Every user-facing option: one declaration, one message, the same from Python and from the CLI.

For each option a bad value is given once to the public Python entry point and once to
the ``drivers`` command; the command must fail as a usage error (exit 2) naming the
flag, and its message must be the Python API's message word for word (the CLI adds
only the flag name). The limits are those declared in :mod:`analysis.common.options`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import (
    analyse_agents, analyse_dissatisfiers, analyse_drivers, analyse_themes, analyse_waves, build_dashboard, build_reports,
    simulate_study, simulate_waves, validate,
)
from analysis.bootstrap.importance import bootstrap_importance
from analysis.common.errors import ColumnOptionError, OptionError, ServiceDriversError
from analysis.common.options import MAX_BOOTSTRAP, OPTIONS, check_option, validate_options
from analysis.trends.analyse import wave_labels
from instrument import load_instrument, read_responses
from tests.cli_results import failed

CSV = "data/example/responses.csv"


@pytest.fixture(scope="module")
def example():
    inst = load_instrument()
    data, quality = read_responses(Path(__file__).parents[1] / CSV, inst)
    return inst, data.head(60), quality


def _analyse(**kw):
    return lambda inst, data, quality, tmp: analyse_drivers(data, inst, **kw)


def _validate(**kw):
    return lambda inst, data, quality, tmp: validate(data, inst, **kw)


def _report(**kw):
    return lambda inst, data, quality, tmp: build_reports(data, inst, quality, out_dir=tmp, pdf=False, **kw)


def _dashboard(**kw):
    return lambda inst, data, quality, tmp: build_dashboard(data, inst, quality, out=f"{tmp}.html", **kw)


def _read(**kw):
    return lambda inst, data, quality, tmp: read_responses(Path(__file__).parents[1] / CSV, inst, **kw)


def _themes(**kw):
    return lambda inst, data, quality, tmp: analyse_themes(data, inst, **kw)


def _agents(**kw):
    return lambda inst, data, quality, tmp: analyse_agents(data, inst, **kw)


def _dissatisfiers(**kw):
    return lambda inst, data, quality, tmp: analyse_dissatisfiers(data, inst, **kw)


def _simulate(**kw):
    return lambda inst, data, quality, tmp: simulate_study(inst, **kw)


def _trends(**kw):
    return lambda inst, data, quality, tmp: analyse_waves(data, inst, **kw)


def _simulate_waves(**kw):
    return lambda inst, data, quality, tmp: simulate_waves(inst, **kw)


def _waves(**kw):
    # the one check of --wave/--period that the reports and the dashboard run (before their long run)
    return lambda inst, data, quality, tmp: wave_labels(data, **kw)


# (option, its flag, the Python call, the command and its arguments)
CASES = [
    ("bootstrap", "--bootstrap", _analyse(bootstrap=10**9), ["analyse", CSV, "--bootstrap", "1000000000"]),
    ("bootstrap", "--bootstrap", _analyse(bootstrap=1), ["analyse", CSV, "--bootstrap", "1"]),
    ("bootstrap", "--bootstrap", _report(bootstrap=10**9), ["report", CSV, "--out", "{tmp}", "--bootstrap", "1000000000"]),
    ("seed", "--seed", _analyse(seed=-1), ["analyse", CSV, "--seed", "-1"]),
    ("seed", "--seed", _report(seed=-1), ["report", CSV, "--out", "{tmp}", "--seed", "-1"]),
    ("seed", "--seed", _simulate(seed=-1), ["simulate", "-o", "{tmp}/s.csv", "--seed", "-1"]),
    ("level", "--level", _analyse(level=95.0), ["analyse", CSV, "--level", "95"]),
    ("outcome", "--outcome", _analyse(outcome="loyalty"), ["analyse", CSV, "--outcome", "loyalty"]),
    ("importance", "--importance", _analyse(importance="shapley"), ["analyse", CSV, "--importance", "shapley"]),
    ("importance", "--importance", _analyse(importance="sem", sem=False),
     ["analyse", CSV, "--importance", "sem", "--no-sem"]),
    ("crosshair", "--crosshair", _analyse(crosshair="centre"), ["analyse", CSV, "--crosshair", "centre"]),
    ("pooling", "--pooling", _analyse(pooling="full"), ["analyse", CSV, "--pooling", "full"]),
    ("pooling", "--pooling", _dashboard(pooling="full"), ["dashboard", CSV, "-o", "{tmp}.html", "--pooling", "full"]),
    ("scheduler", "--scheduler", _analyse(scheduler="cluster"), ["analyse", CSV, "--scheduler", "cluster"]),
    ("scheduler", "--scheduler", _analyse(scheduler="dask://host"), ["analyse", CSV, "--scheduler", "dask://host"]),
    ("scheduler", "--scheduler", _report(scheduler="cluster"), ["report", CSV, "--out", "{tmp}", "--scheduler", "cluster"]),
    ("drivers", "--drivers", _analyse(drivers=["speed"]), ["analyse", CSV, "--drivers", "speed"]),
    ("drivers", "--drivers", _report(drivers=["speed"]), ["report", CSV, "--out", "{tmp}", "--drivers", "speed"]),
    ("by", "--by", _analyse(by="region"), ["analyse", CSV, "--by", "region"]),
    ("by", "--by", _validate(by="region"), ["validate", CSV, "--by", "region"]),
    ("by", "--by", _report(by="region"), ["report", CSV, "--out", "{tmp}", "--by", "region"]),
    ("missing", "--missing", _validate(missing="fiml"), ["validate", CSV, "--missing", "fiml"]),
    ("estimator", "--estimator", _validate(estimator="wlsmv2"), ["validate", CSV, "--estimator", "wlsmv2"]),
    ("estimator", "--estimator", _analyse(estimator="MLR"), ["analyse", CSV, "--estimator", "MLR"]),
    ("estimator", "--estimator", _report(estimator="gls"), ["report", CSV, "--out", "{tmp}", "--estimator", "gls"]),
    ("max_free", "--max-free", _validate(max_free=0), ["validate", CSV, "--partial", "--max-free", "0"]),
    ("lang", "--lang", _report(lang="de"), ["report", CSV, "--out", "{tmp}", "--lang", "de"]),
    ("language", "--language", _themes(language="fr"), ["themes", CSV, "--language", "fr"]),
    ("bootstrap", "--bootstrap", _dissatisfiers(bootstrap=1), ["dissatisfiers", CSV, "--bootstrap", "1"]),
    ("seed", "--seed", _dissatisfiers(seed=-1), ["dissatisfiers", CSV, "--seed", "-1"]),
    ("outcome", "--outcome", _dissatisfiers(outcome="loyalty"), ["dissatisfiers", CSV, "--outcome", "loyalty"]),
    ("by", "--by", _dissatisfiers(by="region"), ["dissatisfiers", CSV, "--by", "region"]),
    ("min_group_n", "--min-group-n", _report(min_group_n=0), ["report", CSV, "--out", "{tmp}", "--min-group-n", "0"]),
    ("min_n", "--min-n", _agents(min_n=0), ["agents", CSV, "--out", "{tmp}", "--min-n", "0"]),
    ("level", "--level", _agents(level=1.5), ["agents", CSV, "--out", "{tmp}", "--level", "1.5"]),
    ("duplicates", "--duplicates", _read(duplicates="keep"), ["check", CSV, "--duplicates", "keep"]),
    ("duplicates", "--duplicates", _read(duplicates="keep"), ["analyse", CSV, "--duplicates", "keep"]),
    ("absent_items", "--absent-items", _read(absent_items="skip"), ["validate", CSV, "--absent-items", "skip"]),
    ("absent_items", "--absent-items", _read(absent_items="skip"), ["report", CSV, "--out", "{tmp}", "--absent-items", "skip"]),
    ("n_orgs", "--orgs", _simulate(n_orgs=51), ["simulate", "-o", "{tmp}/s.csv", "--orgs", "51"]),
    ("n_per_org", "--n-per-org", _simulate(n_per_org=10**6), ["simulate", "-o", "{tmp}/s.csv", "--n-per-org", "1000000"]),
    ("truth_draws", "--truth-draws", _simulate(truth_draws=10**7),
     ["simulate", "-o", "{tmp}/s.csv", "--truth-draws", "10000000"]),
    ("truth_draws", "--truth-draws", _simulate(truth_draws=5),
     ["simulate", "-o", "{tmp}/s.csv", "--truth-draws", "5"]),
    ("n_waves", "--waves", _simulate_waves(n_waves=13), ["simulate", "-o", "{tmp}/s.csv", "--waves", "13"]),
    ("agent_sd", "--agent-sd", _simulate(agent_sd=2.5), ["simulate", "-o", "{tmp}/s.csv", "--agent-sd", "2.5"]),
    ("agent_sd", "--agent-sd", _simulate(agent_sd=-0.1), ["simulate", "-o", "{tmp}/s.csv", "--agent-sd", "-0.1"]),
    ("by", "--by", _trends(wave="wave", by="region"), ["trends", CSV, "--wave", "wave", "--by", "region"]),
    ("period", "--period", _trends(period="week"), ["trends", CSV, "--period", "week"]),
    ("period", "--period", _report(period="week"), ["report", CSV, "--out", "{tmp}", "--period", "week"]),
    ("baseline", "--baseline", _trends(wave="wave", baseline="all"), ["trends", CSV, "--wave", "wave", "--baseline", "all"]),
    ("bootstrap", "--bootstrap", _trends(wave="wave", bootstrap=1), ["trends", CSV, "--wave", "wave", "--bootstrap", "1"]),
    # an option naming a column the file lacks: a usage error of that flag in every command (the CLI adds the file)
    ("agent", "--agent", _agents(agent="nosuch"), ["agents", CSV, "--out", "{tmp}", "--agent", "nosuch"]),
    ("wave", "--wave", _trends(wave="nosuch"), ["trends", CSV, "--wave", "nosuch"]),
    ("wave", "--wave", _waves(wave="nosuch", period=None), ["report", CSV, "--out", "{tmp}", "--wave", "nosuch"]),
    ("wave", "--wave", _waves(wave="nosuch", period=None), ["dashboard", CSV, "-o", "{tmp}.html", "--wave", "nosuch"]),
]


@pytest.mark.parametrize("option, flag, call, args", CASES, ids=[f"{c[3][0]}-{c[1]}-{c[3][-1]}" for c in CASES])
def test_python_and_cli_say_the_same(option, flag, call, args, example, run_cli, tmp_path):
    inst, data, quality = example
    with pytest.raises(OptionError) as info:
        call(inst, data, quality, tmp_path / "api")
    message = str(info.value)
    assert info.value.option == option and message.startswith(f"{option} ") and len(message.splitlines()) == 1
    assert "--" not in message                          # the library never names a CLI flag
    flat = failed(run_cli(*[a.replace("{tmp}", str(tmp_path / "cli")) for a in args]), 2, flag)
    assert message in flat, (message, flat)
    if isinstance(info.value, ColumnOptionError):       # the CLI names the file the column is not in
        assert f"{CSV}: {message}" in flat, flat


def test_every_declared_option_has_a_case():
    covered = {c[0] for c in CASES} | {"n_resamples"}
    assert set(OPTIONS) <= covered, set(OPTIONS) - covered


def test_the_limit_is_in_one_place():
    # The bootstrap of the importance, called directly, has the same limit and message.
    data = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "y": [2.0, 1, 4, 3, 5]})
    with pytest.raises(OptionError, match=f"from 2 to {MAX_BOOTSTRAP}"):
        bootstrap_importance(data, "y", ["x"], n_resamples=MAX_BOOTSTRAP + 1)
    assert check_option("bootstrap", MAX_BOOTSTRAP) == MAX_BOOTSTRAP


@pytest.mark.parametrize("value", [True, 2.5, "2000", None, float("nan")])
def test_wrong_types_are_refused_with_the_same_format(value):
    with pytest.raises(OptionError, match=r"^bootstrap must be a whole number from 2 to \d+ \(e\.g\. 2000\), got "):
        check_option("bootstrap", value)


def test_numpy_integers_pass_as_python_ints():
    import numpy as np

    value = check_option("bootstrap", np.int64(200))
    assert value == 200 and type(value) is int


@pytest.mark.parametrize("value", ["threads", "processes", "auto", "dask://127.0.0.1:8786", "dask://scheduler.example:8786",
                                   "dask://[::1]:8786"])
def test_schedulers_allowed(value):
    assert check_option("scheduler", value) == value


@pytest.mark.parametrize("value", ["dask://host:0", "dask://host:70000", "tcp://host:8786", "dask://:8786", "Threads", 1])
def test_schedulers_refused(value):
    with pytest.raises(OptionError, match=r"^scheduler must be threads, processes, auto or dask://HOST:PORT"):
        check_option("scheduler", value)


def test_option_errors_are_project_errors_and_value_errors():
    assert issubclass(OptionError, ServiceDriversError) and issubclass(OptionError, ValueError)


def test_the_decorator_refuses_undeclared_options():
    with pytest.raises(KeyError, match="not declared"):
        validate_options("colour")
    with pytest.raises(TypeError, match="no parameter"):
        validate_options("bootstrap")(lambda n: n)
