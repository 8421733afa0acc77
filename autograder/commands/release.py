"""``autograder release``: write the student bundle (no solutions, no answer key, no seed)."""
from __future__ import annotations

from pathlib import Path

from ._course import CommandError, course_from


def run(args) -> int:
    # Imported here: the CLI loads every verb, and these need nbformat and matplotlib,
    # which a grading-only install (Gradescope's) does not have.
    from ..integrations.nbgrader.notebooks import BuildError
    from ..integrations.release import ReleaseError, build
    from ..lessons.build import LessonBuildError
    from ..lessons.source import LessonError

    course = course_from(args)
    try:
        files = build(course, Path(args.out))
    except (ReleaseError, BuildError, LessonError, LessonBuildError, OSError) as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.out}: {len(files)} files for students (exercises/, public/, course.yaml "
          "without the seed, the autograder without hidden cases, notebooks/ and lessons/ "
          "with the lessons, README.md); "
          "`autograder check` works inside it")
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "release", parents=[common], help="write the student bundle (staff)",
        description="Write what students start from into OUT_DIR (new or empty): the "
                    "exercise stubs, the public cases, course.yaml without the grading "
                    "seed, the autograder package without hidden cases, and a README. No "
                    "solutions/, no answer key.")
    parser.add_argument("out", metavar="OUT_DIR", help="a new or empty folder")
    parser.set_defaults(func=run)
