"""``autograder nbgrader build DIR``: a ready nbgrader course folder from ``course.yaml``.

It writes ``DIR/nbgrader_config.py`` and ``DIR/source/<assignment>/<assignment>.ipynb``
for every assignment; everything after that is nbgrader's own workflow
(``generate_assignment``, ``autograde``, ``generate_feedback``, ``export``), run in DIR.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ... import _jsonschema  # noqa: F401 - first: nbformat imports jsonschema
import nbformat

from ...course.locate import COURSE_VARIABLE
from ...course.locate import NBGRADER_CONFIG as CONFIG
from ...course.model import Course
from .notebooks import Sources, source_notebook

GRADEBOOK = "gradebook.db"
# A check cell grades the whole notebook the first time it runs: the course's
# submission_timeout, plus the start-up of the grading process on a busy machine.
STARTUP_ALLOWANCE = 60

CONFIG_TEMPLATE = '''\
# nbgrader's configuration for {course_id}, written by `autograder nbgrader build`.
# Rebuild rather than edit: autograder nbgrader build --course {course} {folder}
import os

# The course the check cells grade with (its checks, its public cases and, on the
# grading machine only, its solutions). The kernels nbgrader starts inherit this.
COURSE = {course!r}
os.environ[{variable!r}] = COURSE

c = get_config()  # noqa: F821 - nbgrader defines get_config when it loads this file
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {folder!r}
c.CourseDirectory.db_url = {db_url!r}
# Seconds for each cell. The first check cell grades the whole notebook: the course's
# submission_timeout ({submission_timeout:g} s) plus start-up.
c.Execute.timeout = {timeout}
c.Execute.kernel_name = "python3"
# nbgrader's feedback shows hidden tests unless told otherwise.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]
'''


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    config: Path
    notebooks: list[Path]
    cell_timeout: int
    notes: list[str] = field(default_factory=list)


def default_cell_timeout(course: Course) -> int:
    return math.ceil(course.grading.limits.submission_timeout) + STARTUP_ALLOWANCE


def config_text(course: Course, folder: Path, cell_timeout: int) -> str:
    return CONFIG_TEMPLATE.format(
        course_id=course.id, course=str(course.path.resolve()), folder=str(folder),
        variable=COURSE_VARIABLE, db_url=f"sqlite:///{folder / GRADEBOOK}",
        submission_timeout=course.grading.limits.submission_timeout, timeout=cell_timeout)


def kernel_note() -> str | None:
    """Why nbgrader's ``python3`` kernel may lack this package (None when it is fine)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        python = KernelSpecManager().get_kernel_spec("python3").argv[0]
    except NoSuchKernel:
        return ("there is no Jupyter kernel named python3: install one with "
                f"`{sys.executable} -m ipykernel install --sys-prefix`")
    # jupyter_client runs a bare "python" as the Python that runs nbgrader itself.
    if python in ("python", "python3") or Path(python).resolve() == Path(sys.executable).resolve():
        return None
    return (f"the python3 kernel runs {python}, not {sys.executable}: check cells need "
            f"this package there (`{python} -m pip install ...`), or point the kernel here "
            f"with `{sys.executable} -m ipykernel install --user`")


def build(course: Course, folder: Path, *, cell_timeout: int | None = None) -> BuildResult:
    """Write the nbgrader course folder for ``course`` into ``folder``."""
    folder = Path(folder).resolve()
    timeout = cell_timeout if cell_timeout is not None else default_cell_timeout(course)
    sources = Sources(course)
    notebooks = {a.id: source_notebook(course, a, sources) for a in course.assignments}
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / CONFIG
    config.write_text(config_text(course, folder, timeout), encoding="utf-8")
    written = []
    for assignment_id, notebook in notebooks.items():
        path = folder / "source" / assignment_id / f"{assignment_id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        written.append(path)
    note = kernel_note()
    return BuildResult(folder, config, written, timeout, [note] if note else [])
