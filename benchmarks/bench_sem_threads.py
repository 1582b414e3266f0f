"""Do two threads fitting organisations' structural models wait for each other (the GIL)?

Run from the repository root (Linux: reads ``/proc/self/task/<id>/schedstat``)::

    .venv/bin/python benchmarks/bench_sem_threads.py [--threads 2] [--orgs 6] [--repeats 2]

The organisations' pattern statistics are made first (``benchmarks/bench_analyse.py``'s scale
data, 20 organisations of 5,000, as ``drivers analyse`` prepares them; not timed). Then each of
``--threads`` threads fits the structural model of the first ``--orgs`` organisations
``--repeats`` times (:class:`analysis.sem.SEM`, as :func:`analysis.drivers.sem.fit_structural`
does), BLAS on one thread. For every thread the kernel's scheduler statistics split its wall
time into time **running** on a core, time **waiting for a core** (run queue: other processes,
i.e. the machine's load) and the rest, time **blocked**: here that is waiting for the GIL
(nothing else blocks: no input or output, no locks). On a quiet machine with as many cores as
threads, a blocked share near 0 means the threads overlap fully and worker processes would not
be faster; a large share is what processes would win back. Under load the threads mostly wait
for a core, so the blocked share says little: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyse import FLAGS, scale_data  # noqa: E402


def _schedstat() -> tuple[float, float]:
    """(running, waiting for a core) of the calling thread so far, in seconds."""
    with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
        run, wait, _ = f.read().split()
    return int(run) / 1e9, int(wait) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--orgs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import numpy as np

    from analysis.common.threads import limit_blas_threads
    from analysis.drivers.sem import _model_array, structural_syntax
    from analysis.sem import SEM, parse_syntax
    from analysis.sem.patterns import pattern_statistics
    from analysis.sem.spec import variable_roles
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(scale_data(20, 5000), inst)
    data = data[~data[FLAGS].any(axis=1).to_numpy()]
    groups = data.organisation.to_numpy()
    syntax = structural_syntax(inst, inst.driver_keys, "satisfaction")
    names = tuple(variable_roles(parse_syntax(syntax)).observed)
    stats = []
    for label in sorted(set(groups))[: args.orgs]:
        Y = _model_array(data, inst, inst.driver_keys, "satisfaction", names, groups == label)
        stats.append(pattern_statistics(Y, np.zeros(len(Y), dtype=int), [label], names, whole_sample=False)[0][label])
    results: dict[int, tuple[float, float, float]] = {}

    def work(k: int) -> None:
        run0, wait0 = _schedstat()
        t0 = time.perf_counter()
        for _ in range(args.repeats):
            for s in stats:
                SEM(syntax).fit(s, missing="ml", fmi=False).release_data()
        run1, wait1 = _schedstat()
        results[k] = (time.perf_counter() - t0, run1 - run0, wait1 - wait0)

    with limit_blas_threads(1):
        SEM(syntax).fit(stats[0], missing="ml", fmi=False)          # imports and first-call costs
        load = os.getloadavg()[0]
        threads = [threading.Thread(target=work, args=(k,)) for k in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"{args.threads} thread(s), each fitting {len(stats)} organisations x {args.repeats}; "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
    for k, (wall, run, wait) in sorted(results.items()):
        blocked = max(wall - run - wait, 0.0)
        print(f"thread {k}: wall {wall:.2f} s = running {run:.2f} s + waiting for a core {wait:.2f} s "
              f"+ blocked (GIL) {blocked:.2f} s ({blocked / wall:.0%} of wall)")


if __name__ == "__main__":
    main()
