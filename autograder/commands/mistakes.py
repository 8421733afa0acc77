"""``autograder mistakes``: grade every catalogued mistake and say how many are named (staff)."""
from __future__ import annotations

import sys

from ..diagnosis.catalogue import CatalogueError
from ..diagnosis.selftest import grade_catalogue, summarise
from ._course import CommandError, course_from


def _line(grade) -> str:
    marks = [] if grade.loses_points else ["DOES NOT LOSE POINTS"]
    marks += [f"costs {', '.join(grade.collateral)}"] if grade.collateral else []
    marks += ["named" if grade.named else
              f"not named: {grade.feedback[0] if grade.feedback else 'no feedback'}"]
    return (f"  {grade.mistake.key:<58} {grade.score:g} / {grade.max_score:g}   "
            + "; ".join(marks))


def run(args) -> int:
    course = course_from(args)
    wanted = set(args.exercise or ())
    try:
        grades = grade_catalogue(
            course, only=lambda m: not wanted or m.function in wanted,
            progress=(lambda g: print(_line(g), flush=True)) if args.verbose else None)
    except CatalogueError as exc:
        raise CommandError(str(exc)) from None
    if not grades:
        raise CommandError("no catalogued mistakes to grade (solutions/mistakes/*.py)")
    s = summarise(grades)
    print(f"{s.variants} catalogued mistakes: {s.losing_points} lose points on their own "
          f"exercise, {s.without_collateral} cost nothing to an exercise that does not call "
          f"them, {s.named} ({100 * s.named_share:.0f}%) are diagnosed by name.")
    failing = [g for g in grades if not g.loses_points or g.collateral]
    for g in failing if not args.verbose else ():
        print(_line(g), file=sys.stderr)
    return 1 if failing else 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "mistakes", parents=[common], help="grade the catalogue of known mistakes (staff)",
        description="Grade every wrong variant in solutions/mistakes/ as a submission and "
                    "report how many lose points, cost nothing elsewhere, and are named by "
                    "their hint. Exit 1 when a variant loses no points or costs an "
                    "exercise that does not call it.")
    parser.add_argument("--exercise", action="append", metavar="FUNCTION",
                        help="only the mistakes of this exercise (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="one line per mistake, as it is graded")
    parser.set_defaults(func=run)
