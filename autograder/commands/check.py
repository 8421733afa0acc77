"""``autograder check``: a student's self-check, public cases only, no solutions needed."""
from __future__ import annotations

import sys
from pathlib import Path

from ..grading.engine import grade
from ..grading.submission import SubmissionError
from ..sandbox.host import missing
from ..sandbox.portable import protections
from ._course import CommandError, course_from
from .grade import add_output_options, write_pictures, write_report


def run(args) -> int:
    course = course_from(args, require_solutions=False)
    path = Path(args.path) if args.path else _working_folder(course)
    try:
        report = grade(course, path, assignments=args.assignment, mode="check")
    except (SubmissionError, KeyError) as exc:
        raise CommandError(str(exc).strip("'\"")) from None
    if missing():  # said on stderr: the report's own Sandbox line names the same layers
        print(f"autograder: this host lacks {', '.join(missing())}, so the self-check runs "
              f"without the full sandbox; {protections(report.sandbox.get('layers', []))}",
              file=sys.stderr)
    write_report(report, course, args)
    write_pictures(report, course, args, path)
    return 0


def _working_folder(course) -> Path:
    """The folder a bare ``check`` checks: the current one when it holds an exercise
    file (whatever its name), else its ``exercises/``, else the course's."""
    if any(Path(e.file).is_file() for e in course.exercises):
        return Path(".")
    return Path("exercises") if Path("exercises").is_dir() else course.root / "exercises"


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "check", parents=[common], help="self-check your work (public cases only)",
        description="Run the public cases on your working copy and show your progress; "
                    "never needs solutions/.")
    parser.add_argument("path", nargs="?", help="your working copy (default: the current "
                        "folder when it holds an exercise file, else exercises/)")
    add_output_options(parser)
    parser.set_defaults(func=run)
