"""How many cores a command keeps busy over time: the CPU of its process tree, in bins.

Samples every ``--every`` seconds the CPU time (user + system, ``/proc/PID/stat``) of the
command's process and of all its descendants (worker processes, including those forked
by a forkserver), and prints per ``--bin`` seconds the cores used by the main process, by
the others and in all. A bin with about 1.0 in all on a 2-core machine is serial work
(benchmarks/RESULTS.md, session 10). The command's own output goes to /dev/null.

Usage: python benchmarks/cpu_timeline.py [--every 0.5] [--bin 5] -- drivers analyse FILE ...
"""
from __future__ import annotations

import os
import subprocess
import time

from tree_memory import command_arguments, tree     # benchmarks/ is the script's folder

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    args, command = command_arguments(__doc__, 0.5, extra=[("--bin", float, 5.0)])
    start = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    seen: dict[int, float] = {}
    bins: dict[int, list[float]] = {}
    while proc.poll() is None:
        time.sleep(args.every)
        k = int((time.time() - start) // args.bin)
        for pid in tree(proc.pid):
            now = cpu_seconds(pid)
            if now is None:
                continue
            used = now - seen.get(pid, 0.0)
            seen[pid] = now
            bins.setdefault(k, [0.0, 0.0])[0 if pid == proc.pid else 1] += used
    for k in sorted(bins):
        main_cpu, others = bins[k]
        print(f"{k * args.bin:6.0f}-{(k + 1) * args.bin:4.0f} s  main {main_cpu / args.bin:4.2f}  "
              f"others {others / args.bin:4.2f}  all {(main_cpu + others) / args.bin:4.2f} cores")
    print(f"wall {time.time() - start:.1f} s, exit code {proc.returncode}")


if __name__ == "__main__":
    main()
