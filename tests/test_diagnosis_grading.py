"""Diagnosis inside a graded run: hints in the reports, mistakes written in a student's own
way named all the same, a called exercise blamed when it is the cause, and reference-free
feedback when nothing matches or when ``solutions/`` is not there (a self-check)."""
import shutil
import textwrap
from pathlib import Path

import pytest

from autograder.course.loader import load_course
from autograder.diagnosis import diagnose as diagnose_module
from autograder.diagnosis import variants
from autograder.diagnosis.catalogue import write_variant
from autograder.grading import references as references_module
from autograder.grading.engine import grade
from autograder.reports.json_report import as_dict
from autograder.reports.text import render

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.fixture(scope="module")
def hints(course):
    return {m.key: m.hint for m in variants.catalogue(str(course.solutions))}


def student(tmp_path, file, source):
    """A submission: the references, with ``source`` appended to ``file`` (it wins)."""
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, tmp_path / path.name)
    with open(tmp_path / file, "a") as f:
        f.write("\n\n" + textwrap.dedent(source))
    return tmp_path


def exercise(report, function):
    return next(e for a in report.assignments for e in a.exercises if e.id == function)


def test_the_json_and_text_reports_carry_the_hint_first_under_its_exercise(tmp_path, course,
                                                                             hints):
    mistake = next(m for m in variants.catalogue(str(SOLUTIONS))
                   if m.key == "scaled_dot_product_attention/no-scaling")
    report = grade(course, write_variant(mistake, SOLUTIONS, tmp_path),
                   assignments=["attention"])
    data = as_dict(report)
    sdpa = next(e for a in data["assignments"] for e in a["exercises"]
                if e["id"] == "scaled_dot_product_attention")
    assert sdpa["feedback"][0] == mistake.hint
    assert len(sdpa["feedback"]) > 1                       # the case messages follow
    text = render(report)
    section = text[text.index("  scaled_dot_product_attention (attention.py)"):]
    assert section.splitlines()[1] == f"    > {mistake.hint}"
    causal = next(e for a in data["assignments"] for e in a["exercises"]
                  if e["id"] == "causal_mask")
    assert causal["feedback"] == []


WRITTEN_DIFFERENTLY = {
    "softmax/no-max-subtraction": ("softmax.py", """
        def softmax(x, axis=-1):
            with np.errstate(over="ignore", invalid="ignore"):
                ex = np.exp(x)
                return ex / ex.sum(axis=axis, keepdims=True)
        """),
    "scaled_dot_product_attention/mask-polarity-inverted": ("attention.py", """
        def scaled_dot_product_attention(q, k, v, mask=None):
            if mask is not None and np.asarray(mask).dtype != bool:
                raise TypeError("boolean mask please")
            s = np.matmul(q, np.swapaxes(k, -2, -1)) / math.sqrt(k.shape[-1])
            if mask is not None:
                s = np.where(mask, -np.inf, s)
            with np.errstate(invalid="ignore"):
                w = np.nan_to_num(softmax(s))
            return w @ v, w
        """),
    "multi_head_attention/scaled-by-d_model": ("attention.py", """
        def multi_head_attention(x_q, x_kv, params, num_heads, mask=None):
            d = x_q.shape[-1]
            if d % num_heads:
                raise ValueError("heads")
            def heads(x, n):
                y = np.einsum("...ld,ed->...le", x, params["w_" + n]) + params["b_" + n]
                return np.moveaxis(y.reshape(*y.shape[:-1], num_heads, d // num_heads), -2, -3)
            q, k, v = heads(x_q, "q"), heads(x_kv, "k"), heads(x_kv, "v")
            s = q @ np.swapaxes(k, -1, -2) / math.sqrt(d)
            if mask is not None:
                s = np.where(mask, s, -np.inf)
            w = softmax(s)
            o = np.moveaxis(w @ v, -3, -2)
            return o.reshape(*o.shape[:-2], d) @ params["w_o"].T + params["b_o"]
        """),
    "layer_norm/unbiased-variance": ("encoder.py", """
        def layer_norm(x, gamma, beta, eps=1e-5):
            mu = np.mean(x, axis=-1, keepdims=True)
            sigma2 = np.sum((x - mu) ** 2, axis=-1, keepdims=True) / (x.shape[-1] - 1)
            return gamma * (x - mu) / np.sqrt(sigma2 + eps) + beta
        """),
}


@pytest.mark.parametrize("key", list(WRITTEN_DIFFERENTLY))
def test_a_mistake_written_in_a_students_own_way_is_named(key, tmp_path, course, hints):
    file, source = WRITTEN_DIFFERENTLY[key]
    function = key.split("/")[0]
    assignment = next(a.id for a in course.assignments
                      if function in {e.function for e in a.exercises})
    report = grade(course, student(tmp_path, file, source), assignments=[assignment])
    assert exercise(report, function).feedback[0] == hints[key]


def test_a_mistake_in_a_called_exercise_is_blamed_on_that_exercise(tmp_path, course, hints):
    folder = student(tmp_path, "softmax.py", """
        def softmax(x, axis=-1):
            x = np.array(x, dtype=float)
            e = np.exp(x - x.max(axis=axis, keepdims=True))
            return e / e.sum(axis=axis, keepdims=True)
        """)
    report = grade(course, folder, assignments=["foundations", "attention"])
    assert exercise(report, "softmax").feedback[0] == hints["softmax/float64-output"]
    assert exercise(report, "scaled_dot_product_attention").feedback[0] == (
        "This comes from your softmax, which scaled_dot_product_attention calls: "
        + hints["softmax/float64-output"])


