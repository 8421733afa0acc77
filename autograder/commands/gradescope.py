"""``autograder gradescope build|run``: the Gradescope autograder zip, and its grading step."""
from __future__ import annotations

import sys
from pathlib import Path

from ..integrations.gradescope import build as zip_builder
from ..integrations.gradescope import run as runner
from ._course import (CommandError, add_unconfined_option, cannot_write, course_from,
                      refuse_blind)


def run_build(args) -> int:
    course = course_from(args)
    try:
        names = zip_builder.build(course, Path(args.out))
    except (zip_builder.BuildError, OSError) as exc:
        raise CommandError(str(exc)) from None
    hidden = course.grading.hidden_visibility
    print(f"{args.out}: {len(names)} files; upload it as the assignment's autograder "
          f"(hidden cases: {hidden}, from course.yaml grading.hidden_visibility)")
    return 0


def run_submission(args) -> int:
    root = runner.root_folder(args.root)
    refused = []

    def load():
        course = course_from(args)
        try:
            refuse_blind(args, course.root)
        except CommandError as exc:
            refused.append(exc)  # the student still gets a results.json: 0, and why
            raise
        return course

    data, problem = runner.results(load, root)
    try:
        path = runner.write(root, data)
    except OSError as exc:
        raise cannot_write(root / "results" / "results.json", exc) from None
    if problem:
        print(f"autograder: could not grade {root / 'submission'}: {problem}", file=sys.stderr)
        return 2 if refused else 1
    print(f"{path}: {data['score']:g} / {sum(t['max_score'] for t in data['tests']):g}")
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "gradescope", help="build the Gradescope autograder zip (staff)",
        description="Gradescope: `build OUT.zip` writes the autograder zip to upload; "
                    "`run` is what its run_autograder script calls.")
    verbs = parser.add_subparsers(dest="gradescope_verb", required=True, metavar="STEP")
    build = verbs.add_parser(
        "build", parents=[common], help="write the autograder zip",
        description="Write the Gradescope autograder zip: setup.sh, run_autograder and a "
                    "copy of the course (with solutions/: a staff file, never for students).")
    build.add_argument("out", metavar="OUT.zip", help="the zip to write")
    build.set_defaults(func=run_build)
    run = verbs.add_parser(
        "run", parents=[common], help="grade ROOT/submission into ROOT/results/results.json",
        description="Grade ROOT/submission (its exercises/ folder, or its one notebook, when "
                    "the files are not at its top) into ROOT/results/results.json; a "
                    "submission that cannot be graded gets score 0 and the reason (exit 1).")
    run.add_argument("--root", metavar="DIR", help="the autograder root (default: "
                     "$AUTOGRADER_ROOT, else /autograder)")
    add_unconfined_option(run)
    run.set_defaults(func=run_submission)
