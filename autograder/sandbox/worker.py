"""The worker: the only process that ever imports a student's code.

Started as ``python -I -B worker.py FD_IN FD_OUT CONFIG`` (CONFIG: the JSON of
``limits.worker_config``) in a private copy of the submission's Python files, or forked
by the fork server (``worker.py --zygote FD CONFIG``, see ``fork_server.py``), which
has done the first step once for all its workers. Before any student code runs it, in
this order: imports NumPy (without ``ctypes``) and, when the grading process planned
kernel layers, ``kernel.py``; applies its resource limits; applies the kernel's layers
(a private tmpfs, Landlock, no capabilities, seccomp: see ``kernel.py``), or, as root
on a host without Landlock, drops to the sandbox user; installs the audit hook of
``guard.py`` (a second layer, for friendlier messages); then says it is ready, naming
the layers in force. It then reads requests from FD_IN and answers on FD_OUT in the
plain-bytes format of ``_ag_protocol``; the student's prints go to its stdout/stderr,
which the grading process captures separately.

It imports nothing of the ``autograder`` package (its helpers are loaded by path),
holds no reference implementation and no expected output: it only runs what it is asked
to run and sends back what came out.
"""
import importlib
import importlib.util
import json
import os
import sys
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
SUBMISSION = os.getcwd()
# Imported before privileges are dropped when the Python installation is not readable
# by the sandbox user (a Python under /root), so a student may still use them.
# (numpy.testing is left out: it costs 40 ms per worker and exercises do not need it.)
PRELOAD = ("numpy.random", "numpy.fft", "array", "bisect", "cmath", "copy", "dataclasses",
           "decimal", "fractions", "heapq", "random", "signal", "statistics", "string")
# Never loaded in a hardened worker; NumPy copes without it (ndarray.ctypes aside).
NOT_LOADED = ("ctypes", "_ctypes")


class _RefuseCtypes:
    """A meta path finder that keeps ``ctypes`` out while NumPy is imported."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in NOT_LOADED:
            raise ImportError(f"{name} is not available while grading")
        return None


def _load(name: str, path: str | None = None):
    path = path or os.path.join(_HERE, f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A student file that cannot be imported is stood in for, so the files that import it
# still can (see standins.py).
_STANDINS = _load("standins")


def _readable_by_others(path: str) -> bool:
    """Whether a user with no relation to the file's owner may read ``path``."""
    import stat

    path = os.path.realpath(path)
    while True:
        mode = os.stat(path).st_mode
        if not mode & stat.S_IXOTH or (stat.S_ISDIR(mode) and not mode & stat.S_IROTH):
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def _apply_limits(config: dict) -> None:
    import resource

    def cap(limit, value):
        resource.setrlimit(limit, (value, value))

    cap(resource.RLIMIT_CORE, 0)
    if config["memory_bytes"] > 0:
        cap(resource.RLIMIT_AS, config["memory_bytes"])
    if config["hardened"]:
        # SIGXCPU at the soft limit, SIGKILL one second later.
        resource.setrlimit(resource.RLIMIT_CPU, (config["cpu_seconds"], config["cpu_seconds"] + 1))
        cap(resource.RLIMIT_FSIZE, config["file_bytes"])
        cap(resource.RLIMIT_NOFILE, config["open_files"])


def _drop_privileges(user) -> None:
    uid, gid = user
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _forbid_processes() -> None:
    import resource

    # No new process or thread at all: the kernel counts the user's processes against
    # this limit, and that user already has this one. (Root would be exempt, which is
    # why it is set after the drop.)
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def prepare(config: dict):
    """The imports, done as the grader's user (in the fork server: once for all the
    workers forked from it); returns the protocol, guard and kernel modules and the
    Landlock rules for reading."""
    hardened = config["hardened"]
    plan = config.get("kernel") or {}
    if hardened:
        sys.meta_path.insert(0, _RefuseCtypes)
    try:
        protocol = _load("_ag_protocol")  # imports NumPy
        if hardened and config["user"] and not all(
                _readable_by_others(os.path.dirname(m.__file__)) for m in (os, protocol.np)):
            for name in PRELOAD:
                importlib.import_module(name)
        guard = _load("guard") if hardened else None
        _prepare_weights(protocol)
    finally:
        if hardened:
            sys.meta_path.remove(_RefuseCtypes)
    kernel = rules = None
    if hardened and plan:
        kernel = _load("kernel")  # ctypes: forgotten again before any student code runs
        if plan.get("seccomp"):
            kernel.import_pyseccomp()  # loads libseccomp now, once
        if plan.get("landlock"):
            prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
            rules = kernel.readable_rules(prefixes, [os.path.dirname(_HERE)])
    return protocol, guard, kernel, rules


