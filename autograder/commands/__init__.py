"""The verbs of the ``autograder`` command, one module each.

Each module has ``register(subparsers, common)``, which adds its sub-command and sets
``func`` to a ``run(args) -> int`` function; ``autograder/cli.py`` only wires them up.
"""
VERBS = (
    "validate",
    "grade",
    "check",
    "regenerate",
    "mistakes",
    "mutants",
    "batch",
    "gradescope",
    "release",
    "nbgrader",
    "lessons",
    "explore",
)
