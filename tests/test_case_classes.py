"""Coverage by design: every case is an input class with fixed shapes, every class is
public, the drawn ones come back hidden with other values, and every exercise that
normalises or exponentiates has a float32 case at the magnitudes a real model produces."""
import ast
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import FUNCTIONS, cases_of

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
# What normalising or exponentiating comes down to in NumPy (a softmax, a layer norm,
# an L2 norm): a function calling one of these, directly or through another function of
# solutions/, must have a float32 large-magnitude case.
NORMALISING = {"exp", "exp2", "expm1", "log", "var", "std", "norm"}
LONG = 256          # a row at least this long is a long row
FAR = 100.0         # a float32 value at least this far from zero is a large magnitude


def _structure(value):
    """What a case's shape class is made of: shapes, dtypes and every non-float value."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str)
    if isinstance(value, dict):
        return ("dict", tuple((k, _structure(v)) for k, v in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_structure(v) for v in value))
    if isinstance(value, float):
        return ("float",)
    return ("value", value)


def _make(case, function, seed):
    call = case.make(case.rng(function, seed))
    return _structure((call.args, call.kwargs)), call


def _same_values(a, b) -> bool:
    flat_a, flat_b = _arrays(a), _arrays(b)
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(flat_a, flat_b)) and \
        [v for v in _scalars(a)] == [v for v in _scalars(b)]


def _arrays(value) -> list:
    """Every array of a call, however deep (a model's weights nest dicts in a list)."""
    if hasattr(value, "args"):
        value = (value.args, value.kwargs)
    if isinstance(value, np.ndarray):
        return [value]
    items = value.values() if isinstance(value, dict) else \
        value if isinstance(value, (list, tuple)) else ()
    return [a for item in items for a in _arrays(item)]


def _scalars(call):
    return [v for v in (*call.args, *call.kwargs.values()) if isinstance(v, float)]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_seed_draws_only_values_never_a_shape_class(function):
    moved = [c.name for c in cases_of(function)
             if _make(c, function, 1)[0] != _make(c, function, 2)[0]]
    assert moved == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_hidden_case_repeats_a_public_class(function):
    cases = cases_of(function)
    public = {c.input_class for c in cases if not c.hidden}
    assert [c.name for c in cases if c.hidden and c.input_class not in public] == []
    assert all(not c.of for c in cases if not c.hidden)
    assert len({c.name for c in cases}) == len(cases)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_class_with_values_to_draw_comes_back_hidden_with_other_values(function):
    cases = cases_of(function)
    repeated = {c.input_class for c in cases if c.hidden}
    drawn = [c for c in cases if not c.hidden
             and not _same_values(_make(c, function, 1)[1], _make(c, function, 2)[1])]
    assert [c.name for c in drawn if c.name not in repeated] == []
    assert any(c.hidden for c in cases)


def _calls_in(tree: ast.Module) -> dict[str, set[str]]:
    """Top-level function -> the names it calls or whose attribute it calls."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = {n.func.attr if isinstance(n.func, ast.Attribute) else
                                getattr(n.func, "id", "")
                                for n in ast.walk(node) if isinstance(n, ast.Call)}
    return found


def normalising_functions() -> set[str]:
    """The functions of solutions/ that normalise or exponentiate, directly or not."""
    calls = {}
    for path in sorted(SOLUTIONS.glob("*.py")):
        calls |= _calls_in(ast.parse(path.read_text(encoding="utf-8")))
    result, changed = set(), True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in result and (called & NORMALISING or called & result):
                result.add(name)
                changed = True
    return result


def _large_float32(call) -> bool:
    arrays = [a for a in _arrays(call) if a.dtype == np.float32]
    return bool(arrays) and any(max(a.shape, default=0) >= LONG or
                                (a.size and float(np.nanmax(np.abs(a[np.isfinite(a)]),
                                                            initial=0)) >= FAR)
                                for a in arrays)


def test_the_normalising_functions_are_found():
    found = normalising_functions()
    assert {"softmax", "layer_norm", "scaled_dot_product_attention"} <= found
    # The capstone's: GELU exponentiates, embed and every block normalise, and the
    # sentence vector is scaled to unit length.
    assert {"gelu", "embed", "encoder_block", "sentence_embedding"} <= found
    assert not {"causal_mask", "feed_forward"} & found


@pytest.mark.parametrize("function", sorted(set(FUNCTIONS) & normalising_functions()))
def test_a_function_that_normalises_or_exponentiates_has_a_float32_large_magnitude_case(
        function):
    cases = cases_of(function)
    large = [c for c in cases if _large_float32(_make(c, function, 3)[1])]
    assert any(not c.hidden for c in large), \
        f"{function}: no public float32 case with values ≥ {FAR:g} or a row ≥ {LONG}"
    assert any(c.hidden for c in large), f"{function}: no hidden repeat of that class"


def test_a_number_stands_for_a_0_d_result_but_not_for_a_wider_one():
    """NumPy's arithmetic on a 0-d array gives a NumPy scalar, which the worker sends
    back as a plain number: gelu's 0-d case takes it; any other shape still wants an
    array."""
    from autograder.checks.kit import compare_arrays

    class Tolerance:
        rtol, atol = 1e-7, 1e-9
    assert compare_arrays(0.5, np.asarray(0.5), Tolerance) is None
    assert compare_arrays(np.float64(0.5), np.asarray(0.5), Tolerance) is None
    assert "differ" in compare_arrays(0.25, np.asarray(0.5), Tolerance)
    assert "expected a NumPy array" in compare_arrays(0.5, np.asarray([0.5]), Tolerance)
