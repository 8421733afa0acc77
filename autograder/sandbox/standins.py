"""Stand-ins for a student's files that cannot be imported (loaded by path by
``worker.py``, which imports nothing of the ``autograder`` package).

A stray ``x = (`` at the end of ``softmax.py`` must not cost ``causal_mask``, which never
calls softmax, though ``attention.py`` imports it. So when importing one of the
student's modules fails because another of their top-level files failed to import
(a syntax error, or an exception at its top level), that file is replaced in
``sys.modules`` by a :class:`BrokenModule` and the import is tried again: each name
taken from it, when called, raises an ``ImportError`` naming the file and line. A
function that never calls into the broken file keeps its points; the broken file's own
functions still report its error when imported for themselves (``worker.handle``).
"""
import importlib
import os
import sys
import traceback


def _broken_file(exc: BaseException, module: str, submission: str) -> tuple[str, int] | None:
    """``(file name, line)`` of another of the student's top-level files whose own
    import raised ``exc`` while ``module`` was imported, else None."""
    if isinstance(exc, SyntaxError):
        path, line = exc.filename or "", exc.lineno
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.name == "<module>" and f.filename.startswith(submission + os.sep)]
        if not frames:
            return None
        path, line = frames[-1].filename, frames[-1].lineno
    name = os.path.basename(path)
    if (os.path.dirname(path) != submission or not name.endswith(".py")
            or name[:-3] == module):
        return None
    return name, line or 0


class BrokenModule(type(sys)):
    """Stands for a student file that cannot be imported, so the files that import it
    still can: each of its names, when called, raises an error naming the file and
    line. (A function that never calls into it keeps its points.)"""

    def __init__(self, name: str, reason: str):
        super().__init__(name)
        self.__reason = reason

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        reason = self.__reason

        def unusable(*_args, **_kwargs):
            raise ImportError(reason)

        unusable.__name__ = attribute
        return unusable


# The most broken files stood in for while one module is imported (each is a file).
BROKEN_MAX = 64


def import_module(module_name: str, submission: str):
    """Import the student's module; a broken file it imports is stood in for by a
    :class:`BrokenModule` (the error of the module itself is raised)."""
    for _ in range(BROKEN_MAX):
        try:
            return importlib.import_module(module_name)
        except BaseException as exc:  # noqa: B036 - a student's import may raise anything
            broken = _broken_file(exc, module_name, submission)
            if broken is None or broken[0][:-3] in sys.modules:
                raise
            try:
                detail = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            except Exception:  # noqa: BLE001 - a student's __str__ may raise anything
                detail = type(exc).__name__
            what = ("a syntax error" if isinstance(exc, SyntaxError)
                    else f"an error ({type(exc).__name__})")
            sys.modules[broken[0][:-3]] = BrokenModule(broken[0][:-3], (
                f"{broken[0]} cannot be imported: {what} on line {broken[1]} "
                f"({str(detail)[:300]})"))
    return importlib.import_module(module_name)
