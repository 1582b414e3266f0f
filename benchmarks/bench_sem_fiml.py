"""Time the FIML invariance steps on a simulated 1,500-respondent, 31-item, 4-group survey.

Run from the repository root::

    .venv/bin/python benchmarks/bench_sem_fiml.py [--repeats 5] [--threads default|1]

The data come from ``tests/sem_fixture_data.simulate_survey`` (the generator of
the survey test fixture) scaled to 375 respondents in each of 4 sites; ~3% of
answers missing at random, 8 phone-only items missing for ~60% of respondents.
Prints the median wall-clock and CPU time of each step (configural, metric,
scalar) over the repeats; steps run one after another, never in parallel.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sem_fixture_data import SURVEY_MODEL, simulate_survey  # noqa: E402

from analysis.sem import SEM  # noqa: E402

STEPS = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", choices=("default", "1"), default="1",
                        help="'1' lets SEM limit BLAS to one thread (its default); "
                             "'default' disables that limit for comparison")
    args = parser.parse_args()
    if args.threads == "default":
        import contextlib

        import analysis.sem.model as sem_model
        sem_model.limit_blas_threads = lambda n_threads=1: contextlib.nullcontext()
    data = simulate_survey(n_per_group=(375, 375, 375, 375), seed=2024, n_empty=4)
    print(f"{len(data)} rows, {data.shape[1] - 3} items, 4 groups, "
          f"{data.iloc[:, 3:].isna().mean().mean():.1%} of cells missing; BLAS threads: {args.threads}")
    for step, equal in STEPS.items():
        wall, cpu = [], []
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            fit = SEM(SURVEY_MODEL).fit(data, group="site", group_equal=equal, missing="ml")
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        f = fit.fit_
        print(f"{step:<11} wall {statistics.median(wall):6.2f} s (min {min(wall):.2f}, max "
              f"{max(wall):.2f})  cpu {statistics.median(cpu):6.2f} s  chi2 {f.chi2:.3f} df {f.df} "
              f"npar {f.npar} iterations {fit.iterations_} converged {fit.converged_}")


if __name__ == "__main__":
    main()
