"""``autograder gradescope build``: the autograder zip to upload to Gradescope.

At the zip's root: ``setup.sh`` and ``run_autograder`` (this folder's templates), and a
copy of the project that grades: the ``autograder`` package, ``pyproject.toml`` and
``README.md`` (so ``pip install`` works), ``course.yaml``, ``solutions/`` and
``public/``. It is a staff file: it holds the references, the answer key and the seed.
Entries are sorted and dated 1980-01-01, so the same course gives the same zip.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import autograder

from ...course.model import Course
from ...grading import public

HERE = Path(__file__).parent
SCRIPTS = ("setup.sh", "run_autograder")
PROJECT_FILES = ("pyproject.toml", "README.md")
COURSE_FOLDERS = ("solutions", "public")
SKIPPED_NAMES = {"__pycache__", ".DS_Store", ".ipynb_checkpoints"}
EPOCH = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """The zip cannot be built from this checkout (what is missing, and how to fix it)."""


def project_root(course: Course) -> Path:
    """The folder holding ``pyproject.toml``: the course's own, else the package's."""
    for folder in (course.root, Path(autograder.__file__).resolve().parent.parent):
        if (folder / "pyproject.toml").is_file() and (folder / "README.md").is_file():
            return folder
    raise BuildError(f"no pyproject.toml and README.md beside {course.path} or the "
                     "autograder package: build from a checkout of the course project")


def _files(folder: Path, prefix: str) -> dict[str, Path]:
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not SKIPPED_NAMES & set(p.relative_to(folder).parts)
            and p.suffix != ".pyc"}


def contents(course: Course) -> dict[str, Path]:
    """What goes into the zip: archive name -> file on disk."""
    missing = [e.function for e in course.exercises
               if not public.path_for(course.public_cases, e.function).is_file()]
    if missing:
        raise BuildError(f"{course.public_cases} has no public cases for "
                         f"{', '.join(missing)}: run `autograder regenerate` first")
    root = project_root(course)
    files = {name: HERE / name for name in SCRIPTS}
    files.update({name: root / name for name in PROJECT_FILES})
    files["course.yaml"] = course.path
    files.update(_files(Path(autograder.__file__).resolve().parent, "autograder"))
    for folder in COURSE_FOLDERS:
        files.update(_files(course.root / folder, folder))
    return files


def build(course: Course, out: Path) -> list[str]:
    """Write the zip to ``out``; returns the names it holds."""
    files = contents(course)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if name in SCRIPTS else 0o644
            info.external_attr = (0o100000 | mode) << 16     # a regular file, with mode
            archive.writestr(info, files[name].read_bytes())
    return sorted(files)
