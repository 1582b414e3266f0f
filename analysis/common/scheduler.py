"""Where per-group work runs: threads of this process, processes of this machine, or a Dask cluster.

The analyses are embarrassingly parallel over groups (organisations): every group's
bootstrap, point estimates and structural model depend on that group's rows only
(and, for the bootstrap, on that group's own random stream, spawned from the seed with
:class:`numpy.random.SeedSequence`). So a group's result does not depend on where or
when it is computed, and :func:`map_tasks` returns the results in the order of the
tasks whatever order they finish in: the analysis is bit-identical on every scheduler.

``scheduler`` is one of

* ``"threads"`` (the default): a thread pool in this process (numpy and the linear
  algebra release the GIL; no data is copied);
* ``"processes"``: a pool of worker processes on this machine (each holds the GIL of
  its own: faster at a million respondents, see :data:`PROCESSES_FROM_ROWS`; forked from a
  server process that has the analysis imported, :func:`start_worker_server`; a script that
  uses it needs the ``if __name__ == "__main__":`` guard that Python's 'forkserver' and
  'spawn' start methods ask for);
* ``"auto"``: ``"processes"`` from :data:`PROCESSES_FROM_ROWS` rows of data, ``"threads"``
  below (and when the size is not known), the ``drivers analyse`` command's default;
* ``"dask://HOST:PORT"``: the workers of a running Dask cluster (``dask scheduler`` +
  ``dask worker``, or a ``distributed.LocalCluster``), needing the optional extra
  ``dask`` (``pip install 'service-drivers[dask]'``). A worker that dies is replaced and
  its tasks are run again by Dask (the results are the same, the tasks being pure).

References
----------
Rocklin, M. (2015). Dask: Parallel computation with blocked algorithms and task
    scheduling. *Proceedings of the 14th Python in Science Conference*, 126-132.
"""
from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence

from analysis.common.errors import ServiceDriversError
from analysis.common.options import check_option

DASK_PREFIX = "dask://"
# Tasks per worker on Dask: a few, so that a slow or lost worker holds back little work, and
# not more, so that the per-task overhead (about 1 ms on Dask) stays small against the work.
TASKS_PER_WORKER = 4
# Tasks per worker on this machine's threads and processes, where a task costs no network
# round trip: more, because a stage ends when its last task does. With four, the structural
# models' 201 fits at 1,000,000 x 200 went in batches of 26 (the whole sample's 9 s fit and
# 25 organisations' in the first), and one of two workers sat idle for several seconds at the
# end of each stage (benchmarks/RESULTS.md, session 10).
LOCAL_TASKS_PER_WORKER = 16
# How long to wait for a Dask scheduler to answer before saying it cannot be reached.
CONNECT_TIMEOUT = "10s"
# ``scheduler="auto"`` runs worker processes from this many rows (respondents), threads
# below. Measured (benchmarks/RESULTS.md, session 9): at 1,000,000 respondents x 200
# organisations processes took 110 s against threads' 130 s while the host ran slowly and
# 89 s against 94 s in a quiet hour (medians of 4 and 3-4 alternating runs, same JSON): the
# many small array operations of the structural models and the pooling hold the GIL that
# threads share. At 100,000 the two were alike, and on the 1,500-respondent example study
# processes cost 2 s more (starting them and importing the package in each).
PROCESSES_FROM_ROWS = 500_000
# What worker processes have imported before their first task: they are forked from a server
# process that imported these once (Python's 'forkserver'), rather than each started afresh
# and importing the analysis (about 3 s of CPU per worker, benchmarks/RESULTS.md, session 10).
WORKER_PRELOAD = ("analysis.drivers.analyse",)


