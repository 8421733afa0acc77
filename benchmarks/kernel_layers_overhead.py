"""What the kernel's layers (Landlock, seccomp, capabilities, private tmpfs) cost per
submission: ``autograder grade solutions --format json`` in another checkout (before)
and in this one (after), interleaved so a change in the machine's load hits both alike.

    .venv/bin/python benchmarks/kernel_layers_overhead.py --before OTHER_CHECKOUT --runs 15

(``OTHER_CHECKOUT``: a clone of this repository at the commit to compare with.)
Each checkout runs with its own ``.venv/bin/python``. Prints the median wall time of
the whole command and the median ``execution_time`` each report states, and the layers
the after-run's report says were in force (so a run that silently lost them shows).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(checkout: Path) -> tuple[float, float, list]:
    started = time.perf_counter()
    done = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "autograder",
                           "grade", "solutions", "--format", "json"],
                          cwd=checkout, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    report = json.loads(done.stdout)
    if report["score"] != report["max_score"]:
        raise SystemExit(f"{checkout}: the references scored {report['score']} / "
                         f"{report['max_score']}: the measurement is meaningless")
    return wall, report["execution_time"], report.get("sandbox", {}).get("layers", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    checkouts = {"before": args.before.resolve(), "after": ROOT}
    for checkout in checkouts.values():
        run_once(checkout)  # warm the file cache
    samples: dict[str, list] = {name: [] for name in checkouts}
    for _ in range(args.runs):
        for name, checkout in checkouts.items():
            samples[name].append(run_once(checkout))
    for name, runs in samples.items():
        walls, grading, _layers = zip(*runs)
        print(f"{name:6} {checkouts[name]}: median wall {statistics.median(walls):.3f} s, "
              f"median execution_time {statistics.median(grading):.3f} s ({len(runs)} runs)")
    print("after's layers:", ", ".join(samples["after"][-1][2]))


if __name__ == "__main__":
    main()
