"""Issue 10, item 10: the README's commands work as written after its own install,
`regenerate` rewrites nothing that did not change, the LICENSE matches pyproject.toml,
and nothing in the project refers to files outside it."""
from __future__ import annotations

import os
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from autograder.cli import parser
from conftest import ROOT, run_autograder

SKIPPED = {".git", ".venv", "__pycache__", "node_modules"}


def _readme_commands() -> list[tuple[int, str]]:
    """(line, command) of every shell line in the README's bash blocks."""
    commands, block, lines = [], False, (ROOT / "README.md").read_text().splitlines()
    pending, start = "", 0
    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            block = line.strip() == "```bash"
            continue
        if not block:
            continue
        pending, start = (pending + " " + line.rstrip("\\").strip(), start or number)
        if not line.rstrip().endswith("\\"):
            commands.append((start, pending.strip()))
            pending, start = "", 0
    return commands


def test_every_autograder_command_in_the_readme_parses_after_its_install():
    active, seen = False, 0
    for number, command in _readme_commands():
        for part in re.split(r"&&|;", command):
            words = shlex.split(part, comments=True)
            active = active or words[:2] == [".", ".venv/bin/activate"]
            if not words or words[0] != "autograder":
                continue
            seen += 1
            assert active, f"README.md:{number}: `autograder` before the install"
            try:
                parser().parse_args(words[1:])
            except SystemExit as exc:
                pytest.fail(f"README.md:{number}: `{' '.join(words)}` does not parse ({exc})")
    assert seen >= 5


def test_check_options_are_documented():
    """Every option `autograder check --help` lists is in the README's row for check
    (``--course``, common to every verb, is documented above the table)."""
    shown = run_autograder("check", "--help", check=True).stdout
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", shown)) - {"--help", "--course"}
    row = next(line for line in (ROOT / "README.md").read_text().splitlines()
               if line.startswith("| `check "))
    assert options and all(option in row for option in options), (options, row)


def test_the_license_is_mit_as_pyproject_says():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_nothing_refers_to_files_outside_the_project():
    outside = re.compile(r"\.\./shared|/work/|(?<![\w.])\.\./\.\./")
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            # This file names the patterns; a worktree's .git file names its repository.
            if path.suffix in {".cases", ".png", ".db", ".zip"} or name in SKIPPED \
                    or path == Path(__file__):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            found += [f"{path.relative_to(ROOT)}:{n}" for n, line in
                      enumerate(text.splitlines(), 1) if outside.search(line)]
    assert found == []


def test_regenerate_leaves_unchanged_files_alone_and_repairs_a_changed_one(course_copy):
    public = course_copy / "public"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in public.iterdir()}
    damaged = sorted(before)[0]
    (public / damaged).write_bytes(b"stale")
    run_autograder("regenerate", "--course", course_copy / "course.yaml", check=True)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in public.iterdir()}
    assert {n: b for n, (b, _) in after.items()} == {n: b for n, (b, _) in before.items()}
    assert all(after[n][1] == before[n][1] for n in before if n != damaged)
    assert after[damaged][1] != before[damaged][1]
