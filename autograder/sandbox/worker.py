"""The worker: the only process that ever imports a student's code.

Started as ``python -I -B worker.py FD_IN FD_OUT`` with a private copy of the
submission as its working directory. It reads requests from FD_IN and answers on
FD_OUT in the plain-bytes format of ``_ag_protocol``; the student's prints go to its
stdout/stderr, which the grading process captures separately. It imports nothing of
the ``autograder`` package, holds no reference implementation and no expected output:
it only runs what it is asked to run and sends back what came out.
"""
import importlib
import importlib.util
import os
import sys
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_protocol():
    spec = importlib.util.spec_from_file_location(
        "_ag_protocol", os.path.join(_HERE, "_ag_protocol.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


protocol = _load_protocol()
SUBMISSION = os.getcwd()


def _student_traceback(exc: BaseException) -> str:
    """The traceback cut down to frames in the student's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(SUBMISSION + os.sep)]
    lines = [f'  {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}\n'
             + (f'    {f.line}\n' if f.line else '') for f in frames]
    return "".join(lines)


def _describe_error(exc: BaseException, module: str) -> dict:
    kind = "exception"
    if isinstance(exc, ModuleNotFoundError) and exc.name == module:
        kind = "missing"
    elif isinstance(exc, SyntaxError):
        kind = "syntax"
    elif isinstance(exc, (SystemExit, KeyboardInterrupt)):
        kind = "exit"
    message = str(exc)
    if isinstance(exc, SyntaxError):
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


def _import(module: str):
    if module in sys.modules:
        return sys.modules[module]
    return importlib.import_module(module)


def handle(request: dict) -> dict:
    module_name = request["module"]
    try:
        module = _import(module_name)
    except BaseException as exc:  # noqa: B036 - a student's import may raise anything
        reply = _describe_error(exc, module_name)
        reply["during"] = "import"
        return reply
    if request["op"] == "load":
        names = [n for n, v in vars(module).items() if callable(v)]
        return {"ok": True, "names": names}
    function = getattr(module, request["function"], None)
    if not callable(function):
        return {"ok": False, "kind": "missing", "type": "AttributeError", "mro": [],
                "message": f"{module_name}.py defines no function {request['function']}",
                "traceback": "", "during": "call"}
    try:
        value = function(*request.get("args", ()), **request.get("kwargs", {}))
    except BaseException as exc:  # noqa: B036
        reply = _describe_error(exc, module_name)
        reply["during"] = "call"
        return reply
    return {"ok": True, "value": value}


def main(fd_in: int, fd_out: int) -> None:
    # The student's folder is the only place code is imported from, besides the
    # Python installation itself.
    sys.path.insert(0, SUBMISSION)
    while True:
        try:
            request = protocol.decode(protocol.read_message(fd_in))
        except EOFError:
            return
        reply = handle(request)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            payload = protocol.encode(reply)
        except Exception as exc:  # an unencodable result is the student's, not ours
            payload = protocol.encode({"ok": False, "kind": "exception",
                                       "type": type(exc).__name__, "mro": [],
                                       "message": f"result could not be sent: {exc}",
                                       "traceback": "", "during": "call"})
        protocol.write_message(fd_out, payload)


def _apply_limits(memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


if __name__ == "__main__":
    _apply_limits(int(sys.argv[3]))
    main(int(sys.argv[1]), int(sys.argv[2]))
