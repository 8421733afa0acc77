"""How fast whole-class grading is: one submission, a batch of 200, and nbgrader.

Prints, side by side in one run:

* the median wall time of ``autograder grade`` (the command, start-up included) for one
  correct and one wrong submission;
* the throughput of ``autograder batch`` on generated submissions (a mix of correct,
  wrong and crashing ones) with 1 and 2 workers, its peak memory, and a check that
  its gradebook is right;
* where nbgrader and ``autograder nbgrader build`` are available, ``nbgrader autograde``
  on the same kinds of submission as notebooks, per notebook, against ``autograder
  batch`` on those notebooks, as a ratio.

    .venv/bin/python benchmarks/bench.py                       # 200 submissions
    .venv/bin/python benchmarks/bench.py --submissions 40 --notebooks 4 --keep /tmp/bench

It is a measurement, not a test: numbers depend on the machine and on what else runs.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
BIN = Path(sys.executable).parent
TARGETS = {"grade": 1.0, "throughput": 10.0, "nbgrader": 10.0}

# A kind of submission: the references with some functions replaced (a later `def`
# in the same file wins, as a cell run later does in a notebook).
WRONG_SOFTMAX = "def softmax(x, axis=-1):\n    return x + 0\n"
WRONG_CAUSAL = ("def causal_mask(lq, lk=None):\n    import numpy as np\n"
                "    lk = lq if lk is None else lk\n"
                "    return np.triu(np.ones((lq, lk), dtype=bool))\n")
WRONG_LAYER_NORM = ("def layer_norm(x, gamma, beta, eps=1e-5):\n    import numpy as np\n"
                    "    mean = x.mean(axis=-1, keepdims=True)\n"
                    "    return gamma * (x - mean) / np.sqrt(x.var(axis=-1, keepdims=True))"
                    " + beta\n")
CRASH_CAUSAL = "def causal_mask(lq, lk=None):\n    import os\n    os._exit(3)\n"
# softmax is called by attention, multi-head attention and the encoder block: every one
# of their cases kills its worker, which is restarted for the next case (the worst case).
CRASH_SOFTMAX = "def softmax(x, axis=-1):\n    import os\n    os._exit(3)\n"
KINDS = {
    "correct": {},
    "wrong_softmax": {"softmax": ("softmax.py", WRONG_SOFTMAX)},
    "wrong_causal_mask": {"causal_mask": ("attention.py", WRONG_CAUSAL)},
    "wrong_layer_norm": {"layer_norm": ("encoder.py", WRONG_LAYER_NORM)},
    "crash_causal_mask": {"causal_mask": ("attention.py", CRASH_CAUSAL)},
    "crash_softmax": {"softmax": ("softmax.py", CRASH_SOFTMAX)},
}
# Of every ten submissions: five correct, three wrong, two crashing.
MIX = ["correct"] * 5 + ["wrong_softmax", "wrong_causal_mask", "wrong_layer_norm",
                         "crash_causal_mask", "crash_softmax"]


def autograder(*args, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=check)


def make_folder(folder: Path, kind: str) -> None:
    folder.mkdir(parents=True)
    for path in [*SOLUTIONS.glob("*.py"), SOLUTIONS / "answers.yaml"]:
        shutil.copy(path, folder / path.name)
    for file, code in KINDS[kind].values():
        with open(folder / file, "a", encoding="utf-8") as f:
            f.write("\n\n" + code)


def make_class(folder: Path, count: int, mix: list[str]) -> dict[str, str]:
    students = {f"student{i:03d}": mix[i % len(mix)] for i in range(count)}
    for student, kind in students.items():
        make_folder(folder / student, kind)
    return students


# -- measuring ----------------------------------------------------------------------
class PeakMemory:
    """Peak total RSS of a process and its descendants, sampled (psutil, if installed)."""

    def __init__(self, pid: int):
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self.available = False
            return
        self.available = True
        self._root = psutil.Process(pid)
        self._error = (psutil.Error,)
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            try:
                processes = [self._root, *self._root.children(recursive=True)]
            except self._error:
                return
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                except self._error:
                    pass
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._stop.set()


def adopt_orphans() -> bool:
    """Become the reaper of orphaned descendants (Linux), so their CPU time is counted.

    The batch's pool processes are children of multiprocessing's fork server, which
    outlives the command for a moment and is reaped by nobody: without this, the CPU
    time of all the grading would be missing from ``RUSAGE_CHILDREN``.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0          # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap(deadline: float = 10.0) -> None:
    """Wait for every descendant that ended up ours (see :func:`adopt_orphans`)."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path = ROOT) -> tuple[float, float, PeakMemory, str]:
    """Run the command: (wall seconds, CPU seconds of it and all it started, memory, out)."""
    cpu = cpu_of_children()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    reap()
    if proc.returncode != 0:
        raise SystemExit(f"autograder {' '.join(map(str, args))} exited {proc.returncode}:\n"
                         f"{out}\n{err}")
    return seconds, cpu_of_children() - cpu, memory, out


def median_grade(submission: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        autograder("grade", submission, "--format", "json")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def check_gradebook(path: Path, students: dict[str, str]) -> str:
    with open(path, newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    problems = [s for s, kind in students.items() if s not in rows
                or rows[s]["status"] != "graded"
                or (rows[s]["total"] == rows[s]["max_total"]) != (kind == "correct")]
    if problems or len(rows) != len(students):
        return f"WRONG for {len(problems)} students, e.g. {problems[:3]}"
    return f"{len(rows)} rows, correct ones full marks, every other one below"


# -- nbgrader -----------------------------------------------------------------------
def nbgrader_comparison(work: Path, count: int, workers: int) -> list[str]:
    """nbgrader autograde vs autograder batch on the same notebooks, per notebook."""
    nbgrader = BIN / "nbgrader"
    if not nbgrader.exists():
        return ["nbgrader: not installed here; skipped"]
    course = work / "nbgrader"
    built = autograder("nbgrader", "build", course, check=False)
    if built.returncode != 0:
        return [f"nbgrader: `autograder nbgrader build` is not available "
                f"({(built.stderr.strip().splitlines() or ['?'])[-1]}); skipped"]
    import nbformat

    # nbgrader runs `alembic` and Jupyter kernels from the PATH, as in an activated venv.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    assignment = "attention"
    generated = subprocess.run([str(nbgrader), "generate_assignment", assignment, "--force"],
                               cwd=course, capture_output=True, text=True, env=env)
    if generated.returncode != 0:
        return [f"nbgrader generate_assignment failed "
                f"({(generated.stderr.strip().splitlines() or ['?'])[-1]}); skipped"]
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4)
    mine = work / "notebooks"
    mine.mkdir()
    kinds = [MIX[i % len(MIX)] for i in range(count)]
    for i, kind in enumerate(kinds):
        notebook = nbformat.from_dict(source)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in KINDS[kind]:
                cell.source = KINDS[kind][grade_id][1]
        student = f"student{i:03d}"
        target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        shutil.copy(target, mine / f"{student}.ipynb")
    started = time.perf_counter()
    done = subprocess.run([str(nbgrader), "autograde", assignment, "--force"], cwd=course,
                          capture_output=True, text=True, env=env)
    theirs = (time.perf_counter() - started) / count
    if done.returncode != 0:
        return [f"nbgrader autograde failed ({done.stderr.strip().splitlines()[-1:]}); skipped"]
    seconds, _, _, _ = timed(["batch", mine, "--assignment", assignment, "--workers", workers,
                              "--csv", work / "notebooks.csv"])
    ours = seconds / count
    single = median_grade(mine / "student000.ipynb", 3)
    ratio = theirs / ours
    return [
        row(f"nbgrader autograde, per notebook ({count} '{assignment}' notebooks)",
            f"{theirs:.2f} s", ""),
        row(f"autograder batch, same notebooks, {workers} workers, per notebook",
            f"{ours:.3f} s", ""),
        row("  nbgrader's time / autograder's", f"{ratio:.0f}x",
            verdict(ratio >= TARGETS["nbgrader"], f">= {TARGETS['nbgrader']:g}x")),
        row("autograder grade, one notebook (command, median of 3)", f"{single:.2f} s",
            f"{theirs / single:.1f}x faster than nbgrader's per-notebook time"),
    ]


def batch_run(work: Path, name: str, students: dict[str, str], workers: int,
              counted: bool) -> None:
    gradebook = work / f"grades-{name}-{workers}.csv"
    seconds, cpu, memory, _ = timed(["batch", work / name, "--csv", gradebook,
                                     "--workers", workers])
    count = len(students)
    rate = count / seconds
    what = "mixed" if name == "mix" else "correct"
    target = verdict(rate >= TARGETS["throughput"], ">= 10/s") if workers == 2 else ""
    print(row(f"autograder batch, {count} {what} submissions, {workers} worker"
              f"{'s' * (workers > 1)}", f"{seconds:.1f} s = {rate:.1f}/s", target))
    if counted:
        per = cpu / count
        print(row(f"  CPU time per submission, all processes (so at most {workers} / it)",
                  f"{per:.3f} s = {workers / per:.1f}/s", ""))
    memory_text = f"{memory.peak / 2**20:.0f} MiB" if memory.available else "psutil missing"
    print(row("  peak memory, the batch's processes together (RSS)", memory_text, ""))
    print(row("  gradebook", "", check_gradebook(gradebook, students)), flush=True)


# -- the report ---------------------------------------------------------------------
def row(what: str, measured: str, target: str) -> str:
    return f"{what:<62}{measured:>16}   {target}"


def verdict(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'MISSED'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7, help="runs of the single grade")
    parser.add_argument("--notebooks", type=int, default=8,
                        help="notebooks for the nbgrader comparison (0: skip it)")
    parser.add_argument("--keep", metavar="DIR", help="work here and keep the files")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    import numpy

    counted = adopt_orphans()
    print(f"autograder benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {numpy.__version__}, {platform.platform(terse=True)}")
    print(row("", "measured", "target"))
    try:
        make_folder(work / "one_correct", "correct")
        make_folder(work / "one_wrong", "wrong_softmax")
        for kind in ("correct", "wrong"):
            seconds = median_grade(work / f"one_{kind}", args.runs)
            print(row(f"autograder grade, one {kind} submission (median of {args.runs})",
                      f"{seconds:.2f} s", verdict(seconds < TARGETS["grade"], "< 1 s")),
                  flush=True)
        times = []
        for kind in KINDS:
            make_folder(work / "kinds" / kind, kind)
            report = json.loads(autograder("grade", work / "kinds" / kind,
                                           "--format", "json").stdout)
            times.append(f"{kind} {report['execution_time']:.2f}")
        print("  grading time by kind, without start-up (s): " + ", ".join(times), flush=True)
        classes = {"mix": make_class(work / "mix", args.submissions, MIX),
                   "correct": make_class(work / "correct", args.submissions, ["correct"])}
        for name, workers in (("mix", 1), ("mix", 2), ("correct", 2)):
            batch_run(work, name, classes[name], workers, counted)
        if args.notebooks:
            for line in nbgrader_comparison(work, args.notebooks, 2):
                print(line, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
