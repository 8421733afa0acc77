"""The parts of the exercise contract that need no torch: errors, read-only inputs,
exact hand-checkable values, and that the student stubs match the references."""
import doctest
import importlib
import inspect
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("softmax", "positional_encoding", "attention", "encoder", "embedding", "model")


def load_folder(folder):
    """Import a folder's exercise files as the grader does: top-level modules, folder first."""
    saved = {name: sys.modules.pop(name) for name in MODULES if name in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        return SimpleNamespace(**{name: importlib.import_module(name) for name in MODULES})
    finally:
        sys.path.remove(str(folder))
        for name in MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def ref():
    return load_folder(ROOT / "solutions")


@pytest.fixture(scope="module")
def stubs():
    return load_folder(ROOT / "exercises")


def read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def sample_call(name):
    """(module, arguments) for one small, valid call of each exercise function."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    params = {f"w_{n}": rng.standard_normal((4, 4)) for n in "qkvo"}
    params.update({f"b_{n}": rng.standard_normal(4) for n in "qkvo"})
    params.update(w_1=rng.standard_normal((6, 4)), b_1=rng.standard_normal(6),
                  w_2=rng.standard_normal((4, 6)), b_2=rng.standard_normal(4),
                  ln1_gamma=rng.standard_normal(4), ln1_beta=rng.standard_normal(4),
                  ln2_gamma=rng.standard_normal(4), ln2_beta=rng.standard_normal(4))
    params = {key: read_only(value) for key, value in params.items()}
    x, mask = read_only(x), read_only(np.tril(np.ones((3, 3), bool)))
    return {
        "softmax": ("softmax", (x, 1)),
        "positional_encoding": ("positional_encoding", (3, 4)),
        "scaled_dot_product_attention": ("attention", (x, x, x, mask)),
        "causal_mask": ("attention", (3, 2)),
        "multi_head_attention": ("attention", (x, x, params, 2, mask)),
        "layer_norm": ("encoder", (x, params["ln1_gamma"], params["ln1_beta"])),
        "feed_forward": ("encoder", (x, params["w_1"], params["b_1"], params["w_2"], params["b_2"])),
        "encoder_block": ("encoder", (x, params, 2, mask)),
    }[name]


FUNCTIONS = ("softmax", "positional_encoding", "scaled_dot_product_attention", "causal_mask",
             "multi_head_attention", "layer_norm", "feed_forward", "encoder_block")


@pytest.mark.parametrize("seq_len, d_model", [(4, 3), (0, 4), (4, 0), (-1, 4)])
def test_positional_encoding_rejects_odd_or_non_positive_sizes_naming_them(ref, seq_len, d_model):
    # The match matters: without the checks NumPy fails on some of these by accident.
    with pytest.raises(ValueError, match="d_model|seq_len"):
        ref.positional_encoding.positional_encoding(seq_len, d_model)


def test_positional_encoding_first_pair_is_sin_then_cos_of_the_position(ref):
    pe = ref.positional_encoding.positional_encoding(5, 6)
    assert pe.shape == (5, 6) and pe.dtype == np.float64
    np.testing.assert_array_equal(pe[:, 0], np.sin(np.arange(5.0)))
    np.testing.assert_array_equal(pe[:, 1], np.cos(np.arange(5.0)))


@pytest.mark.parametrize("mask", [np.ones((2, 2)), np.ones((2, 2), dtype=int)], ids=["float 0/1", "int 0/1"])
def test_sdpa_rejects_a_non_boolean_mask(ref, mask):
    q = np.ones((2, 3))
    with pytest.raises(TypeError, match="bool"):
        ref.attention.scaled_dot_product_attention(q, q, q, mask)


def test_multi_head_attention_rejects_d_model_not_divisible_by_num_heads(ref):
    _, (x, _, params, _, _) = sample_call("multi_head_attention")
    with pytest.raises(ValueError, match="num_heads"):
        ref.attention.multi_head_attention(x, x, params, 3)  # d_model = 4


def test_causal_mask_lets_each_query_see_itself_and_earlier_keys_only(ref):
    expected = np.array([[True, False, False], [True, True, False]])
    np.testing.assert_array_equal(ref.attention.causal_mask(2, 3), expected)


def test_softmax_slices_sum_to_one_along_the_given_axis(ref):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    np.testing.assert_allclose(ref.softmax.softmax(x, axis=1).sum(axis=1), np.ones((2, 4)), rtol=0, atol=1e-12)


def test_layer_norm_maps_a_constant_row_to_beta_because_eps_is_inside_the_root(ref):
    beta = np.array([0.5, -1.0, 2.0])
    with np.errstate(all="raise"):
        out = ref.encoder.layer_norm(np.full((2, 3), 7.0), np.full(3, 3.0), beta)
    np.testing.assert_array_equal(out, np.broadcast_to(beta, (2, 3)))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_references_accept_read_only_inputs_and_leave_them_unchanged(ref, name):
    module, args = sample_call(name)
    before = [a.copy() for a in args if isinstance(a, np.ndarray)]
    getattr(getattr(ref, module), name)(*args)  # an in-place write to a read-only array raises
    for old, new in zip(before, [a for a in args if isinstance(a, np.ndarray)]):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_exercise_stubs_import_and_raise_not_implemented_error(stubs, name):
    module, args = sample_call(name)
    with pytest.raises(NotImplementedError, match=name):
        getattr(getattr(stubs, module), name)(*args)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_exercise_stubs_have_the_reference_signatures(ref, stubs, name):
    module, _ = sample_call(name)
    reference, stub = getattr(getattr(ref, module), name), getattr(getattr(stubs, module), name)
    assert inspect.signature(stub) == inspect.signature(reference)


@pytest.mark.parametrize("module", MODULES)
def test_worked_examples_in_exercise_docstrings_hold_for_the_references(ref, stubs, module):
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    stub_module = getattr(stubs, module)
    functions = [f for f in vars(stub_module).values()
                 if inspect.isfunction(f) and f.__globals__ is vars(stub_module)]
    # module=False: find each function's examples without asking inspect which module it
    # belongs to (its file cache can name a stale module object when the same file was
    # imported earlier in the session, and doctest would then skip the function).
    for function in functions:
        for test in doctest.DocTestFinder().find(function, function.__name__, module=False):
            test.globs = dict(vars(getattr(ref, module)))  # the stub's examples, on the reference
            runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted > 0 and failed == 0
