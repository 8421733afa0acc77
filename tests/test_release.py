"""``autograder release``: the student bundle has what a student needs and nothing
secret: no reference code, no answer key, no seed, no hidden case. Every file of the
bundle is scanned, and ``autograder check`` runs inside it without ``solutions/``."""
from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from autograder.checks import FUNCTIONS, cases_of
from autograder.course.loader import load_course
from autograder.integrations import release
from conftest import EXERCISES, ROOT, SOLUTIONS, run_autograder

# Lines of a reference that the contract itself spells out, so they prove nothing.
GENERIC = {"lk = lq if lk is None else lk"}
SHORTEST = 20   # shorter reference lines (`x = np.asarray(x)`, `else:`) are everywhere


def normalised(line: str) -> str:
    return re.sub(r"\s+", " ", line.split("#")[0]).strip()


def reference_lines() -> set[str]:
    """Every distinctive line of a function body in solutions/ (docstrings left out)."""
    stubs = {normalised(line) for path in EXERCISES.glob("*.py")
             for line in path.read_text().splitlines()}
    found = set()
    for path in SOLUTIONS.glob("*.py"):
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef):
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for statement in body:
                found |= {normalised(line) for line in
                          lines[statement.lineno - 1:statement.end_lineno]}
    return {line for line in found - stubs - GENERIC if len(line) >= SHORTEST}


def key_patterns() -> dict[str, re.Pattern]:
    """question id -> a pattern of that id given its key answer (``why-scale: d``)."""
    key = yaml.safe_load((SOLUTIONS / "answers.yaml").read_text())
    patterns = {}
    for qid, answer in key.items():
        if isinstance(answer, list):
            value = r"\[\s*" + r"\s*,\s*".join(map(re.escape, answer)) + r"\s*\]"
        else:
            value = re.escape(str(answer)) + r"(?![\w.])"
        patterns[qid] = re.compile(rf"{re.escape(qid)}['\"]?\s*[:=]\s*['\"]?{value}")
    return patterns


