"""``autograder grade``: grade a submission (public and hidden cases, quick checks)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..grading.engine import grade
from ..grading.submission import SubmissionError
from ..reports import FORMATS, files, render
from ._course import (CommandError, add_unconfined_option, cannot_write, course_from,
                      refuse_blind)


def write_report(report, course, args) -> None:
    text = render(args.format, report, course)
    if args.output:   # never through a link or into a pipe planted at that path
        try:
            files.write_text(args.output, text)
        except OSError as exc:
            raise cannot_write(args.output, exc) from None
    else:
        sys.stdout.write(text)


def write_pictures(report, course, args, submission: Path) -> None:
    """``--html FILE``: the failing public cases with pictures (never a hidden case)."""
    if not getattr(args, "html", None):
        return
    from ..grading.replay import replay
    from ..reports.pictures import render as render_pictures

    page = render_pictures(report, replay(course, submission, report))
    try:   # as the report: never through a link or into a pipe
        files.write_text(args.html, page)
    except OSError as exc:
        raise cannot_write(args.html, exc) from None


def run(args) -> int:
    course = course_from(args)
    refuse_blind(args, course.root)
    try:
        report = grade(course, Path(args.submission), assignments=args.assignment,
                       seed=args.seed)
    except (SubmissionError, KeyError) as exc:
        raise CommandError(str(exc).strip("'\"")) from None
    write_report(report, course, args)
    write_pictures(report, course, args, Path(args.submission))
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"autograder: score {report.score:g} is below --fail-under {args.fail_under:g}",
              file=sys.stderr)
        return 1
    return 0


def add_output_options(parser) -> None:
    parser.add_argument("--assignment", action="append", metavar="ID",
                        help="grade only this assignment (repeatable; default: all)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text",
                        help="report format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write the report here "
                        "(default: standard output)")
    parser.add_argument("--html", metavar="FILE", help="also write an HTML page of the "
                        "failing public cases, your result drawn next to the expected one")


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "grade", parents=[common], help="grade a submission",
        description="Grade a submission: a folder holding exercise files and answers.yaml, "
                    "one such file, or a notebook. Exit 0 whenever grading ran, whatever "
                    "the score; 2 when it could not.")
    parser.add_argument("submission", help="folder, .py file or .ipynb notebook")
    add_output_options(parser)
    parser.add_argument("--seed", type=int, help="seed for the hidden cases "
                        "(default: grading.seed in course.yaml)")
    parser.add_argument("--fail-under", type=float, metavar="SCORE",
                        help="exit 1 when the score is below SCORE (for CI gates)")
    add_unconfined_option(parser)
    parser.set_defaults(func=run)
