"""``autograder validate``: check course.yaml and what it points to."""
from __future__ import annotations

from ..course.loader import load_course
from ..course.yamlsource import YamlError
from ..sandbox.host import probe, refusal


def run(args) -> int:
    try:
        course = load_course(args.course)
    except FileNotFoundError as exc:
        print(f"autograder: {exc}")
        return 2
    except YamlError as exc:
        for problem in exc.problems:
            print(problem)
        return 2
    from ..lessons.source import LessonError, check_lessons

    try:
        lessons = check_lessons(course)
    except LessonError as exc:
        print(exc)
        return 2
    for lesson in lessons:
        if lesson.unplaced:
            print(f"{lesson.path}: note: not placed, so put at the end of the lesson: "
                  + ", ".join(lesson.unplaced))
    exercises, questions = len(course.exercises), len(course.questions)
    print(f"{course.path}: OK: {len(course.assignments)} assignments, {exercises} exercises, "
          f"{questions} quick-check questions, lessons for {len(lessons)}")
    # For staff setting up a machine: what a worker gets here, and whether grading
    # would be refused as blind (which does not make the course invalid).
    why = refusal([course.root])
    print(f"sandbox: {probe().describe()}" + (f"; grade would refuse: {why}" if why else ""))
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "validate", parents=[common], help="check course.yaml and what it points to",
        description="Check course.yaml and what it points to; exit 2 listing each "
                    "problem as file:line: what is wrong.")
    parser.set_defaults(func=run)
