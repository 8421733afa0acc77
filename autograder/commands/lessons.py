"""``autograder lessons OUT_DIR``: the lessons as HTML pages and student notebooks."""
from __future__ import annotations

from pathlib import Path

from ._course import CommandError, course_from


def run(args) -> int:
    # Imported here: the CLI loads every verb, and a grading-only install lacks these.
    from ..integrations.nbgrader.notebooks import BuildError
    from ..lessons.build import LessonBuildError, write_notebooks, write_pages
    from ..lessons.source import LessonError

    course = course_from(args)
    out = Path(args.out)
    try:
        written = write_pages(course, out) + write_notebooks(course, out)
    except (BuildError, LessonError, LessonBuildError, OSError) as exc:
        raise CommandError(str(exc)) from None
    for path in written:
        print(f"wrote {path}")
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "lessons", parents=[common], help="build the lessons' HTML pages and notebooks (staff)",
        description="Build lessons/<assignment>.md into OUT_DIR: a self-contained HTML page "
                    "per lesson (run on the references) and the student notebook of every "
                    "assignment (the same ones `autograder release` ships).")
    parser.add_argument("out", metavar="OUT_DIR")
    parser.set_defaults(func=run)
