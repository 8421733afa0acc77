"""The self-check's worker where the full sandbox is missing (see ``portable.py``).

Started as ``python -I -B portable_worker.py CONFIG`` in a private copy of the student's
Python files, with requests on its standard input and replies on its standard output.
It is ``worker.py`` (loaded by path: the same request handling), without what needs a
POSIX host: it applies memory and processor-time limits where the ``resource`` module
exists, installs the audit hook on a POSIX file system (its rules are written for one),
sends the protocol on a copy of its standard output and points standard output at
standard error, so the student's prints never mix with its replies. Its ready message
names the layers in force.
"""
import importlib.util
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_ag_{name}", os.path.join(_HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _limits(config: dict) -> bool:
    """Memory and processor-time caps, where this Python has ``resource``."""
    try:
        import resource
    except ImportError:
        return False
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (config["cpu_seconds"], config["cpu_seconds"] + 1))
    try:  # macOS refuses an address-space cap; the time limit still holds
        resource.setrlimit(resource.RLIMIT_AS, (config["memory_bytes"], config["memory_bytes"]))
    except (ValueError, OSError):
        pass
    return True


def main(config: dict) -> None:
    worker = _load("worker")
    protocol = worker._load("_ag_protocol")  # imports NumPy
    worker._prepare_weights(protocol)  # the capstone's model, found before the hook
    fd_in, fd_out = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    layers = ["process"] + (["rlimits"] if _limits(config) else [])
    if config.get("audit_hook"):
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        worker._load("guard").install(worker.SUBMISSION, sorted(prefixes),
                                      [os.path.dirname(_HERE)])
        layers.append("audit-hook")
    ready = {"ready": True, "pid": os.getpid(), "hardened": False, "layers": layers}
    protocol.write_message(fd_out, protocol.encode(ready))
    worker.main(protocol, fd_in, fd_out)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
