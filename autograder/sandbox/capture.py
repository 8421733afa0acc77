"""What a session's workers print: kept up to a limit, and made safe to show."""
from __future__ import annotations

import threading

# What the student's output may not carry into a report: control characters (a
# terminal would obey them, e.g. to redraw a score), kept visible as escapes.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7f, 0xa0))
            if c not in (0x09, 0x0a)}  # tab and newline stay


class Capture:
    """The first ``limit`` bytes all of a session's workers print, and a count of the rest."""

    def __init__(self, limit: int):
        self.kept = bytearray()
        self.dropped = 0
        self._limit = limit
        self._lock = threading.Lock()

    def drain(self, stream) -> threading.Thread:
        # A daemon thread: it ends at the worker's end of file, and never holds up exit.
        thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        thread.start()
        return thread

    def _drain(self, stream) -> None:
        with stream:
            while chunk := stream.read1(65536):
                with self._lock:
                    room = max(self._limit - len(self.kept), 0)
                    self.kept += chunk[:room]
                    self.dropped += max(len(chunk) - room, 0)

    def text(self) -> str:
        with self._lock:
            kept, dropped = bytes(self.kept), self.dropped
        text = kept.decode("utf-8", "replace").translate(_CONTROL)
        return text + (f"\n[... {dropped} more bytes of output not kept]" if dropped else "")
