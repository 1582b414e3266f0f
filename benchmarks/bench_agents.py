"""Coverage of the agents' posterior intervals (``analysis.agents.shrinkage``) against known truth.

Run from the repository root (a benchmark, never a test)::

    .venv/bin/python benchmarks/bench_agents.py [--reps 200] [--seeds 1 2 3]

Per scenario, ``reps`` teams are simulated with the agents' true means drawn as
``theta_a ~ N(5, tau²)`` for a known ``tau`` (0 included), answers
``y ~ N(theta_a, sigma² = 1.3²)`` and each answer served by one of ``agents`` agents at
random (like the example study: 30 agents, ~250 answers a team, so a third of the agents
reach the ``min_n = 10`` answers an agent page needs). Every agent informs the team's fit
(:func:`~analysis.agents.shrinkage.fit_team`); the intervals of the agents with at least
``min_n`` answers (:func:`~analysis.agents.shrinkage.shrink`) are scored: the share that
holds the agent's true mean (target 95%), the share of width zero, the mean width, and
the root mean squared error of the estimate against the raw mean's.

The same script measures the code it imports: run with ``PYTHONPATH=<other checkout>`` to
measure another version of the module (the 'before' figures in ``benchmarks/RESULTS.md``).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from analysis.agents.shrinkage import fit_team, shrink

SIGMA = 1.3
MIN_N = 10


def simulate_team(rng: np.random.Generator, tau: float, agents: int, answers: int):
    """Answers, agent labels and the agents' true means of one simulated team."""
    theta = 5.0 + tau * rng.standard_normal(agents)
    label = rng.integers(0, agents, answers)
    return theta[label] + SIGMA * rng.standard_normal(answers), label, theta


def score_team(values, label, theta, level: float = 0.95) -> dict[str, np.ndarray]:
    """Fit the team, shrink its agents with at least ``MIN_N`` answers; per agent: covered, width, errors."""
    fit = fit_team(values, label)
    n = np.bincount(label, minlength=theta.shape[0]).astype(float)
    shown = np.flatnonzero(n >= MIN_N)
    raw = np.bincount(label, weights=values, minlength=theta.shape[0])[shown] / n[shown]
    post = shrink(raw, n[shown], fit, level)
    truth = theta[shown]
    return {"covered": (post["ci_low"] <= truth) & (truth <= post["ci_high"]),
            "width": post["ci_high"] - post["ci_low"], "error": post["estimate"] - truth, "raw_error": raw - truth}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    start = time.process_time()
    print("| agents | answers | tau | seed | coverage | zero width | mean width | RMSE shrunk / raw |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for agents, answers in ((30, 250), (30, 1000), (10, 250)):
        for tau in (0.0, 0.05, 0.1, 0.2, 0.4):
            for seed in args.seeds:
                rng = np.random.default_rng([seed, agents, answers, int(1000 * tau)])
                parts = [score_team(*simulate_team(rng, tau, agents, answers)) for _ in range(args.reps)]
                cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
                rmse = np.sqrt(np.mean(cat["error"] ** 2)) / np.sqrt(np.mean(cat["raw_error"] ** 2))
                print(f"| {agents} | {answers} | {tau:.2f} | {seed} | {cat['covered'].mean():.3f} | "
                      f"{(cat['width'] < 1e-9).mean():.3f} | {cat['width'].mean():.2f} | {rmse:.2f} |", flush=True)
    print(f"CPU time: {time.process_time() - start:.0f} s")


if __name__ == "__main__":
    main()
