"""``autograder mutants``: mutate the references, grade every mutant, judge its hints (staff)."""
from __future__ import annotations

from ..mutation.run import equivalents, grade_mutants, stale, tally
from ._course import CommandError, course_from

THRESHOLD = 0.98    # the share of non-equivalent mutants that must lose points


def _line(grade) -> str:
    m = grade.mutant
    text = f"  {grade.verdict:<10} {m.file}:{m.line} [{m.operator}] {m.key}"
    if grade.misleading:
        text += f"\n    MISLEADING HINT: {'; '.join(grade.misleading)}"
    if grade.verdict == "surviving":
        text += ("\n    differs from the reference on: " + "; ".join(grade.differs_on)
                 if grade.differs_on else
                 "\n    same as the reference on every case and probe: equivalent? then "
                 "say why in solutions/mutants.yaml")
    return text


def run(args) -> int:
    course = course_from(args)
    wanted = set(args.function or ())
    grades = grade_mutants(
        course, only=lambda m: not wanted or m.function in wanted,
        progress=(lambda g: print(_line(g), flush=True)) if args.verbose else None)
    if not grades:
        raise CommandError("no mutants made (no functions in solutions/*.py?)")
    if not args.verbose:
        for g in grades:
            if g.verdict == "surviving" or g.misleading:
                print(_line(g))
    print(f"{'function':<30} {'made':>5} {'killed':>6} {'public':>6} {'equiv':>5} {'surv':>5} "
          f"{'score':>7}   {'named':>6} {'mislead':>7} {'factual':>7}")
    for t in tally(grades):
        print(f"{t.function:<30} {t.made:>5} {t.killed:>6} {t.public:>6} {t.equivalent:>5} "
              f"{t.surviving:>5} {100 * t.score:>6.1f}%   {t.named:>6} {t.misleading:>7} "
              f"{t.factual:>7}")
    print("killed: loses points on its own exercise; public: of those, by the public cases "
          "alone; score: killed / (made - equivalent); named / mislead / factual: hints "
          "naming a catalogued mistake / naming one the mutant does not make / naming none.")
    old = stale(grades, equivalents(course.solutions))
    for key in old:
        print(f"solutions/mutants.yaml: {key!r} names no equivalent mutant any more "
              "(killed, or no longer made): remove it")
    total = tally(grades)[-1]
    return 0 if total.score >= THRESHOLD and total.misleading == 0 and not old else 1


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "mutants", parents=[common], help="mutation-test the checks and the hints (staff)",
        description="Mutate every function of solutions/*.py (swapped axes, changed "
                    "constants, dropped or duplicated terms, in-place updates, dtype "
                    "changes, ...), grade each mutant as a submission, and report per "
                    "function the mutants made, killed, shown equivalent "
                    "(solutions/mutants.yaml) and surviving, and the hints that name a "
                    "mistake the mutant does not make. Exit 1 when under 98% of the "
                    "non-equivalent mutants are killed, a hint misleads, or "
                    "an entry of solutions/mutants.yaml is stale.")
    parser.add_argument("--function", action="append", metavar="FUNCTION",
                        help="only the mutants of this function (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="one line per mutant, as it is graded")
    parser.set_defaults(func=run)