def texts(folder: Path) -> dict[Path, str]:
    return {p: p.read_bytes().decode("utf-8", "replace")
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "attention-course"
    run_autograder("release", out, check=True)
    return out


def test_bundle_holds_the_stubs_public_cases_course_and_grader(bundle):
    for path in [*EXERCISES.glob("*.py"), EXERCISES / "answers.yaml"]:
        assert (bundle / "exercises" / path.name).read_bytes() == path.read_bytes()
    for path in (ROOT / "public").glob("*.cases"):
        assert (bundle / "public" / path.name).read_bytes() == path.read_bytes()
    for name in ("autograder/cli.py", "autograder/checks/kit.py", "pyproject.toml",
                 "README.md"):
        assert (bundle / name).is_file(), name
    assert "autograder check" in (bundle / "README.md").read_text()
    assert load_course(bundle / "course.yaml", require_solutions=False).id == "attention-course"


def test_no_file_comes_from_solutions(bundle):
    secret = {hashlib.sha256(p.read_bytes()).hexdigest()
              for p in SOLUTIONS.rglob("*") if p.is_file()}
    for path in bundle.rglob("*"):
        assert "solutions" not in path.relative_to(bundle).parts
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in secret, path


def test_no_line_of_a_reference_body_anywhere(bundle):
    needles = reference_lines()
    assert len(needles) >= 30
    # The scan finds them where they are...
    in_solutions = {normalised(line) for text in texts(SOLUTIONS).values()
                    for line in text.splitlines()}
    assert needles <= in_solutions
    # ...and nowhere in the bundle.
    for path, text in texts(bundle).items():
        leaked = needles & {normalised(line) for line in text.splitlines()}
        assert not leaked, f"{path}: {sorted(leaked)}"


def test_no_answer_key_value_next_to_its_question(bundle):
    patterns = key_patterns()
    key_text = (SOLUTIONS / "answers.yaml").read_text()
    assert all(p.search(key_text) for p in patterns.values())     # the scan can see them
    for path, text in texts(bundle).items():
        leaked = [qid for qid, p in patterns.items() if p.search(text)]
        assert not leaked, f"{path}: {leaked}"
    numeric = [str(v) for v in yaml.safe_load(key_text).values()
               if isinstance(v, (int, float)) and len(str(v)) >= 5]
    assert numeric
    for path, text in texts(bundle).items():
        assert not [v for v in numeric if v in text], path


def test_no_seed_anywhere(bundle):
    seed = str(load_course(ROOT / "course.yaml").grading.seed)
    for path in bundle.rglob("*"):
        if path.is_file():
            assert seed.encode() not in path.read_bytes(), path
    released = load_course(bundle / "course.yaml", require_solutions=False)
    assert str(released.grading.seed) != seed


def test_no_hidden_case_name_and_every_public_case_kept(bundle):
    # A name can be public for one function and hidden for another ("float32 in, ...").
    public = {c.name for f in FUNCTIONS for c in cases_of(f) if not c.hidden}
    hidden = {c.name for f in FUNCTIONS for c in cases_of(f) if c.hidden
              and not any(c.name in name for name in public)}
    assert len(hidden) >= 20
    for path, text in texts(bundle).items():
        assert not [n for n in hidden if n in text], path
    listed = subprocess.run(
        [sys.executable, "-c", "from autograder.checks import FUNCTIONS, cases_of\n"
         "import autograder\nprint(autograder.__file__)\n"
         "for f in FUNCTIONS:\n    for c in cases_of(f):\n        print(c.hidden, c.name)"],
        cwd=bundle, env={**os.environ, "PYTHONPATH": str(bundle)},
        capture_output=True, text=True, check=True).stdout.splitlines()
    assert listed[0] == str(bundle / "autograder" / "__init__.py")
    assert sorted(listed[1:]) == sorted(f"False {n}" for f in FUNCTIONS
                                        for n in [c.name for c in cases_of(f) if not c.hidden])


def _check_in(bundle: Path, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(bundle)
    return subprocess.run([sys.executable, "-m", "autograder", "check", *map(str, args)],
                          cwd=bundle, env=env, capture_output=True, text=True, timeout=300)


def test_check_works_inside_the_bundle(bundle):
    stubs = _check_in(bundle)
    assert stubs.returncode == 0, stubs.stderr
    total = re.search(r"Public cases: 0 / (\d+)", stubs.stdout)
    assert total, stubs.stdout
    references = _check_in(bundle, SOLUTIONS)   # the public cases still grade correctly
    assert references.returncode == 0, references.stderr
    assert f"Public cases: {total[1]} / {total[1]}" in references.stdout


def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_autograder("release", tmp_path)
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


CHECK_MODULE = textwrap.dedent('''\
    """Checks with hidden cases first, between, last; ± and × survive."""
    from .kit import call, case, ids


    def _only_hidden(rng):
        return call(rng.normal(size=3))


    def _shared(rng):
        return call(rng.normal(size=2))


    CASES = [
        case("secret one ±", _only_hidden, hidden=True),
        case("public × one", _shared),
        # about the next case
        case("secret two", lambda rng: call(1), weight=2, hidden=True),
        case("public two", lambda rng: call(2), hidden=False),
        case("secret three", _shared, hidden=True),
    ]
    ALL_HIDDEN = [case("secret four", _shared, hidden=True),]
    ONE_LINE = [case("secret five", _shared, hidden=True), case("public three", _shared)]
''')


def test_strip_hidden_cuts_every_hidden_case_and_the_helpers_only_they_used():
    stripped = release.strip_hidden(CHECK_MODULE, "checks/x.py")
    ast.parse(stripped)
    assert "secret" not in stripped and "_only_hidden" not in stripped
    assert "about the next case" not in stripped
    for kept in ("public × one", "public two", "public three", "def _shared", "±"):
        assert kept in stripped
    assert "ALL_HIDDEN = []" in stripped


def test_strip_hidden_refuses_a_hidden_flag_it_cannot_read():
    source = "from .kit import case\nFLAG = True\nCASES = [case('x', f, hidden=FLAG)]\n"
    with pytest.raises(release.ReleaseError, match="checks/y.py:3: hidden= must be"):
        release.strip_hidden(source, "checks/y.py")


def test_release_refuses_a_course_file_that_repeats_the_seed(course_copy, tmp_path):
    path = course_copy / "course.yaml"
    seed = load_course(path).grading.seed
    path.write_text(f"# hidden cases are drawn from seed {seed}\n" + path.read_text())
    result = run_autograder("release", tmp_path / "out", "--course", path)
    assert result.returncode == 2
    assert f"course.yaml:1: the seed {seed} also appears here" in result.stderr
