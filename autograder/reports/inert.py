"""What a report may echo from a student, and how: bounded, and inert in every format.

Everything a report shows that came from a submission (case messages with exception
type names and values, feedback, warnings naming files, answers, printed output) is
cut to a stated bound here, so that a report stays well under 1 MB whatever the
submission: at most ``ECHO_CHARS`` characters of messages, feedback, warnings and
answers together (each at most ``MESSAGE_CHARS`` and ``MESSAGE_LINES`` lines, and at
least ``MIN_CHARS``, which only a course of over 6,000 cases would reach), at most
``WARNINGS`` warnings, and ``OUTPUT_CHARS`` of printed output. Even at the worst
escaping (six bytes per character in json, ``\\u001b``) that is under 800 kB, plus
what the course itself puts in (ids, names), about 200 bytes per case.

Each format then keeps it inert: ``printable`` escapes control and
direction-changing characters for a terminal, ``xml_text`` removes what XML 1.0
cannot hold, ``finite`` turns a non-finite number into a string for strict JSON.
"""
from __future__ import annotations

import dataclasses
import math
import re
import reprlib

MESSAGE_CHARS = 2000
MESSAGE_LINES = 40
ECHO_CHARS = 100_000
OUTPUT_CHARS = 16_384
WARNINGS = 50
ANSWER_CHARS = 200
MIN_CHARS = 16           # each message keeps at least this, however many there are

# C0 controls but tab and newline, DEL and C1 controls, zero-width and bidirectional
# formatting characters (they reorder what a terminal shows), line/paragraph separators
# and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What XML 1.0 may not hold at all (not even escaped).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii") \
        if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every character that could move the cursor, clear the screen or
    reorder a line shown as an escape (``\\x1b``, ``\\r``, ``\\u202e``); newlines stay."""
    return _UNSAFE.sub(_escape, text)


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can hold it: forbidden characters shown as escapes."""
    return _NOT_XML.sub(_escape, text)


def clip(text: str, limit: int = MESSAGE_CHARS, lines: int = MESSAGE_LINES) -> str:
    """``text`` cut to ``limit`` characters and ``lines`` lines, saying how much was cut;
    lone surrogates (which no UTF-8 file can hold) become escapes."""
    text = str(text)
    cut = ""
    if len(text) > limit:
        cut = f"... [{len(text) - limit} more characters cut]"
        text = text[:limit]
    parts = text.split("\n", lines)
    if len(parts) > lines:
        cut = cut or f"... [{parts[-1].count(chr(10)) + 1} more lines cut]"
        text = "\n".join(parts[:lines])
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text + cut


def finite(value):
    """``value`` with every non-finite float (``.nan``, ``.inf``) as a string, for
    strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = ANSWER_CHARS
_SHORT.maxlist = 20


def _answer(value):
    """An answer as a report shows it: itself when small and plain, else a short repr."""
    value = finite(value)
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int) and value.bit_length() < 600:    # under 200 digits
        return value
    if isinstance(value, str):
        return clip(value, ANSWER_CHARS, 1)
    if isinstance(value, list) and len(value) <= _SHORT.maxlist and all(
            v is None or isinstance(v, (bool, float)) or isinstance(v, int)
            and v.bit_length() < 600 or isinstance(v, str) and len(v) <= ANSWER_CHARS
            for v in value):
        return [clip(v, ANSWER_CHARS, 1) if isinstance(v, str) else v for v in value]
    return clip(_SHORT.repr(value), ANSWER_CHARS, 1)


def bounded(report):
    """A copy of ``report`` whose student-made text keeps to the bounds above."""
    exercises = [e for a in report.assignments for e in a.exercises]
    echoed = (sum(len(e.cases) + len(e.feedback) for e in exercises)
              + sum(len(a.questions) for a in report.assignments)
              + min(len(report.warnings), WARNINGS))
    each = max(MIN_CHARS, min(MESSAGE_CHARS, ECHO_CHARS // max(1, echoed)))
    warnings = [clip(w, each) for w in report.warnings[:WARNINGS]]
    if len(report.warnings) > WARNINGS:
        warnings.append(f"... and {len(report.warnings) - WARNINGS} more warnings")
    assignments = [dataclasses.replace(
        a,
        exercises=[dataclasses.replace(
            e, feedback=[clip(f, each) for f in e.feedback],
            cases=[dataclasses.replace(c, message=clip(c.message, each)) for c in e.cases])
            for e in a.exercises],
        questions=[dataclasses.replace(q, message=clip(q.message, each),
                                       answer=_answer(q.answer)) for q in a.questions])
        for a in report.assignments]
    return dataclasses.replace(report, assignments=assignments, warnings=warnings,
                               output=clip(report.output, OUTPUT_CHARS, OUTPUT_CHARS),
                               submission=clip(report.submission, 500, 1))
