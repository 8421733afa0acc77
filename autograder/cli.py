"""The ``autograder`` command: wiring only; each verb lives in ``autograder/commands/``."""
from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys

# One BLAS thread in the grader's own process, set before NumPy is first imported: its
# NumPy work (references, comparisons) runs beside its workers (one thread each), and a
# batch runs one such process per core; threads on top of that only contend for the
# cores (20x slower references on a busy 2-core machine). Set by hand, they stay.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from . import __version__  # noqa: E402 - after the threads are set
from .commands import VERBS  # noqa: E402

# What only the `staff` extra installs (pyproject.toml): a verb that needs one of them
# says so in one line when a student install runs it.
STAFF_MODULES = frozenset({"nbgrader", "jupyter_client", "jupyter_server", "nbconvert",
                           "nbclient", "ipykernel", "mistune", "tqdm"})


def _verb_of(argv: list[str]) -> str | None:
    """The verb named on the command line, if it is one (options before it skipped)."""
    values = iter(argv)
    for arg in values:
        if arg == "--course":
            next(values, None)
        elif not arg.startswith("-"):
            return arg if arg in VERBS else None
    return None


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``argv`` naming a verb, only that verb's module is
    imported (each imports what its verb needs: a `grade` needs none of the others')."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", metavar="PATH",
                        help="the course file (default: $AUTOGRADER_COURSE, else course.yaml in "
                             "this folder or above, or the one an nbgrader folder records)")
    main = argparse.ArgumentParser(
        prog="autograder", description="Grade NumPy attention exercises against "
                                       "reference implementations, in an isolated worker.")
    main.add_argument("--version", action="version", version=f"autograder {__version__}")
    # Also before the verb (`autograder --course PATH check`). Its own name: a sub-command's
    # default (None) would otherwise overwrite what was given here.
    main.add_argument("--course", metavar="PATH", dest="course_before_verb",
                      help="the course file, for any verb (default: $AUTOGRADER_COURSE, "
                           "else course.yaml in this folder or above, or the one an "
                           "nbgrader folder made by `autograder nbgrader build` records)")
    subparsers = main.add_subparsers(dest="verb", required=True, metavar="VERB")
    verb = _verb_of(sys.argv[1:] if argv is None else argv)
    for verb in (verb,) if verb else VERBS:
        importlib.import_module(f".commands.{verb}", __package__).register(subparsers, common)
    return main


def main(argv: list[str] | None = None) -> int:
    # Here, not at the top: `entry` starts the fork server before the course's imports.
    from .commands._course import CommandError, fail

    args = parser(argv).parse_args(argv)
    if getattr(args, "course", None) is None:
        args.course = args.course_before_verb
    try:
        return args.func(args)
    except CommandError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted")
    except ModuleNotFoundError as exc:
        # The student install leaves these out (pyproject.toml, the `staff` extra).
        if (exc.name or "").partition(".")[0] not in STAFF_MODULES:
            raise
        return fail(f"`autograder {args.verb}` needs the staff install ({exc.name} is not "
                    "installed): pip install -e '.[staff]'")


# The verbs that grade one submission in this process: they start the fork server first.
_GRADING = {"grade": (), "check": (), "gradescope": ("run",)}


def entry() -> None:
    """The ``autograder`` command: :func:`main`, with two savings for a command that
    runs once and ends (tests call :func:`main` itself).

    A verb that grades starts the fork server first, so that it starts beside this
    process's own imports. At the end, once everything is written and the exit handlers
    have run (they stop the fork server and its workers), the process ends at once:
    tearing down NumPy's and pytest's modules one by one costs about 0.1 s and changes
    nothing.
    """
    verb = _verb_of(sys.argv[1:])
    steps = _GRADING.get(verb or "")
    if steps is not None and sys.platform.startswith("linux") and (
            not steps or any(step in sys.argv[1:] for step in steps)):
        from .sandbox.zygote import prestart
        prestart()
    try:
        code = main()
    except SystemExit as exc:   # argparse: --help, --version, a usage error
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    entry()
