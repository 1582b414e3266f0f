"""Does this host give two cores' worth of work on two vCPUs right now?

Times a CPU-bound Python loop alone and as two processes at once, and prints how much
slower each of the pair ran. About 1.0x: the vCPUs are independent and timings of the
multi-threaded commands can be compared with earlier ones; 1.3-1.5x (seen on the Xeon guest
at some hours, like two hyperthreads of one core): the host, not the code, sets the wall
time of anything that runs on both vCPUs. Run it before and after a benchmark
(benchmarks/RESULTS.md, session 9).

Usage: python benchmarks/bench_host.py [--pairs 3] [--steps 20000000]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

LOOP = """
import time
t = time.process_time()
x = 0
for i in range({steps}):
    x += i * i
print(time.process_time() - t)
"""


def run(n_processes: int, steps: int) -> list[float]:
    """CPU seconds of each of ``n_processes`` loops started together."""
    procs = [subprocess.Popen([sys.executable, "-c", LOOP.format(steps=steps)], stdout=subprocess.PIPE, text=True)
             for _ in range(n_processes)]
    return [float(p.communicate()[0]) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20_000_000)
    args = parser.parse_args()
    print(time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    alone = [run(1, args.steps)[0] for _ in range(args.pairs)]
    pairs = [run(2, args.steps) for _ in range(args.pairs)]
    ratio = statistics.median(max(p) for p in pairs) / statistics.median(alone)
    print(f"alone: {', '.join(f'{a:.2f}' for a in alone)} s; two at once: "
          f"{'; '.join(' / '.join(f'{x:.2f}' for x in p) for p in pairs)} s")
    print(f"slowdown of the slower of two (median): {ratio:.2f}x")


if __name__ == "__main__":
    main()
