"""``autograder explore``: a real model's attention, computed by a submission's own
functions (or the references), as one self-contained HTML page."""
from __future__ import annotations

import time
from pathlib import Path

from ..explorer.attention import DEFAULT_SENTENCES, ExploreError, explore
from ..explorer.page import render
from ..grading.submission import SubmissionError
from ._course import CommandError, course_from


def run(args) -> int:
    course = course_from(args, require_solutions=False)
    started = time.monotonic()
    try:
        exploration = explore(course, Path(args.submission) if args.submission else None,
                              args.sentence or DEFAULT_SENTENCES)
    except (ExploreError, SubmissionError) as exc:
        raise CommandError(str(exc)) from None
    output = Path(args.output)
    output.write_text(render(exploration), encoding="utf-8")
    count = len(exploration.sentences)
    print(f"wrote {output} ({count} sentence{'s' if count != 1 else ''}, weights from "
          f"{exploration.source}) in {time.monotonic() - started:.2f} s; open it in a browser")
    return 0


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "explore", parents=[common], help="see a real model's attention, computed by your code",
        description="Run all-MiniLM-L6-v2 with the embed, scaled_dot_product_attention and "
                    "encoder_block of SUBMISSION (in the isolated worker; the references "
                    "when no SUBMISSION is given) and write one self-contained HTML page: "
                    "click a word to see how much it attends to every other word, per layer "
                    "and head. Exit 2 with the reason when the weights cannot be computed.")
    parser.add_argument("submission", nargs="?", metavar="SUBMISSION",
                        help="your folder, file or notebook (default: the references)")
    parser.add_argument("--sentence", action="append", metavar="TEXT",
                        help="a sentence to show (repeatable; default: the lessons' animal "
                             "and jacket sentences)")
    parser.add_argument("--output", default="attention.html", metavar="FILE",
                        help="the page to write (default: attention.html)")
    parser.set_defaults(func=run)
