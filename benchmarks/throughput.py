"""Grading speed in one run: the floor, `grade`, `batch` by workers, Dask, nbgrader.

Prints, side by side, medians and their ratios:

* the floor: ``python -c "import numpy, pytest, yaml"`` (what any pytest-based grader
  starts with), and ``autograder grade`` (the whole command) on a correct and a wrong
  submission, each as a multiple of the floor (target: the correct one within 1.6x);
* ``autograder batch`` on a mixed class (of every ten: five correct, three wrong, two
  crashing, as in bench.py) for each worker count of ``--workers``: submissions per
  second (target: at least 25/s with 2 workers), the scaling efficiency against one
  worker, and the parent's own CPU time (the batch command's process, without its
  pool: what would limit many workers), as a share of the wall time;
* the same class through ``batch --scheduler`` on a Dask ``LocalCluster`` of 2 worker
  processes, one thread each, against the local pool with 2 workers (target: within
  20%), and whether the two gradebooks are the same;
* ``nbgrader autograde`` against ``autograder batch`` per notebook (target: 15x).

    .venv/bin/python benchmarks/throughput.py                          # ~5 min, 2 cores
    .venv/bin/python benchmarks/throughput.py --workers 1,2,4,8,16 --submissions 320
    .venv/bin/python benchmarks/throughput.py --before ../other-checkout   # interleaved

``--before CHECKOUT`` measures another checkout of this repository (with its own
``.venv``) in the same run, interleaved run by run, for a before/after table; its Dask
and nbgrader lines are left out. ``--assignment ID`` (repeatable) grades only those
assignments everywhere. It is a measurement, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402 - the submissions, the subreaper and the nbgrader comparison

ROOT = bench.ROOT
# The batch command with its own CPU time written to a file: RUSAGE_SELF of the parent
# alone (its threads too), which the children's totals cannot tell apart.
# Written by an exit handler: the command ends with os._exit once its handlers ran.
OWN_CPU = ("import atexit, resource, runpy, sys\nout = sys.argv.pop(1)\n"
           "def own():\n    u = resource.getrusage(resource.RUSAGE_SELF)\n"
           "    open(out, 'w').write(str(u.ru_utime + u.ru_stime))\n"
           "atexit.register(own)\n"
           "runpy.run_module('autograder', run_name='__main__', alter_sys=True)\n")


class Checkout:
    def __init__(self, name: str, root: Path):
        self.name, self.root = name, root.resolve()
        venv = self.root / ".venv" / "bin" / "python"
        self.python = str(venv) if venv.exists() else sys.executable

    def run(self, *args, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([self.python, "-m", "autograder", *map(str, args)],
                              cwd=self.root, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise SystemExit(f"{self.name}: autograder {' '.join(map(str, args))} exited "
                             f"{done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def grade_time(checkout: Checkout, submission: Path, assignments: list[str]) -> float:
    return wall([checkout.python, "-m", "autograder", "grade", str(submission), "--format",
                 "json", *assignments], checkout.root)


def batch(checkout: Checkout, folder: Path, gradebook: Path, options: list[str],
          assignments: list[str]) -> dict:
    """One ``autograder batch``: wall seconds, the parent's CPU, everyone's CPU."""
    with tempfile.NamedTemporaryFile("r", suffix=".cpu") as own:
        cpu = bench.cpu_of_children()
        started = time.perf_counter()
        done = subprocess.run([checkout.python, "-c", OWN_CPU, own.name, "batch", str(folder),
                               "--csv", str(gradebook), *options, *assignments],
                              cwd=checkout.root, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        bench.reap()
        if done.returncode != 0:
            raise SystemExit(f"{checkout.name}: batch {' '.join(options)} exited "
                             f"{done.returncode}:\n{done.stderr[-3000:]}")
        parent = float(own.read() or "nan")
    return {"seconds": seconds, "parent": parent, "cpu": bench.cpu_of_children() - cpu}


def gradebook_problems(path: Path, students: dict[str, str]) -> str:
    """Empty when every row is graded and exactly the correct submissions got full marks."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    wrong = [s for s, kind in students.items() if s not in rows or rows[s]["status"] != "graded"
             or (rows[s]["total"] == rows[s]["max_total"]) != (kind == "correct")]
    return f"WRONG rows for {len(wrong)}, e.g. {wrong[:3]}" if wrong or len(rows) != len(
        students) else ""


# -- the report -----------------------------------------------------------------------
def row(what: str, *cells: str) -> str:
    return f"{what:<54}" + "".join(f"{c:>18}" for c in cells)


def met(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'MISSED'}"


def singles(checkouts, work: Path, runs: int, assignments: list[str]) -> dict:
    """Medians of the floor and of `grade` per checkout, interleaved run by run."""
    floor_cmd = [sys.executable, "-c", "import numpy, pytest, yaml"]
    samples = {"floor": []}
    for _ in range(runs):
        samples["floor"].append(wall(floor_cmd, ROOT))
        for c in checkouts:
            for kind in ("correct", "wrong"):
                samples.setdefault((c.name, kind), []).append(
                    grade_time(c, work / f"one_{kind}", assignments))
    return {k: statistics.median(v) for k, v in samples.items()}