def _confine(config: dict, kernel, rules) -> list:
    """Apply the kernel's layers of ``config["kernel"]`` (see ``kernel.py``); the names
    of those in force. A layer asked for that cannot be applied stops the worker."""
    plan, layers = config.get("kernel") or {}, []
    if plan.get("disk_bytes"):
        try:
            kernel.private_disk(SUBMISSION, plan["disk_bytes"], config["user"])
            layers.append("disk-cap")
        except kernel.ConfineError:
            pass  # reported by its absence: each file is still capped (RLIMIT_FSIZE)
    if config["user"]:
        _drop_privileges(config["user"])
        layers.append("user-nobody")
    if plan:
        kernel.no_new_privs()
        layers.append("no-new-privs")
    if plan.get("landlock"):
        abi = plan["landlock"]
        kernel.landlock(abi, [*rules, (SUBMISSION, kernel.PRIVATE)])
        layers += ["landlock-files"] + (["landlock-network"] if abi >= 4 else []) + (
            ["landlock-signals"] if abi >= 6 else [])
    if plan.get("drop_caps"):
        kernel.drop_capabilities(plan["last_cap"])
        layers.append("no-capabilities")
    if plan.get("seccomp"):
        kernel.seccomp(os.getpid())
        layers.append("seccomp")
    if kernel is not None:
        kernel.forget_ctypes(sys.modules)
    return layers


# Weights named in a request (``protocol.Named``) are read by the worker itself, from
# the installed model package, instead of crossing the pipe (~90 MB): see
# autograder/model/checkpoint.py, loaded here by path before the sandbox is in place.
_WEIGHTS = {}


def _prepare_weights(protocol) -> None:
    checkpoint = _load("_ag_checkpoint", os.path.join(os.path.dirname(_HERE), "model",
                                                      "checkpoint.py"))
    checkpoint.prepare()
    _WEIGHTS.update(checkpoint=checkpoint, named=protocol.Named)


def _with_weights(value):
    return _WEIGHTS["checkpoint"].resolve(value, _WEIGHTS["named"]) if _WEIGHTS else value


def _preload_weights() -> None:
    """In the fork server only: read the model once, so each forked worker finds it in
    memory (shared copy-on-write) instead of reading ~90 MB per submission. The arrays
    are views of immutable bytes, and a worker's writes to its memory are its own."""
    if _WEIGHTS:
        try:
            _with_weights(_WEIGHTS["named"](_WEIGHTS["checkpoint"].NAME))
        except Exception:  # noqa: BLE001 - no model, or a broken one: a worker that
            pass           # needs it tries again and says why, as before


def setup(config: dict, prepared=None):
    """Everything that happens before student code may run; returns the protocol module
    and the ready message."""
    hardened = config["hardened"]
    protocol, guard, kernel, rules = prepared or prepare(config)
    _apply_limits(config)
    layers = ["rlimits"]
    if hardened:
        layers += _confine(config, kernel, rules)
        _forbid_processes()
        if config.get("audit_hook", True):
            prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
            guard.install(SUBMISSION, sorted(prefixes), [os.path.dirname(_HERE)])
            layers.append("audit-hook")
    ready = {"ready": True, "pid": os.getpid(), "uid": os.getuid(), "gid": os.getgid(),
             "hardened": hardened, "layers": layers}
    return protocol, ready


# The end of the line that stands in for a notebook cell with a syntax error (the
# autograder's integrations/notebook.py writes it; this file imports nothing of it).
STAND_IN = "# autograder: stands in for a cell with a syntax error"


