"""Turning what a student handed in into a private folder the worker may see.

The worker never runs in the student's own folder or the course checkout: it gets a
fresh temporary folder holding copies of the submission's top-level Python files and
``answers.yaml`` (regular files only, size-limited), so nothing it writes lands
anywhere that matters.
"""
from __future__ import annotations

import contextlib
import shutil
import stat
import tempfile
from pathlib import Path

from ..course.model import Course

MAX_FILE_BYTES = 1 << 20


class SubmissionError(Exception):
    """The submission cannot be graded at all (no such path, unsupported kind)."""


def _copy(source: Path, target: Path, warnings: list[str]) -> None:
    try:
        info = source.lstat()
    except OSError as exc:
        warnings.append(f"{source.name}: cannot be read ({exc.strerror})")
        return
    if not stat.S_ISREG(info.st_mode):
        warnings.append(f"{source.name}: skipped (not a regular file)")
        return
    if info.st_size > MAX_FILE_BYTES:
        warnings.append(f"{source.name}: skipped ({info.st_size} bytes, over the "
                        f"{MAX_FILE_BYTES} byte limit)")
        return
    shutil.copyfile(source, target / source.name)


@contextlib.contextmanager
def prepared(path: Path, warnings: list[str]):
    """A private temporary copy of the submission at ``path``; removed afterwards."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"no such file or folder: {path}")
    folder = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        if path.is_dir():
            for source in sorted(path.iterdir()):
                if source.suffix == ".py" or source.name == "answers.yaml":
                    _copy(source, folder, warnings)
        elif path.suffix == ".ipynb":
            from ..integrations.notebook import extract

            extract(path, folder, warnings)
        elif path.suffix in (".py", ".yaml"):
            _copy(path, folder, warnings)
        else:
            raise SubmissionError(
                f"{path}: expected a folder, a .py file, answers.yaml or a .ipynb notebook")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def locate(course: Course, path: Path) -> Path:
    """Where a submission's files are: the folder itself, its ``exercises/``, or its notebook.

    A clone of the student release (GitHub Classroom) keeps its work in ``exercises/``;
    an upload of one notebook (Gradescope) is a folder holding just that notebook.
    """
    path = Path(path)
    wanted = {e.file for e in course.exercises} | {"answers.yaml"}
    if not path.is_dir() or any((path / name).is_file() for name in wanted):
        return path
    inner = path / "exercises"
    if inner.is_dir() and any((inner / name).is_file() for name in wanted):
        return inner
    notebooks = [p for p in path.glob("*.ipynb") if p.is_file()]
    return notebooks[0] if len(notebooks) == 1 else path
