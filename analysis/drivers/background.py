"""Work of a driver analysis that runs beside the rest: the structural models.

The structural models (:mod:`analysis.drivers.sem`) depend on the analysis sample only,
not on the point estimates, the bootstrap, the priorities or the KPIs. With the
``threads`` scheduler on more than one core they are therefore fitted on a pool of
threads of their own, started as soon as the sample is drawn, while the calling thread
runs the rest on the analysis' pool. The stages of the rest that run in one thread (the
bootstrap's posterior draws in order, the tables) then overlap with the fits instead of
leaving a core idle, and the fits' own serial parts overlap with the bootstrap's tasks.
Every fit is a pure function of its group's rows, so the result is bit-identical to
fitting the models after the rest (tested). With worker processes a second pool would
double the memory: the fits go to the analysis' own pool, from a thread of their own, one
at a time and only to a worker the rest's stages leave free (:meth:`Runner.filling
<analysis.common.scheduler.Runner.filling>`), so that the workers keep fitting while the
caller merges a stage's results. On Dask the models are fitted on the analysis' runner
when they are asked for (a second client would double the connections).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from analysis.common.scheduler import Runner, open_runner


@contextlib.contextmanager
def beside(func: Callable | None, runner: Runner) -> Iterator[Callable[[], object]]:
    """``func(runner=...)`` started now beside the caller; yields a callable that returns its result.

    Parameters
    ----------
    func : callable or None
        Called with a ``runner`` keyword (a :class:`~analysis.common.scheduler.Runner`);
        None: nothing to run (the callable yielded returns None).
    runner : Runner
        The analysis' runner. With the ``threads`` scheduler and at least two workers,
        ``func`` runs at once in a thread of its own with a runner of its own (as many
        threads); with ``processes`` and at least two workers, at once in a thread of its
        own with ``runner.filling()``; otherwise it runs on ``runner`` in the caller's
        thread when its result is asked for.

    Yields
    ------
    callable
        Returns ``func``'s result, waiting for it (``func`` runs once, however often it
        is called); raises what ``func`` raised. On leaving the block the work is
        waited for (an error of the caller is raised after it).
    """
    if func is None:
        yield lambda: None
        return
    if runner.scheduler == "processes" and runner.n_workers >= 2:
        # the fits fill the workers the rest leaves free (analysis.common.filling): one pool,
        # its tasks sent from a thread of their own, never ahead of the rest's stages
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drivers-beside") as thread:
            future = thread.submit(func, runner=runner.filling())
            try:
                yield future.result
            except BaseException:
                runner.stop_filling()           # the rest failed: no more fits sent, its error raised
                raise
        return
    if runner.scheduler != "threads" or runner.n_workers < 2:
        done: list = []

        def when_asked():       # fitted once, however often asked for (the priorities may ask first)
            if not done:
                done.append(func(runner=runner))
            return done[0]

        yield when_asked
        return
    with open_runner(runner.scheduler, n_workers=runner.n_workers) as own, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="drivers-beside") as thread:
        future = thread.submit(func, runner=own)
        yield future.result