def dask_line(checkout: Checkout, folder: Path, gradebook: Path, local: dict,
              local_book: Path, assignments: list[str], runs: int) -> list[str]:
    """`batch --scheduler` on a LocalCluster of 2 processes against the 2-worker pool."""
    try:
        from distributed import LocalCluster
    except ImportError:
        return ["dask: dask.distributed is not importable here; skipped"]
    if "--scheduler" not in checkout.run("batch", "--help").stdout:
        return ["dask: `autograder batch --scheduler` is not in this checkout yet; skipped"]
    times = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        for _ in range(runs):
            gradebook.unlink(missing_ok=True)
            times.append(batch(checkout, folder, gradebook,
                               ["--scheduler", cluster.scheduler_address], assignments))
    seconds = statistics.median(t["seconds"] for t in times)
    same = gradebook.read_bytes() == local_book.read_bytes()
    count = sum(1 for p in folder.iterdir() if p.is_dir())
    ratio = (count / seconds) / (count / local["seconds"])
    return [row(f"batch --scheduler, LocalCluster 2 processes x 1 thread",
                f"{count / seconds:.1f}/s", f"{ratio:.2f}x of pool",
                met(ratio >= 0.8, ">= 0.8x")),
            row("  its gradebook and the 2-worker pool's", "", "same" if same else "DIFFERENT")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--submissions", type=int, default=120, help="the mixed class's size")
    parser.add_argument("--runs", type=int, default=7, help="runs of the floor and of grade")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of each batch")
    parser.add_argument("--notebooks", type=int, default=8, help="for nbgrader (0: skip)")
    parser.add_argument("--before", type=Path, help="another checkout, measured interleaved")
    parser.add_argument("--assignment", action="append", default=[],
                        help="grade only this assignment (repeatable)")
    parser.add_argument("--keep", metavar="DIR", help="work here and keep the files")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    assignments = [a for name in args.assignment for a in ("--assignment", name)]
    # The Dask workers are this process's children: the grading processes' setting, and
    # no statistical profiler (both as README, Grading on several machines, starts them).
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", "False")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ag-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    after = Checkout("after" if args.before else "this", ROOT)
    checkouts = ([Checkout("before", args.before)] if args.before else []) + [after]
    bench.adopt_orphans()
    load = os.getloadavg()[0]
    print(f"autograder throughput: {os.cpu_count()} cores, load average {load:.1f} at the "
          f"start, Python {platform.python_version()}, {platform.platform(terse=True)}"
          + (f"; only {', '.join(args.assignment)}" if args.assignment else ""))
    try:
        bench.make_folder(work / "one_correct", "correct")
        bench.make_folder(work / "one_wrong", "wrong_softmax")
        students = bench.make_class(work / "mix", args.submissions, bench.MIX)
        names = [c.name for c in checkouts]
        print(row(f"median of {args.runs}", *names), flush=True)
        single = singles(checkouts, work, args.runs, assignments)
        print(row("floor: python -c 'import numpy, pytest, yaml'",
                  *[f"{single['floor']:.3f} s"] * len(checkouts)))
        for kind in ("correct", "wrong"):
            cells = [f"{single[(c.name, kind)]:.3f} s = "
                     f"{single[(c.name, kind)] / single['floor']:.1f}x" for c in checkouts]
            print(row(f"autograder grade, one {kind} submission", *cells))
        ratio = single[(after.name, "correct")] / single["floor"]
        print(row("  correct one, target", "", met(ratio <= 1.6, "<= 1.6x floor")), flush=True)

        print(row(f"batch, {args.submissions} mixed, median of {args.batch_runs}", *names))
        results: dict = {}
        for n in workers:
            for _ in range(args.batch_runs):
                for c in checkouts:
                    book = work / f"{c.name}-{n}.csv"
                    book.unlink(missing_ok=True)
                    results.setdefault((c.name, n), []).append(
                        batch(c, work / "mix", book, ["--workers", str(n)], assignments))
                    problems = gradebook_problems(book, students)
                    if problems and not assignments:
                        print(f"  {c.name}, {n} workers: gradebook {problems}")
            medians = {c.name: {k: statistics.median(r[k] for r in results[(c.name, n)])
                                for k in ("seconds", "parent", "cpu")} for c in checkouts}
            rates = {name: args.submissions / m["seconds"] for name, m in medians.items()}
            print(row(f"  {n} worker{'s' * (n > 1)}: submissions/s",
                      *[f"{rates[c.name]:.1f}/s" for c in checkouts]))
            first = {c.name: args.submissions / statistics.median(
                r["seconds"] for r in results[(c.name, workers[0])]) for c in checkouts}
            if n != workers[0]:
                print(row(f"    efficiency against {workers[0]} worker(s)",
                          *[f"{100 * rates[c.name] * workers[0] / (n * first[c.name]):.0f}%"
                            for c in checkouts]))
            print(row("    parent's own CPU, share of wall time",
                      *[f"{m['parent']:.2f} s = {100 * m['parent'] / m['seconds']:.0f}%"
                        for m in medians.values()]))
            print(row("    CPU per submission, all processes",
                      *[f"{m['cpu'] / args.submissions:.3f} s" for m in medians.values()]),
                  flush=True)
            if n == 2:
                print(row("    target", "", met(rates[after.name] >= 25, ">= 25/s")))
        if 2 in workers:
            local = {k: statistics.median(r[k] for r in results[(after.name, 2)])
                     for k in ("seconds",)}
            for line in dask_line(after, work / "mix", work / "dask.csv", local,
                                  work / f"{after.name}-2.csv", assignments, args.batch_runs):
                print(line, flush=True)
        if args.notebooks and not assignments:
            bench.TARGETS["nbgrader"] = 15.0
            for line in bench.nbgrader_comparison(work, args.notebooks, 2):
                print(line, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