def test_a_called_exercise_not_graded_in_this_run_can_still_be_blamed(tmp_path, course, hints):
    file, source = WRITTEN_DIFFERENTLY["softmax/no-max-subtraction"]
    report = grade(course, student(tmp_path, file, source), assignments=["attention"])
    assert exercise(report, "scaled_dot_product_attention").feedback[0] == (
        "This comes from your softmax, which scaled_dot_product_attention calls: "
        + hints["softmax/no-max-subtraction"])


def test_two_mistakes_at_once_get_true_facts_instead_of_a_wrong_name(tmp_path, course, hints):
    folder = student(tmp_path, "attention.py", """
        def scaled_dot_product_attention(q, k, v, mask=None):
            s = q @ k.swapaxes(-1, -2)                    # no scale, and the mask inverted
            if mask is not None:
                if mask.dtype != bool:
                    raise TypeError("mask")
                s = np.where(mask, -np.inf, s)
            w = np.nan_to_num(softmax(s))
            return w @ v, w
        """)
    feedback = exercise(grade(course, folder, assignments=["attention"]),
                        "scaled_dot_product_attention").feedback
    assert not set(feedback) & set(hints.values())
    assert any("masked out (False) get a nonzero weight" in f for f in feedback)


def test_an_unknown_mistake_that_only_shows_with_several_heads_is_located(tmp_path, course,
                                                                         hints):
    folder = student(tmp_path, "attention.py", """
        def multi_head_attention(x_q, x_kv, params, num_heads, mask=None):
            d_model = x_q.shape[-1]
            if d_model % num_heads:
                raise ValueError("d_model must be divisible by num_heads")
            d_h = d_model // num_heads
            def split(y):
                return y.reshape(*y.shape[:-1], num_heads, d_h).swapaxes(-2, -3)
            q = split(x_q @ params["w_q"].T + params["b_q"])
            k = split(x_kv @ params["w_k"].T + params["b_k"])
            v = split(x_kv @ params["w_v"].T + params["b_v"])
            heads, _ = scaled_dot_product_attention(q, k, v, mask)
            heads = heads[..., ::-1, :, :].swapaxes(-2, -3)     # heads concatenated backwards
            return heads.reshape(*heads.shape[:-2], d_model) @ params["w_o"].T + params["b_o"]
        """)
    feedback = exercise(grade(course, folder, assignments=["attention"]),
                        "multi_head_attention").feedback
    assert not set(feedback) & set(hints.values())
    assert feedback[0].startswith("Right with one head, wrong with more than one")


def test_writing_into_an_input_is_explained_even_where_no_variant_does_it(tmp_path, course,
                                                                         hints):
    folder = student(tmp_path, "encoder.py", """
        def feed_forward(x, w_1, b_1, w_2, b_2):
            h = x @ w_1.T
            h += b_1
            np.maximum(h, 0, out=h)
            b_2 += 0          # writes into a read-only input
            return h @ w_2.T + b_2
        """)
    report = grade(course, folder, assignments=["encoder"])
    assert exercise(report, "feed_forward").feedback[0].startswith(
        "Your function writes into its input")
    # The block fails with the same ValueError as a variant of feed_forward that is not
    # this student's mistake: it is sent to feed_forward, not blamed on that variant.
    block = exercise(report, "encoder_block").feedback
    assert not set(block) & set(hints.values()) and not any("comes from" in f for f in block)
    assert block[0].startswith("It calls your feed_forward, which loses points too")


def test_an_unwritten_exercise_gets_no_hint(course):
    report = grade(course, ROOT / "exercises", assignments=["foundations"])
    softmax = exercise(report, "softmax")
    assert softmax.status == "error"
    assert all("not written yet" in f for f in softmax.feedback)


def test_a_self_check_gives_reference_free_facts_without_touching_solutions(tmp_path,
                                                                            monkeypatch):
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    shutil.copyfile(ROOT / "course.yaml", course_dir / "course.yaml")
    shutil.copytree(ROOT / "public", course_dir / "public")
    released = load_course(course_dir / "course.yaml", require_solutions=False)

    def forbidden(*args, **kwargs):
        raise AssertionError("the self-check must not read solutions/")

    monkeypatch.setattr(variants, "catalogue", forbidden)
    monkeypatch.setattr(references_module, "load_modules", forbidden)
    mistake = next(m for m in variants.read_catalogue(SOLUTIONS)
                   if m.key == "scaled_dot_product_attention/mask-polarity-inverted")
    folder = write_variant(mistake, SOLUTIONS, tmp_path / "work")
    report = grade(released, folder, assignments=["attention"], mode="check")
    feedback = exercise(report, "scaled_dot_product_attention").feedback
    assert mistake.hint not in feedback
    assert any("masked out (False) get a nonzero weight" in f for f in feedback)


def test_a_diagnosis_that_fails_is_a_warning_and_changes_no_score(tmp_path, course,
                                                                   monkeypatch):
    mistake = next(m for m in variants.catalogue(str(SOLUTIONS))
                   if m.key == "causal_mask/upper-triangle")
    folder = write_variant(mistake, SOLUTIONS, tmp_path)
    before = grade(course, folder, assignments=["attention"])

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(diagnose_module, "named_mistakes", broken)
    after = grade(course, folder, assignments=["attention"])
    assert after.score == before.score
    assert exercise(after, "causal_mask").feedback[0] != mistake.hint
    assert any(w.startswith("the grader could not diagnose causal_mask (KeyError")
               for w in after.warnings)
