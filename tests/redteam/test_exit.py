"""A submission that ends its process, at import or in a call: it loses what it touched
(the module, or the call), the worker is restarted, everything else is graded."""
import pytest

from harness import assert_honest, attack, redteam_course  # noqa: F401

EXITS = {
    "sys.exit": "import sys; sys.exit(0)",
    "os._exit": "import os; os._exit(0)",
    "SIGKILL": "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
}
WORDS = {
    "sys.exit": "your module exited while being imported",
    "os._exit": "your module ended the process while being imported: it exited with code 0",
    "SIGKILL": "your module ended the process while being imported: it was killed (SIGKILL)",
}


@pytest.mark.parametrize("how", EXITS)
def test_exiting_while_being_imported(attack, how):
    graded = attack({"positional_encoding": EXITS[how]})
    assert_honest(graded, {"positional_encoding": 0})
    assert all(m.startswith(WORDS[how]) for m in graded.messages("positional_encoding"))


@pytest.mark.parametrize("how", EXITS)
def test_exiting_in_the_middle_of_a_call(attack, how):
    code = f"def positional_encoding(seq_len, d_model, base=10000.0):\n    {EXITS[how]}\n"
    graded = attack({"positional_encoding": code})
    assert_honest(graded, {"positional_encoding": 0})
    expected = ("your function tried to end the process" if how == "sys.exit"
                else "your function ended the process it ran in")
    # Cases that expect a ValueError say what was raised or how the process ended.
    assert all(m.startswith(expected) or m.startswith("should raise ValueError")
               for m in graded.messages("positional_encoding"))
