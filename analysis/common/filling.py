"""Tasks that fill a process pool's workers whenever the runner's other work leaves one free.

A driver analysis on worker processes has two kinds of work: a chain of stages (point
estimates, the pooled bootstrap's rounds, priorities, KPIs) in which the calling process
merges each stage's results before it sends the next, and the structural models, which
depend on the sample only. Run one after the other, the workers sit idle while the caller
merges (at 1,000,000 x 200 the command's CPU timeline fell to 1.25-1.76 of 2 cores at each
such hand-over, benchmarks/RESULTS.md, session 11). :meth:`Runner.filling <analysis.common.scheduler.Runner.filling>` gives a runner
whose :meth:`~FillingRunner.map` sends its tasks to the same pool **one at a time, only
while a worker would otherwise be free**: never more of them in flight than the workers that
:meth:`Runner.map <analysis.common.scheduler.Runner.map>`'s batches leave free. A stage of
the chain therefore waits for at most one filling task per worker (the pool runs tasks in the
order they are sent), and the filling tasks take every moment the chain leaves. Each task is
a pure function of its arguments, so the results are those of ``Runner.map`` (the order of
``tasks``), whatever the timing.

This is a priority queue of two levels, the chain first, on a ``ProcessPoolExecutor``
(which has none): the same idea as Dask's task priorities (Rocklin 2015).

References
----------
Rocklin, M. (2015). Dask: Parallel computation with blocked algorithms and task
    scheduling. *Proceedings of the 14th Python in Science Conference*, 126-132.
"""
from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Sequence


class FillingCancelled(Exception):
    """The runner's other work failed: the filling tasks not yet sent are not run."""


class Filling:
    """One :meth:`FillingRunner.map` call's tasks: which wait, which run, what came back.

    The tasks are sent from the thread that waits for them (:meth:`run`), never from the
    pool's own thread: a future's callback only counts and wakes that thread.
    """

    def __init__(self, runner, func: Callable, tasks: Sequence[tuple], progress, weights) -> None:
        self._runner, self._func, self._progress = runner, func, progress
        self._tasks = list(tasks)
        self._weights = [1] * len(self._tasks) if weights is None else list(weights)
        self._total = int(sum(self._weights))
        self._waiting = collections.deque(range(len(self._tasks)))
        self._results: list = [None] * len(self._tasks)
        self.running = 0
        self._done = 0
        self._error: BaseException | None = None

    def run(self) -> list:
        """Send the tasks as workers come free and wait for them; their results in order, or a task's error raised."""
        changed = self._runner.changed
        reported = 0
        with changed:
            while self.running or (self._waiting and self._error is None):
                free = self._runner.free_workers()
                if free > 0 and self._waiting and self._error is None:
                    self._send(free)
                    continue
                changed.wait()
                if self._progress is not None and self._done != reported:
                    reported = self._done
                    changed.release()            # the caller's progress bar: not while holding the lock
                    try:
                        self._progress(reported, self._total)
                    finally:
                        changed.acquire()
        if self._error is not None:
            raise self._error
        if self._progress is not None and self._done != reported:     # the last tasks ended during a report
            self._progress(self._done, self._total)
        return self._results

    def _send(self, free: int) -> None:
        for _ in range(min(free, len(self._waiting))):
            k = self._waiting.popleft()
            args, self._tasks[k] = self._tasks[k], None        # the pool holds them until sent; not kept here
            try:
                future = self._runner.submit_one(self._func, args)
            except Exception as exc:                           # a broken or closed pool
                self._error = exc
                return
            self.running += 1
            future.add_done_callback(functools.partial(self._finished, k))

    def _finished(self, k: int, future) -> None:
        """A task's end (in the pool's thread): its result kept, the waiting thread woken."""
        with self._runner.changed:
            self.running -= 1
            error = future.exception()
            if error is not None:
                self._error = self._error or error
            else:
                self._results[k] = future.result()
                self._done += self._weights[k]
            self._runner.changed.notify_all()

    def cancel(self) -> None:
        """Send no more tasks; :meth:`run` raises once the running ones have ended (the runner's lock held)."""
        if self._error is None:
            self._error = FillingCancelled("stopped: the analysis beside it failed")
        self._runner.changed.notify_all()


class FillingRunner:
    """A runner whose :meth:`map` fills the workers another runner's :meth:`map` leaves free.

    Made by :meth:`Runner.filling <analysis.common.scheduler.Runner.filling>`; has the
    ``scheduler`` and ``n_workers`` of that runner. :meth:`map` blocks the calling thread
    (call it from a thread of its own, :func:`analysis.drivers.background.beside`).
    """

    def __init__(self, runner) -> None:
        self._runner = runner
        self.scheduler, self.n_workers = runner.scheduler, runner.n_workers
        self.keeps_remotely = False

    def map(self, func: Callable, tasks: Sequence[tuple], *, progress: Callable[[int, int], None] | None = None,
            weights: Sequence[int] | None = None) -> list:
        """``[func(*args) for args in tasks]`` on the free workers; results in the order of ``tasks``.

        ``progress(done, total)`` is called as tasks finish, from the calling thread.
        """
        filling = Filling(self._runner, func, tasks, progress, weights)
        self._runner.add_filling(filling)
        try:
            return filling.run()
        finally:
            self._runner.remove_filling(filling)