def start_worker_server() -> None:
    """Start, in the background, the process that worker processes are forked from (its imports in it).

    Python's 'forkserver' start method: a server process, started from a fresh
    interpreter, imports :data:`WORKER_PRELOAD` once, and each worker is then a fork of
    that quiet, single-threaded process (not of this one, whose BLAS and pool threads a
    fork could leave locked), ready for its first task at once. Called before a long
    serial step (reading the data) the imports overlap with it. Returns at once; a
    second call does nothing. Where the method does not exist (Windows) the workers are
    spawned as before.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    # '__main__' as by default: a task function defined in the caller's script unpickles in the workers
    multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", *WORKER_PRELOAD])
    forkserver.ensure_running()


def _process_context():
    """The start method of worker processes: 'forkserver' (its server started) where it exists, else 'spawn'."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        start_worker_server()
        return multiprocessing.get_context("forkserver")
    # 'spawn': a fork of a process that runs BLAS or pool threads can deadlock in the child
    return multiprocessing.get_context("spawn")


def dask_address(scheduler: str) -> str:
    """The Dask scheduler's TCP address of ``'dask://HOST:PORT'`` (``'tcp://HOST:PORT'``)."""
    return "tcp://" + scheduler[len(DASK_PREFIX):]


def _run_batch(func: Callable, batch: Sequence[tuple], blas_threads: int | None) -> list:
    """Run ``func(*args)`` for each args of a batch, in order (one task of a worker)."""
    from analysis.common.threads import limit_blas_threads

    # In a worker process the BLAS limit of the caller does not hold: set it again (many
    # small matrices, for which BLAS threads cost more than they save).
    with limit_blas_threads(blas_threads):
        return [func(*args) for args in batch]


def _run_one(func: Callable, args: tuple, blas_threads: int | None):
    """``func(*args)`` with the BLAS limit of :func:`_run_batch` (a task whose result is kept)."""
    from analysis.common.threads import limit_blas_threads

    with limit_blas_threads(blas_threads):
        return func(*args)


def tasks_per_worker(runner) -> int:
    """How many tasks a stage is split into per worker of ``runner`` (a :class:`Runner`)."""
    return TASKS_PER_WORKER if getattr(runner, "keeps_remotely", False) else LOCAL_TASKS_PER_WORKER


