"""The ``autograder`` command: wiring only; each verb lives in ``autograder/commands/``."""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .commands import VERBS
from .commands._course import CommandError, fail

# What only the `staff` extra installs (pyproject.toml): a verb that needs one of them
# says so in one line when a student install runs it.
STAFF_MODULES = frozenset({"nbgrader", "jupyter_client", "jupyter_server", "nbconvert",
                           "nbclient", "ipykernel", "mistune", "tqdm"})


def parser() -> argparse.ArgumentParser:
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
    for verb in VERBS:
        importlib.import_module(f".commands.{verb}", __package__).register(subparsers, common)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
