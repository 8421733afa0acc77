"""The ``autograder`` command: wiring only; each verb lives in ``autograder/commands/``."""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .commands import VERBS
from .commands._course import CommandError, fail


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", metavar="PATH",
                        help="the course file (default: course.yaml in this folder or above)")
    main = argparse.ArgumentParser(
        prog="autograder", description="Grade NumPy attention exercises against "
                                       "reference implementations, in an isolated worker.")
    main.add_argument("--version", action="version", version=f"autograder {__version__}")
    subparsers = main.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb in VERBS:
        importlib.import_module(f".commands.{verb}", __package__).register(subparsers, common)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CommandError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted")


if __name__ == "__main__":
    sys.exit(main())
