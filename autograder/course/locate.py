"""Where the course file is, for a command given no ``--course``.

In this order: the environment variable ``AUTOGRADER_COURSE`` (a ``course.yaml``, or the
folder holding one; the ``nbgrader_config.py`` of ``autograder nbgrader build`` sets it
for nbgrader's kernels, and staff may set it in their shell), then, from the current
folder upwards, the first folder holding either a ``course.yaml`` or an
``nbgrader_config.py`` that records one (``COURSE = '...'``, read as text, never run:
staff work inside the nbgrader course folder, which is usually outside the course).
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

COURSE_FILE = "course.yaml"
COURSE_VARIABLE = "AUTOGRADER_COURSE"
NBGRADER_CONFIG = "nbgrader_config.py"


def recorded_course(folder: Path) -> Path | None:
    """The course file recorded in ``folder/nbgrader_config.py`` by the build, if any."""
    try:
        tree = ast.parse((Path(folder) / NBGRADER_CONFIG).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "COURSE" for t in node.targets) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return Path(node.value.value)
    return None


def _named(value: str) -> Path:
    path = Path(value)
    if path.is_dir():
        path = path / COURSE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{COURSE_VARIABLE} names {value}, which is not a course file")
    return path


def find_course(start: Path | None = None) -> Path:
    """The course file for a command run in ``start`` (default: the current folder)."""
    if os.environ.get(COURSE_VARIABLE):
        return _named(os.environ[COURSE_VARIABLE])
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / COURSE_FILE).is_file():
            return candidate / COURSE_FILE
        recorded = recorded_course(candidate)
        if recorded is not None:
            if not recorded.is_file():
                raise FileNotFoundError(f"{candidate / NBGRADER_CONFIG} records the course "
                                        f"{recorded}, which is not a file; rebuild the folder "
                                        "or pass --course PATH")
            return recorded
    raise FileNotFoundError(
        f"no {COURSE_FILE} in {folder} or any folder above it, and no {NBGRADER_CONFIG} "
        f"recording one; pass --course PATH or set {COURSE_VARIABLE}")
