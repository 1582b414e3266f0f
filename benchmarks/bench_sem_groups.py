"""Time the structural model of ``drivers analyse`` per organisation and for the whole sample.

Run from the repository root::

    .venv/bin/python benchmarks/bench_sem_groups.py [--orgs 20] [--n-per-org 5000] [--fit-orgs 20] [--repeats 3]

The data are ``benchmarks/bench_analyse.py``'s scale data (``simulate_study``, cached as
Parquet in the temp folder, not timed), read with ``read_responses`` and without the
respondents flagged for exclusion, as ``drivers analyse`` uses them. Each repeat calls
:func:`analysis.drivers.sem.fit_structural` for the first ``--fit-orgs`` organisations
and the whole sample (everything it does is timed: the items, the pattern statistics,
every FIML fit), on one thread (``runner=None``) and with BLAS on one thread, as in
``drivers analyse``. Prints the median over the repeats of the wall and CPU time (user +
sys of this process) per organisation and of the whole-sample fit.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyse import FLAGS, scale_data  # noqa: E402


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--n-per-org", type=int, default=5000)
    parser.add_argument("--fit-orgs", type=int, default=None, help="organisations fitted (default all)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from analysis.common.threads import limit_blas_threads
    from analysis.drivers.sem import fit_structural
    from instrument import load_instrument, read_responses

    inst = load_instrument()
    data, _ = read_responses(scale_data(args.orgs, args.n_per_org), inst)
    data = data[~data[FLAGS].any(axis=1).to_numpy()]
    groups = data.organisation.to_numpy()
    labels = sorted(set(groups))[: args.fit_orgs or args.orgs]
    import analysis

    print(f"{len(data):,} respondents used, {len(set(groups))} organisations; fitting {len(labels)} and the "
          f"whole sample; code from {Path(analysis.__file__).parents[1]}; load {os.getloadavg()[0]:.1f}", flush=True)
    per_org, per_org_cpu, whole, whole_cpu = [], [], [], []
    for _ in range(args.repeats):
        with limit_blas_threads(1):
            t0, c0 = time.perf_counter(), _cpu()
            fits = fit_structural(data, inst, groups, labels, drivers=inst.driver_keys, outcome="satisfaction",
                                  whole_sample=None)
            t1, c1 = time.perf_counter(), _cpu()
            everything = fit_structural(data, inst, groups, [], drivers=inst.driver_keys, outcome="satisfaction",
                                        whole_sample="all")
            t2, c2 = time.perf_counter(), _cpu()
        per_org.append((t1 - t0) / len(labels))
        per_org_cpu.append((c1 - c0) / len(labels))
        whole.append(t2 - t1)
        whole_cpu.append(c2 - c1)
    usable = int(fits.fit.usable.sum())
    print(f"per organisation: wall {statistics.median(per_org):.3f} s, CPU {statistics.median(per_org_cpu):.3f} s "
          f"(median of {args.repeats}; {usable}/{len(labels)} usable fits, n about {int(fits.fit.n.median())})")
    print(f"whole sample (n = {int(everything.fit.n.iloc[0]):,}): wall {statistics.median(whole):.2f} s, "
          f"CPU {statistics.median(whole_cpu):.2f} s; chi2 {everything.fit.chi2.iloc[0]:.6f}; "
          f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
