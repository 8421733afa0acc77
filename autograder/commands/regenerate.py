"""``autograder regenerate``: rebuild the public cases from the checks and references."""
from __future__ import annotations

from ..grading import public
from ._course import course_from


def run(args) -> int:
    course = course_from(args)
    for function, cases in public.regenerate(course).items():
        print(f"{public.path_for(course.public_cases, function)}: {len(cases)} public cases")
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "regenerate", parents=[common], help="rebuild public/ from the references (staff)",
        description="Rebuild the public cases (inputs and expected outputs) in public/ "
                    "from the check modules and solutions/.")
    parser.set_defaults(func=run)
