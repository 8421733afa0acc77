"""YAML with line numbers: every problem the loaders report names ``file:line``.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of
two equal keys; here the composed node tree is walked once to remember each value's
line and to report duplicate keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

# libyaml's loader when PyYAML was built with it (it is in the usual wheels): several
# times faster, with the same marks and errors.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class YamlError(Exception):
    """One or more problems found in a YAML file; ``str()`` lists them one per line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Document:
    file: str
    data: object
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, path) -> int:
        """The line of the value at ``path``, or of its nearest enclosing value."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def problem(self, path, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def _walk(node, path: tuple, lines: dict, problems: list, file: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(Problem(file, key_node.start_mark.line + 1,
                                        f"duplicate key {key!r} (first on line {seen[key]})"))
                continue
            seen[key] = key_node.start_mark.line + 1
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, problems, file)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, problems, file)


def parse(text: str, file: str) -> Document:
    """Parse YAML text; raises :class:`YamlError` on a syntax error or duplicate key."""
    try:
        node = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed bracket);
        # the problem mark is where the parser gave up, often a line later.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else 1
        message = f"not valid YAML: {exc.problem or exc}"
        if exc.context_mark and exc.problem_mark and exc.problem_mark.line != mark.line:
            message += f" ({exc.context}, noticed on line {exc.problem_mark.line + 1})"
        raise YamlError([Problem(file, line, message)]) from None
    except yaml.YAMLError as exc:
        raise YamlError([Problem(file, 1, f"not valid YAML: {exc}")]) from None
    document = Document(file, data)
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), document.lines, problems, file)
    if problems:
        raise YamlError(problems)
    return document


def read(path, display: str | None = None, max_bytes: int = 1 << 20) -> Document:
    """Read and parse a YAML file no larger than ``max_bytes``."""
    from pathlib import Path

    path = Path(path)
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlError([Problem(name, 1, f"file is {size} bytes, over the {max_bytes} limit")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlError([Problem(name, 1, "not UTF-8 text")]) from None
    except OSError as exc:
        raise YamlError([Problem(name, 1, f"cannot be read: {exc.strerror}")]) from None
    return parse(text, name)