def _student_traceback(exc: BaseException) -> str:
    """The traceback cut down to frames in the student's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(SUBMISSION + os.sep)
              and not (f.line or "").endswith(STAND_IN)]
    lines = [f'  {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}\n'
             + (f'    {f.line}\n' if f.line else '') for f in frames]
    return "".join(lines)


def _describe_error(exc: BaseException, module: str) -> dict:
    kind = "exception"
    if isinstance(exc, ModuleNotFoundError) and exc.name == module:
        kind = "missing"
    elif isinstance(exc, SyntaxError) and exc.filename:
        kind = "syntax"
    elif isinstance(exc, (SystemExit, KeyboardInterrupt)):
        kind = "exit"
    message = str(exc)
    if isinstance(exc, SyntaxError) and exc.filename:
        message = f"{exc.msg} ({os.path.basename(exc.filename or '?')}, line {exc.lineno})"
    elif isinstance(exc, SystemExit):
        message = f"exit code {exc.code!r}"
    return {
        "ok": False,
        "kind": kind,
        "type": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": message[:2000],
        "traceback": _student_traceback(exc)[-4000:],
    }


def _failure(exc: BaseException, module: str, during: str) -> dict:
    try:
        reply = _describe_error(exc, module)
    except MemoryError:  # the student's data is still held by the traceback's frames
        reply = dict(OUT_OF_MEMORY)
    reply["during"] = during
    return reply


# Written to stdout before the first call of each function (and again when another
# function was called in between), so the grader can tell apart what each one printed
# (autograder/grading/printed.py reads it; keep the two in step).
MARK = "\x1eautograder:{}\x1e\n"
_last_marked = [None]


def _mark(function: str) -> None:
    if _last_marked[0] != function:
        _last_marked[0] = function
        sys.stdout.write(MARK.format(function))


def handle(request: dict) -> dict:
    module_name = request["module"]
    if module_name not in sys.modules:
        _mark(f"import {module_name}")
    try:
        module = sys.modules.get(module_name)
        if isinstance(module, _STANDINS.BrokenModule):
            del sys.modules[module_name]   # its own error, as when imported by itself
        module = _STANDINS.import_module(module_name, SUBMISSION)
    except BaseException as exc:  # noqa: B036 - a student's import may raise anything
        return _failure(exc, module_name, "import")
    if request["op"] == "load":
        names = [n for n, v in vars(module).items() if callable(v)]
        return {"ok": True, "names": names}
    function = getattr(module, request["function"], None)
    _mark(request["function"])
    if not callable(function):
        return {"ok": False, "kind": "missing", "type": "AttributeError", "mro": [],
                "message": f"{module_name}.py defines no function {request['function']}",
                "traceback": "", "during": "call"}
    try:
        args, kwargs = _with_weights((request.get("args", ()), request.get("kwargs", {})))
        value = function(*args, **kwargs)
    except BaseException as exc:  # noqa: B036
        return _failure(exc, module_name, "call")
    return {"ok": True, "value": value}


# Built before any student code runs: when memory is exhausted there may be none left
# to describe the error with.
OUT_OF_MEMORY = {"ok": False, "kind": "exception", "type": "MemoryError",
                 "mro": ["MemoryError", "Exception", "BaseException", "object"],
                 "message": "", "traceback": ""}


def main(protocol, fd_in: int, fd_out: int) -> None:
    # The student's folder is the only place code is imported from, besides the
    # Python installation itself.
    sys.path.insert(0, SUBMISSION)
    while True:
        try:
            request = protocol.decode(protocol.read_message(fd_in))
        except EOFError:
            return
        try:
            reply = handle(request)
        except MemoryError:
            reply = dict(OUT_OF_MEMORY, during="call")
        reply["id"] = request.get("id")
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            payload = protocol.encode(reply)
        except Exception as exc:  # an unencodable result is the student's, not ours
            payload = protocol.encode({"ok": False, "kind": "exception", "id": request.get("id"),
                                       "type": type(exc).__name__, "mro": [],
                                       "message": f"result could not be sent: {exc}",
                                       "traceback": "", "during": "call"})
        protocol.write_message(fd_out, payload)


def _forked(fd: int, zygote: dict):
    """Serve as the fork server; returns, in each forked worker only, what it needs."""
    prepared = prepare(zygote)
    if zygote.get("weights", True):
        _preload_weights()
    fd_in, fd_out, config = _load("fork_server").serve(fd)
    if any(config.get(k) != zygote.get(k) for k in ("hardened", "user", "kernel")):
        # Prepared for other workers: never run a student with less than was asked.
        raise SystemExit("the fork server was started for other limits")
    return fd_in, fd_out, config, prepared


if __name__ == "__main__":
    if sys.argv[1] == "--zygote":
        _fd_in, _fd_out, _config, _prepared = _forked(int(sys.argv[2]), json.loads(sys.argv[3]))
        SUBMISSION = os.getcwd()
        sys.argv[1:] = [str(_fd_in), str(_fd_out), json.dumps(_config)]  # as if started directly
    else:
        _fd_in, _fd_out, _config, _prepared = (int(sys.argv[1]), int(sys.argv[2]),
                                               json.loads(sys.argv[3]), None)
    _protocol, _ready = setup(_config, _prepared)
    del _prepared  # the kernel module (and ctypes with it) is no longer reachable by name
    _protocol.write_message(_fd_out, _protocol.encode(_ready))
    main(_protocol, _fd_in, _fd_out)