def _batches(n_tasks: int, n_workers: int, per_worker: int = TASKS_PER_WORKER) -> list[range]:
    size = max(1, -(-n_tasks // (per_worker * max(n_workers, 1))))
    return [range(start, min(start + size, n_tasks)) for start in range(0, n_tasks, size)]


class Runner:
    """Runs lists of independent tasks on one scheduler; made by :func:`open_runner`.

    Attributes
    ----------
    scheduler : str
    n_workers : int
        Workers (threads, processes or Dask worker threads) the tasks are spread over.
    dashboard : str or None
        The Dask dashboard's address (where Dask shows the progress), when there is one.
    closed : bool
        The block of :func:`open_runner` has ended: its threads, processes or connection
        to the cluster are gone (what :meth:`keep` left on Dask workers is gone with them).
    """

    def __init__(self, scheduler: str, pool=None, client=None, n_workers: int = 1) -> None:
        self.scheduler, self._pool, self._client, self.n_workers = scheduler, pool, client, n_workers
        self.dashboard = getattr(client, "dashboard_link", None) if client is not None else None
        self.closed = False
        # what :meth:`filling` needs: the batches of :meth:`map` not yet ended, the fillings,
        # and a condition that the futures' callbacks notify (analysis.common.filling)
        self.changed = threading.Condition(threading.RLock())
        self._busy = 0
        self._fillings: list = []
        self._filling_stopped = False

    def filling(self):
        """A runner whose ``map`` runs its tasks on this runner's workers whenever this one's :meth:`map` leaves one free.

        Only on ``processes`` (see :mod:`analysis.common.filling`): a stage of :meth:`map`
        then waits for at most one such task per worker, and the workers do not sit idle
        while the caller merges a stage's results. The results are those of :meth:`map`.
        """
        from analysis.common.filling import FillingRunner

        if self.scheduler != "processes" or self._pool is None:
            raise ValueError("filling runs on a pool of worker processes only")
        return FillingRunner(self)

    def submit_one(self, func: Callable, args: tuple):
        """``func(*args)`` sent to the pool as one task (BLAS limited as in :meth:`map`); its future."""
        return self._pool.submit(_run_one, func, args, 1)

    def free_workers(self) -> int:
        """Workers that neither :meth:`map`'s batches nor running filling tasks take (the lock held)."""
        return self.n_workers - self._busy - sum(f.running for f in self._fillings)

    def add_filling(self, filling) -> None:
        with self.changed:
            self._fillings.append(filling)
            if self._filling_stopped:       # stopped before this filling's tasks were ready
                filling.cancel()

    def remove_filling(self, filling) -> None:
        with self.changed:
            self._fillings.remove(filling)

    def stop_filling(self) -> None:
        """No more filling tasks sent, now or by a later filling: the work they fill beside has failed."""
        with self.changed:
            self._filling_stopped = True
            for filling in self._fillings:
                filling.cancel()

    def _batch_ended(self, _future) -> None:
        with self.changed:
            self._busy -= 1
            self.changed.notify_all()

    @property
    def keeps_remotely(self) -> bool:
        """Whether :meth:`keep`'s handles are futures on a cluster (else the results themselves)."""
        return self._client is not None

    def map(self, func: Callable, tasks: Sequence[tuple], *, progress: Callable[[int, int], None] | None = None,
            weights: Sequence[int] | None = None) -> list:
        """``[func(*args) for args in tasks]``, run in parallel; results in the order of ``tasks``.

        ``func`` must be a module-level function (it is pickled for processes and Dask).
        ``progress(done, total)`` is called in this thread as tasks finish, counting
        ``weights`` (one per task; 1 each by default).
        """
        tasks = list(tasks)
        weights = [1] * len(tasks) if weights is None else list(weights)
        total = int(sum(weights))
        if not tasks:
            return []
        batches = _batches(len(tasks), self.n_workers, tasks_per_worker(self))
        if self._pool is None and self._client is None:
            results, done = [], 0
            for args, w in zip(tasks, weights):
                results.append(func(*args))
                done += w
                _report(progress, done, total)
            return results
        blas = None if self.scheduler == "threads" else 1      # threads share this process' limit
        out: list = [None] * len(batches)
        done = 0
        for k, result in self._completed(func, tasks, batches, blas):
            out[k] = result
            done += sum(weights[i] for i in batches[k])
            _report(progress, done, total)
        return [r for part in out for r in part]

    def keep(self, func: Callable, tasks: Sequence[tuple]) -> list:
        """``func(*args)`` for each task, each result kept where it was computed; one handle per task.

        On Dask a handle is a future: the result stays in the memory of the worker that
        made it (and is made again by Dask if that worker dies), and a later
        :meth:`keep` or :meth:`map` whose task arguments hold handles runs on a worker
        that reads them there, so the data never pass through this process. On threads
        and processes a handle is the result itself (there is no other memory to keep
        it in). :meth:`gather` brings handles' results here; :meth:`release` frees them.
        """
        tasks = list(tasks)
        if self._client is None:
            blas = None if self.scheduler == "threads" else 1
            if self._pool is None:
                return [func(*args) for args in tasks]
            return [f.result() for f in [self._pool.submit(_run_one, func, args, blas) for args in tasks]]
        run = uuid.uuid4().hex[:8]
        return [self._client.submit(_run_one, func, args, 1, pure=False, retries=1,
                                    key=f"{func.__name__.lstrip('_')}-{run}-{k}") for k, args in enumerate(tasks)]

    def gather(self, handles: Sequence) -> list:
        """The results behind handles of :meth:`keep`, here, in their order."""
        return self._client.gather(list(handles)) if self._client is not None else list(handles)

    def release(self, handles: Sequence) -> None:
        """Let the workers forget the results behind handles of :meth:`keep` (no-op off Dask)."""
        if self._client is not None:
            for handle in handles:
                handle.release()

    def _completed(self, func, tasks, batches, blas) -> Iterator[tuple[int, list]]:
        if self._client is not None:
            from distributed import as_completed

            # pure=False: a task is never taken from an earlier call's results by its key
            # keys name the function, so that Dask's dashboard and task stream show what runs
            run = uuid.uuid4().hex[:8]
            futures = [self._client.submit(_run_batch, func, [tasks[i] for i in b], blas, pure=False, retries=1,
                                           key=f"{func.__name__.lstrip('_')}-{run}-{k}")
                       for k, b in enumerate(batches)]
            index = {f.key: k for k, f in enumerate(futures)}
            try:
                for future in as_completed(futures, loop=self._client.loop):
                    yield index[future.key], future.result()
            finally:
                for future in futures:
                    future.release()
            return
        from concurrent.futures import as_completed as completed

        futures = {}
        with self.changed:      # all sent and counted before a filling task can be (Runner.filling)
            for k, b in enumerate(batches):
                future = self._pool.submit(_run_batch, func, [tasks[i] for i in b], blas)
                self._busy += 1
                future.add_done_callback(self._batch_ended)
                futures[future] = k
        for future in completed(futures):
            yield futures[future], future.result()


def _report(progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def resolve_scheduler(scheduler: str, n_rows: int | None = None) -> str:
    """The scheduler ``'auto'`` stands for with ``n_rows`` rows of data; any other one unchanged.

    Examples
    --------
    >>> resolve_scheduler("auto", 1_000_000), resolve_scheduler("auto", 2_000), resolve_scheduler("auto")
    ('processes', 'threads', 'threads')
    >>> resolve_scheduler("threads", 1_000_000)
    'threads'
    """
    if scheduler != "auto":
        return scheduler
    return "processes" if n_rows is not None and n_rows >= PROCESSES_FROM_ROWS else "threads"


@contextlib.contextmanager
def open_runner(scheduler: str = "threads", *, n_workers: int | None = None,
                n_rows: int | None = None) -> Iterator[Runner]:
    """A :class:`Runner` on ``scheduler`` for the duration of the block.

    Parameters
    ----------
    scheduler : str
        ``'threads'``, ``'processes'`` or ``'dask://HOST:PORT'`` (see the module).
    n_workers : int, optional
        Threads or processes (default: the CPUs this process may use); ignored for Dask,
        whose cluster has its own workers.
    n_rows : int, optional
        Rows of the data the work is on, which ``'auto'`` decides by (:func:`resolve_scheduler`).

    Raises
    ------
    OptionError
        ``scheduler`` is none of these.
    ServiceDriversError
        A Dask scheduler without the ``dask`` extra installed, or one that cannot be reached.
    """
    scheduler = resolve_scheduler(check_option("scheduler", scheduler), n_rows)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = max(1, int(n_workers) if n_workers is not None else cpus)
    with _runner(scheduler, workers) as runner:
        try:
            yield runner
        finally:
            runner.closed = True


@contextlib.contextmanager
def _runner(scheduler: str, workers: int) -> Iterator[Runner]:
    if scheduler == "threads":
        if workers == 1:
            yield Runner(scheduler)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drivers") as pool:
            yield Runner(scheduler, pool=pool, n_workers=workers)
        return
    if scheduler == "processes":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
            yield Runner(scheduler, pool=pool, n_workers=workers)
        return
    with _dask_client(scheduler) as client:
        threads = sum(client.nthreads().values()) or 1
        yield Runner(scheduler, client=client, n_workers=threads)


@contextlib.contextmanager
def _dask_client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise ServiceDriversError(f"the scheduler {scheduler} needs Dask: install the optional extra with "
                                  "pip install 'service-drivers[dask]'") from None
    try:
        client = Client(dask_address(scheduler), timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ServiceDriversError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
                                  "'dask scheduler' and 'dask worker', or check the host and port") from None
    try:
        yield client
    finally:
        client.close()
