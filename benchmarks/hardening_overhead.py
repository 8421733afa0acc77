"""How much the worker's hardening costs per submission, measured on the references.

Runs ``autograder grade solutions --format json`` several times with the hardening on
and (for measurement only) off, and prints the median wall time of the whole command
and the median ``execution_time`` the report states (grading without the CLI's start).

    .venv/bin/python benchmarks/hardening_overhead.py            # both, 9 runs each
    .venv/bin/python benchmarks/hardening_overhead.py --runs 15 --only on

"Off" sets ``autograder.sandbox.limits.HARDENING = False`` in the measured process
before the CLI starts: the worker then runs without the audit hook, the privilege drop
and the extra resource limits. There is no command-line switch or environment variable
for it, on purpose: it exists for this measurement only.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = ("import sys, autograder.sandbox.limits as limits; "
          "limits.HARDENING = sys.argv[1] == 'on'; "
          "from autograder.cli import main; sys.exit(main(sys.argv[2:]))")


def run_once(hardening: str, submission: str) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, hardening, "grade", submission, "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    report = json.loads(done.stdout)
    if report["score"] != report["max_score"]:
        raise SystemExit(f"the references scored {report['score']} / {report['max_score']} "
                         f"with hardening {hardening}: the measurement is meaningless")
    return wall, report["execution_time"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", choices=("on", "off"))
    parser.add_argument("--submission", default="solutions")
    args = parser.parse_args()
    modes = [args.only] if args.only else ["off", "on"]
    run_once(modes[0], args.submission)  # warm the file cache
    medians = {}
    for i in range(args.runs):
        # Alternate the modes so a change in the machine's load hits both alike.
        for mode in modes:
            medians.setdefault(mode, []).append(run_once(mode, args.submission))
    for mode, samples in medians.items():
        walls, grading = zip(*samples)
        print(f"hardening {mode:3}: median wall {statistics.median(walls):.3f} s, "
              f"median execution_time {statistics.median(grading):.3f} s "
              f"({len(samples)} runs)")
    if len(medians) == 2:
        on, off = ([statistics.median(x[k] for x in medians[m]) for k in (0, 1)]
                   for m in ("on", "off"))
        print(f"added by the hardening: wall {on[0] - off[0]:+.3f} s, "
              f"execution_time {on[1] - off[1]:+.3f} s")


if __name__ == "__main__":
    main()
