"""Peak memory of a command and every process it starts (worker processes included).

``/usr/bin/time -v`` reports the largest single process; with ``--scheduler processes`` the
workers hold memory too. This samples the summed PSS (proportional set size: shared pages
counted once in total) of the command's process tree every ``--every`` seconds (Linux
``/proc/PID/smaps_rollup``) and prints the peak. Reading ``smaps_rollup`` of a
multi-gigabyte process costs CPU, so time the command in a separate run.

Usage: python benchmarks/tree_memory.py [--every 0.25] -- drivers analyse FILE ...
"""
from __future__ import annotations

import argparse
import subprocess
import time


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
    except OSError:
        return out
    for child in children:
        out += tree(int(child))
    return out


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:            # the process ended between listing and reading
        pass
    return 0


def command_arguments(doc: str, every: float, extra=()) -> tuple[argparse.Namespace, list[str]]:
    """The options (``--every`` seconds and ``extra``: (flag, type, default)) and the command after ``--``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--every", type=float, default=every)
    for flag, kind, default in extra:
        parser.add_argument(flag, type=kind, default=default)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    return args, args.command[1:] if args.command[:1] == ["--"] else args.command


def main() -> None:
    args, command = command_arguments(__doc__, 0.25)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak, processes = 0, 0
    while proc.poll() is None:
        pids = tree(proc.pid)
        total = sum(pss_kb(p) for p in pids)
        if total > peak:
            peak, processes = total, len(pids)
        time.sleep(args.every)
    print(f"wall {time.perf_counter() - start:.1f} s (sampling included), peak summed PSS "
          f"{peak / 1024**2:.2f} GB over {processes} processes, exit code {proc.returncode}")


if __name__ == "__main__":
    main()
