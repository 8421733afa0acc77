# Appends to course.yaml and to the grader's own source files, found through the grading
# process's /proc entries, by walking up, and through the installed package.
import os as _os
import sys as _sys

MARKER = "__MARKER__"


def _roots():
    parent = _os.getppid()
    yield f"/proc/{parent}/cwd"
    try:
        argv = open(f"/proc/{parent}/cmdline", "rb").read().decode().split("\0")
        yield _os.path.dirname(argv[argv.index("--course") + 1])
    except (OSError, ValueError, IndexError):
        pass
    folder = _os.getcwd()
    while folder != "/":
        folder = _os.path.dirname(folder)
        yield folder
    for site in _sys.path:
        try:
            finders = [n for n in _os.listdir(site) if n.startswith("__editable__")]
        except OSError:
            continue
        for name in finders:
            try:
                text = open(_os.path.join(site, name)).read()
            except OSError:
                continue
            start = text.find("'autograder': '")
            if start >= 0:
                package = text[start + 15:text.index("'", start + 15)]
                yield _os.path.dirname(package)


for _root in _roots():
    for _name in ("course.yaml", "autograder/__init__.py", "autograder/sandbox/worker.py",
                  "autograder/checks/kit.py", "autograder/grading/judge.py"):
        try:
            with open(_os.path.join(_root, _name), "a") as _file:
                _file.write(f"\n# {MARKER}\n")
        except OSError:
            pass
