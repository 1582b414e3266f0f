"""The structural models fitted beside the rest of a driver analysis (analysis.drivers.background)."""
from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

import pytest

import analysis.drivers.analyse as analyse_module
from analysis.common.scheduler import open_runner
from analysis.drivers.analyse import analyse_drivers
from analysis.drivers.background import beside
from instrument import load_instrument, read_responses

DATA = Path(__file__).parents[1] / "data" / "example" / "responses.csv"


def test_beside_runs_in_a_thread_of_its_own_with_a_runner_of_its_own():
    seen = {}

    def work(runner):
        seen["thread"], seen["runner"] = threading.current_thread().name, runner
        return 42

    with open_runner("threads", n_workers=2) as runner, beside(work, runner) as result:
        assert result() == 42
    assert seen["thread"].startswith("drivers-beside")
    assert seen["runner"] is not runner and seen["runner"].n_workers == 2


def test_beside_runs_in_turn_on_one_worker_and_raises_the_error():
    calls = []

    def work(runner):
        calls.append((threading.current_thread(), runner))
        raise ValueError("no fit")

    with open_runner("threads", n_workers=1) as runner, beside(work, runner) as result:
        assert calls == []                      # not started before it is asked for
        with pytest.raises(ValueError, match="no fit"):
            result()
    assert calls == [(threading.current_thread(), runner)]
    with open_runner("threads", n_workers=2) as runner, beside(work, runner) as result:
        with pytest.raises(ValueError, match="no fit"):
            result()
    with open_runner("threads", n_workers=2) as runner, beside(None, runner) as result:
        assert result() is None


def test_the_work_runs_once_however_often_its_result_is_asked_for():
    """With importance='sem' the priorities ask for the models before the tables do: one fit each."""
    calls = []

    def work(runner):
        calls.append(runner)
        return len(calls)

    for scheduler, workers in (("threads", 1), ("threads", 2), ("processes", 2)):
        calls.clear()
        with open_runner(scheduler, n_workers=workers) as runner, beside(work, runner) as result:
            assert result() == 1 and result() == 1
        assert len(calls) == 1, scheduler


def test_models_fitted_beside_give_the_same_json_as_fitted_after(monkeypatch):
    inst = load_instrument()
    data, _ = read_responses(DATA, inst)
    options = dict(by="organisation", bootstrap=40, seed=3, scheduler="threads")
    result = analyse_drivers(data, inst, **options)
    assert result.sem is not None and result.sem["std"].notna().any()        # the models are in it
    beside_doc = json.dumps(result.to_dict(), sort_keys=True, default=str)

    @contextlib.contextmanager
    def after(func, runner):            # the models fitted on the analysis' runner when asked for
        yield (lambda: None) if func is None else (lambda: func(runner=runner))

    monkeypatch.setattr(analyse_module, "beside", after)
    after_doc = json.dumps(analyse_drivers(data, inst, **options).to_dict(), sort_keys=True, default=str)
    assert beside_doc == after_doc


def test_the_command_leaves_the_garbage_collector_as_it_found_it():
    import gc

    from analysis.cli.analyse import GC_YOUNG_THRESHOLD, _data_kept_to_the_end

    before = gc.get_threshold()
    with _data_kept_to_the_end():
        assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), _data_kept_to_the_end():
        raise RuntimeError("stopped")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
