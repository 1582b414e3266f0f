"""Tasks that fill the worker processes the analysis' stages leave free (analysis.common.filling)."""
from __future__ import annotations

import operator
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from analysis.common.filling import FillingCancelled
from analysis.common.scheduler import open_runner
from analysis.drivers.background import beside


def test_filling_tasks_wait_until_the_stages_leave_a_worker_free():
    """Four 0.5 s batches on two workers: a filling task is sent only once three have ended (about 1 s)."""
    with open_runner("processes", n_workers=2) as runner:
        runner.map(abs, [(-1,)] * 2)                     # the workers started
        sent = []
        submit = runner.submit_one

        def watched(func, args):
            sent.append(time.perf_counter())
            return submit(func, args)

        runner.submit_one = watched
        with ThreadPoolExecutor(max_workers=1) as stage:
            start = time.perf_counter()
            batches = stage.submit(runner.map, time.sleep, [(0.5,)] * 4)
            deadline = start + 5
            while runner.free_workers() > 0 and time.perf_counter() < deadline:     # the batches counted
                time.sleep(0.005)
            filled = runner.filling().map(pow, [(2, k) for k in range(12)])
            batches.result()
        assert filled == [2 ** k for k in range(12)]   # in the order of the tasks
        assert len(sent) == 12
        assert sent[0] - start > 0.7                   # not before the third batch ended (~1.0 s)
        assert runner.free_workers() == 2


def test_filling_reports_progress_and_gives_what_map_gives():
    with open_runner("processes", n_workers=2) as runner:
        seen = []
        tasks = [(3, k) for k in range(20)]
        out = runner.filling().map(pow, tasks, progress=lambda done, total: seen.append((done, total)))
        assert out == runner.map(pow, tasks)
        assert seen[-1] == (20, 20) and all(b >= a for (a, _), (b, _) in zip(seen, seen[1:]))
        assert runner.filling().map(pow, []) == []


def test_a_filling_tasks_error_is_raised():
    with open_runner("processes", n_workers=2) as runner:
        with pytest.raises(ZeroDivisionError):
            runner.filling().map(operator.truediv, [(1, 1), (1, 0), (2, 1)])
        assert runner.free_workers() == 2 and runner.map(abs, [(-3,)]) == [3]       # the pool still works


def test_stopped_filling_sends_no_more_tasks():
    with open_runner("processes", n_workers=2) as runner:
        sent = []
        submit = runner.submit_one
        runner.submit_one = lambda func, args: (sent.append(args), submit(func, args))[1]
        with ThreadPoolExecutor(max_workers=1) as thread:
            filled = thread.submit(runner.filling().map, time.sleep, [(0.2,)] * 30)
            while not sent:
                time.sleep(0.005)
            runner.stop_filling()
            with pytest.raises(FillingCancelled):
                filled.result()
        assert len(sent) <= 4


def test_filling_needs_worker_processes():
    with open_runner("threads", n_workers=2) as runner, pytest.raises(ValueError, match="processes"):
        runner.filling()


def test_beside_on_processes_fills_the_workers_and_stops_when_the_rest_fails():
    seen = {}

    def work(runner):
        seen["thread"], seen["runner"] = threading.current_thread().name, runner
        return runner.map(pow, [(2, k) for k in range(6)])

    with open_runner("processes", n_workers=2) as runner, beside(work, runner) as result:
        assert runner.map(abs, [(-k,) for k in range(8)]) == list(range(8))
        assert result() == [1, 2, 4, 8, 16, 32]
    assert seen["thread"].startswith("drivers-beside") and type(seen["runner"]).__name__ == "FillingRunner"

    def slow(runner):
        return runner.map(time.sleep, [(0.1,)] * 40)

    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="stage failed"):
        with open_runner("processes", n_workers=2) as runner, beside(slow, runner):
            time.sleep(0.2)
            raise RuntimeError("stage failed")
    assert time.perf_counter() - start < 2.0          # not the 2 s of all 40 tasks: the rest are not sent


def test_a_filling_that_starts_after_the_stop_sends_nothing():
    """The rest failed while the fits' tasks were still being prepared: none of them is sent."""
    with open_runner("processes", n_workers=2) as runner:
        runner.stop_filling()
        with pytest.raises(FillingCancelled):
            runner.filling().map(time.sleep, [(1.0,)] * 10)
        assert runner.free_workers() == 2
