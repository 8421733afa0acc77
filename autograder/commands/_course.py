"""Loading the course for a command, with errors as one-line exit-2 messages."""
from __future__ import annotations

import sys

from ..course.loader import load_course
from ..course.model import Course
from ..course.yamlsource import YamlError


class CommandError(Exception):
    """Ends a command with exit status 2 and this one-line message."""


def course_from(args, *, require_solutions: bool = True) -> Course:
    try:
        return load_course(args.course, require_solutions=require_solutions)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    except YamlError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more; run `autograder validate`)" \
            if len(exc.problems) > 1 else ""
        raise CommandError(f"the course file is broken: {first}{more}") from None


def fail(message: str) -> int:
    print(f"autograder: {message}", file=sys.stderr)
    return 2
