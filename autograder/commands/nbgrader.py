"""``autograder nbgrader build DIR`` and ``autograder nbgrader audit DIR``."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from ..course.locate import recorded_course
from ._course import CommandError, course_from, require_full_sandbox


def _staff_tools() -> None:
    """Before anything is written (the build ends by asking Jupyter about its kernel):
    on a student install, the CLI's one line saying to install the staff extra."""
    for name in ("nbgrader", "jupyter_client"):
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def run_build(args) -> int:
    _staff_tools()
    from ..integrations.nbgrader.build import build
    from ..integrations.nbgrader.notebooks import BuildError
    from ..lessons.source import LessonError

    course = course_from(args)
    try:
        result = build(course, Path(args.folder), cell_timeout=args.cell_timeout)
    except (BuildError, LessonError, OSError) as exc:
        raise CommandError(str(exc)) from None
    print(f"wrote {result.config} (course {course.id}, {result.cell_timeout} s per cell)")
    for path in result.notebooks:
        print(f"wrote {path}")
    for note in result.notes:
        print(f"warning: {note}")
    first = result.notebooks[0].parent.name if result.notebooks else "ASSIGNMENT"
    print(f"next: cd {result.folder} && nbgrader generate_assignment {first}")
    return 0


def run_audit(args) -> int:
    from ..integrations.nbgrader.audit import audit, render, render_json

    require_full_sandbox()
    folder = Path(args.folder)
    if not (folder / "submitted").is_dir():
        raise CommandError(f"{folder} has no submitted/ folder: give the nbgrader course "
                           "folder made by `autograder nbgrader build`")
    if args.course is None:
        args.course = recorded_course(folder)
    course = course_from(args)
    try:
        result = audit(course, folder, assignments=args.assignment)
    except KeyError as exc:
        raise CommandError(str(exc).strip("'\"")) from None
    print((render_json if args.format == "json" else render)(result), end="")
    return 1 if result.flagged else 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "nbgrader", help="build an nbgrader course folder, or audit its grades",
        description="Run the course with nbgrader: `build` writes the course folder and "
                    "source notebooks; `audit` re-grades submitted notebooks in isolation "
                    "and flags students whose nbgrader score is higher.")
    verbs = parser.add_subparsers(dest="nbgrader_verb", required=True, metavar="VERB")
    build = verbs.add_parser(
        "build", parents=[common], help="write nbgrader_config.py and source/ notebooks",
        description="Write DIR/nbgrader_config.py and DIR/source/<assignment>/"
                    "<assignment>.ipynb for every assignment of the course.")
    build.add_argument("folder", metavar="DIR", help="the nbgrader course folder")
    build.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                       help="nbgrader's limit per cell (default: the course's "
                            "submission_timeout plus 60)")
    build.set_defaults(func=run_build)
    check = verbs.add_parser(
        "audit", parents=[common], help="compare nbgrader's grades with isolated grading",
        description="Re-grade DIR/submitted/*/<assignment>/<assignment>.ipynb with the "
                    "isolated grader and compare with nbgrader's gradebook. Exit 1 when a "
                    "student's nbgrader score is higher than the isolated one, else 0.")
    check.add_argument("folder", metavar="DIR", help="the nbgrader course folder")
    check.add_argument("--assignment", action="append", metavar="ID",
                       help="audit only this assignment (repeatable; default: all)")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="a table (default) or json with each item's isolated score")
    check.set_defaults(func=run_audit)
