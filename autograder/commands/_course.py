"""Loading the course for a command, with errors as one-line exit-2 messages."""
from __future__ import annotations

import errno
import sys
from pathlib import Path

from ..course.loader import load_course
from ..course.model import Course
from ..course.yamlsource import YamlError
from ..sandbox.host import ACCEPT_OPTION, refusal
from ..sandbox.host import missing


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


def cannot_write(path, exc: OSError) -> CommandError:
    """Exit 2 for a report or gradebook that could not be written, in one line naming
    the user's path (not the temporary file next to it that the write went through)."""
    path = Path(path)
    if exc.strerror is None:   # already a sentence (reports/files.py: UnsafeTarget)
        return CommandError(str(exc).splitlines()[0])
    missing = next((p for p in path.parents if not p.exists() and p.parent.exists()), None)
    if exc.errno == errno.ENOENT and missing is not None:
        why = f"the folder {missing} does not exist"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        why = f"{next((p for p in path.parents if p.is_file()), path.parent)} is not a folder"
    else:   # no permission, a read-only file system, no space: where it happened
        where = Path(exc.filename) if exc.filename else path
        if where != path and where.parent == path.parent:
            where = path.parent   # the temporary file the write went through: its folder
        why = exc.strerror.lower() + ("" if where == path else f" ({where})")
    return CommandError(f"cannot write {path}: {why}")


def fail(message: str) -> int:
    print(f"autograder: {message}", file=sys.stderr)
    return 2


def require_full_sandbox() -> None:
    """End with exit 2 where the grader's workers cannot run (no fork, no resource
    limits: Windows, macOS): no option overrides it, grading is of other people's work."""
    lacks = missing()
    if lacks:
        raise CommandError(
            f"grading needs the full sandbox, and this host lacks {', '.join(lacks)}: "
            "grade on Linux (README, Platforms); `autograder check` works here")


def refuse_blind(args, *paths) -> None:
    """End with exit 2 when no kernel layer would keep the workers out of ``paths``
    (the course, with solutions/ and the answer key; the class's folders), unless staff
    passed --allow-unconfined."""
    require_full_sandbox()
    why = refusal(paths)
    if why and not args.allow_unconfined:
        raise CommandError(why)


def add_unconfined_option(parser) -> None:
    parser.add_argument(ACCEPT_OPTION, action="store_true",
                        help="grade even where a worker could read solutions/ or other "
                             "students' work (no Landlock here; README, Security model)")
