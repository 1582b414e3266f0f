"""How many cores a command keeps busy over time: the CPU of its process tree, in bins.

Samples every ``--every`` seconds the CPU time (user + system, ``/proc/PID/stat``) of the
command's process and of all its descendants (worker processes, including those forked
by a forkserver), and prints per ``--bin`` seconds the cores used by the main process, by
the others and in all. A bin with about 1.0 in all on a 2-core machine is serial work
(benchmarks/RESULTS.md, session 10). The command's own output goes to /dev/null.

Usage: python benchmarks/cpu_timeline.py [--every 0.5] [--bin 5] -- drivers analyse FILE ...
"""
from __future__ import annotations

import argparse
import os
import subprocess
import time

TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (by parent id, read from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--bin", type=float, default=5.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    seen: dict[int, float] = {}
    bins: dict[int, list[float]] = {}
    while proc.poll() is None:
        time.sleep(args.every)
        k = int((time.time() - start) // args.bin)
        for pid in descendants(proc.pid):
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
