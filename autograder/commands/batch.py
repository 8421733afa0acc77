"""``autograder batch``: grade a whole class into a CSV gradebook, in parallel."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..grading.batch import BatchError, Gradebook, discover, grade_all
from ..grading.engine import selected
from ..reports import canvas, files
from ._course import (CommandError, add_unconfined_option, cannot_write, course_from,
                      refuse_blind)

INTERRUPTED = 130   # the shell's status for a command stopped by Ctrl-C (128 + SIGINT)


def run(args) -> int:
    course = course_from(args)
    if args.scheduler is None:   # else each Dask worker applies this rule on its host
        refuse_blind(args, course.root, args.folder)
    elif args.workers is not None:
        raise CommandError("--workers is for this machine's pool; with --scheduler, each "
                           "Dask worker's --nworkers and --nthreads decide")
    try:
        assignments = selected(course, args.assignment)
    except KeyError as exc:
        raise CommandError(str(exc).strip("'\"")) from None
    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be at least 1, not {args.workers}")
    csv_path = Path(args.csv)
    reports = Path(args.reports) if args.reports else None
    roster = _roster(args)
    try:
        submissions = discover(Path(args.folder), exclude=tuple(
            p for p in (csv_path, reports) if p is not None))
    except (BatchError, OSError) as exc:
        raise CommandError(str(exc)) from None
    # Connected and checked before the gradebook is touched (None: this machine's pool).
    with _cluster(args, course, assignments, reports) as cluster:
        try:
            gradebook = Gradebook(csv_path, assignments, resume=args.resume)
        except BatchError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise cannot_write(csv_path, exc) from None
        try:
            summary = grade_all(
                course, submissions, gradebook, workers=args.workers or os.cpu_count() or 1,
                seed=args.seed, reports=reports,
                progress=sys.stderr.isatty(), cluster=cluster)
        except OSError as exc:    # the gradebook or a report could not be written
            raise CommandError(f"{exc}; the rows written so far are kept: fix it and rerun "
                               "with --resume") from None
    if args.canvas:
        _write_canvas(Path(args.canvas), gradebook, roster)
    done = summary.resumed + summary.graded + summary.errors
    kept = f", {summary.resumed} kept from before" if summary.resumed else ""
    errors = (f"; {summary.errors} could not be graded (status error, with the reason)"
              if summary.errors else "")
    print(f"{done} of {summary.total} submissions in {csv_path}{kept}{errors} "
          f"({summary.graded + summary.errors} graded in {summary.seconds:.1f} s)")
    if summary.interrupted:
        print(f"autograder: {summary.interrupted}: {summary.total - done} submissions not "
              f"graded yet; rerun with --resume to grade only those", file=sys.stderr)
        return INTERRUPTED
    return 0


@contextlib.contextmanager
def _cluster(args, course, assignments, reports):
    """The Dask cluster at --scheduler, checked, for the batch's time (None without it)."""
    if args.scheduler is None:
        yield None
        return
    from ..grading.distributed import connect

    try:
        cluster = connect(args.scheduler, course, Path(args.folder),
                          assignments=[a.id for a in assignments], seed=args.seed,
                          reports=reports is not None, allow_unconfined=args.allow_unconfined)
    except BatchError as exc:
        raise CommandError(str(exc)) from None
    try:
        yield cluster
    finally:
        cluster.close()


def _roster(args):
    if args.roster and not args.canvas:
        raise CommandError("--roster maps folders to Canvas's columns: give --canvas FILE too")
    if not args.roster:
        return None
    try:
        return canvas.read_roster(Path(args.roster))
    except (canvas.RosterError, OSError) as exc:
        raise CommandError(str(exc)) from None


def _write_canvas(path: Path, gradebook, roster) -> None:
    rows = list(gradebook.rows.values())
    try:
        files.write_text(path, canvas.render(rows, gradebook.assignments, roster))
    except OSError as exc:    # exit 2 in one line naming the path, as for the CSV
        raise cannot_write(path, exc) from None
    missing = canvas.unmatched(rows, roster)
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more"
                                           if len(missing) > 10 else "")
        print(f"autograder: {len(missing)} folder(s) not in the roster, written to {path} "
              f"without Canvas identifiers (Canvas will not match them): {shown}",
              file=sys.stderr)
    print(f"Canvas gradebook import file: {path}")


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "batch", parents=[common], help="grade a whole class into a CSV gradebook",
        description="Grade every submission in FOLDER (each subfolder or .ipynb is one "
                    "student, named after it) in parallel, writing one CSV row per student "
                    "as it finishes. Exit 0 when every submission has a row (a submission "
                    "that could not be graded gets status error); 2 when the batch could "
                    "not run; 130 when interrupted (rerun with --resume).")
    parser.add_argument("folder", help="one subfolder or notebook per student")
    parser.add_argument("--csv", default="grades.csv", metavar="FILE",
                        help="the gradebook to write (default: grades.csv)")
    parser.add_argument("--canvas", metavar="FILE",
                        help="also write a Canvas gradebook import file (Student, ID, SIS "
                             "User ID, SIS Login ID, Section, one column per assignment)")
    parser.add_argument("--roster", metavar="FILE",
                        help="CSV mapping each submission folder (column 'folder') to "
                             "Canvas's Student, ID, SIS User ID, SIS Login ID, Section")
    parser.add_argument("--reports", metavar="DIR",
                        help="also write each student's json and text report here")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="submissions graded at once (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://host:8786) instead of here; needs the cluster extra "
                             "(README, Grading on several machines)")
    parser.add_argument("--assignment", action="append", metavar="ID",
                        help="grade only this assignment (repeatable; default: all)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the rows already in --csv and grade only the rest")
    parser.add_argument("--seed", type=int, help="seed for the hidden cases "
                        "(default: grading.seed in course.yaml)")
    add_unconfined_option(parser)
    parser.set_defaults(func=run)
