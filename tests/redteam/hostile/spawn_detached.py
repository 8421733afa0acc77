# Starts a process in a session of its own, by every route it can find, so that it would
# outlive the worker; the process carries the run's marker on its command line.
import os as _os

MARKER = "__MARKER__"
COMMAND = ["/bin/sh", "-c", f"sleep 300 # {MARKER}"]


def _spawn():
    try:
        import subprocess
        subprocess.Popen(COMMAND, start_new_session=True)
    except BaseException:
        pass
    try:
        if _os.fork() == 0:
            _os.setsid()
            _os.execv(COMMAND[0], COMMAND)
    except BaseException:
        pass
    try:
        _os.posix_spawn(COMMAND[0], COMMAND, {}, setsid=True)
    except BaseException:
        pass
    try:
        import _posixsubprocess
        _posixsubprocess.fork_exec(
            COMMAND, [COMMAND[0].encode()], True, (), None, None, -1, -1, -1, -1, -1, -1,
            *_os.pipe(), True, False, None, None, None, -1, None, False)
    except BaseException:
        pass


def positional_encoding(seq_len, d_model, base=10000.0):
    _spawn()
    return np.zeros((max(seq_len, 0), max(d_model, 0)))
