"""Loaded through PYTHONPATH by tests/test_student_install.py: this Python has only the
student install (pyproject.toml's dependencies, not the `staff` extra)."""
import sys

STAFF_ONLY = frozenset({"nbgrader", "jupyter", "jupyter_client", "jupyter_server",
                        "jupyterlab", "notebook", "nbconvert", "nbclient", "ipykernel",
                        "mistune", "tqdm"})


class _NotInstalled:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in STAFF_ONLY:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled)
