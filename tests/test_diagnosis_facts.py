"""Reference-free feedback: facts proved by a result, by the pattern of passed cases, and
by what a student's code calls; and when two results count as the same behaviour."""
import numpy as np

from autograder.checks.kit import call
from autograder.diagnosis.contrasts import contrasts
from autograder.diagnosis.dependencies import dependencies, importers
from autograder.diagnosis.outcomes import Result, agree
from autograder.diagnosis.probes import Probe, probes_of
from autograder.diagnosis.properties import MUTATION, facts


def value(v):
    return Result("value", v)


def observed_with(function, compute):
    """The probes of ``function`` with ``compute(call)`` as the student's results."""
    return [(p, compute(p.call)) for p in probes_of(function)]


def softmax_along(axis_used):
    def compute(c):
        x = c.args[0]
        e = np.exp(x - x.max(axis=axis_used, keepdims=True))
        return value(e / e.sum(axis=axis_used, keepdims=True))
    return compute


# -- properties ---------------------------------------------------------------------

def test_a_read_only_error_is_explained_as_writing_into_the_input():
    error = Result("raises", error="ValueError", message="output array is read-only")
    assert facts("softmax", observed_with("softmax", lambda c: error))[0] == MUTATION


def test_softmax_slices_summing_to_1_along_another_axis_are_named():
    found = facts("softmax", observed_with("softmax", softmax_along(0)))
    assert any("sum to 1 along axis 0, not along the requested axis -1" in f for f in found)


def test_a_correct_softmax_gets_no_fact():
    def right(c):
        x, axis = c.args[0], c.kwargs.get("axis", -1)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return value(e / e.sum(axis=axis, keepdims=True))
    assert facts("softmax", observed_with("softmax", right)) == []


def test_nan_from_finite_logits_points_at_overflow():
    def overflowing(c):
        with np.errstate(all="ignore"):
            e = np.exp(c.args[0])
            return value(e / e.sum(axis=c.kwargs.get("axis", -1), keepdims=True))
    found = facts("softmax", observed_with("softmax", overflowing))
    assert any("NaN or inf" in f and "maximum" in f for f in found)


def test_float32_turning_into_float64_is_stated_with_its_usual_cause():
    def widening(c):
        x = c.args[0].astype(np.float64)
        e = np.exp(x - x.max(axis=c.kwargs.get("axis", -1), keepdims=True))
        return value(e / e.sum(axis=c.kwargs.get("axis", -1), keepdims=True))
    found = facts("softmax", observed_with("softmax", widening))
    assert any(f.startswith("float32 in gives float64 out") for f in found)


def test_attention_weights_normalised_over_queries_are_named():
    def over_queries(c):
        q, k, v = c.args
        s = q @ k.swapaxes(-1, -2)
        w = np.exp(s - s.max(axis=-2, keepdims=True))
        w = w / w.sum(axis=-2, keepdims=True)
        return value((w @ v, w))
    found = facts("scaled_dot_product_attention",
                  [observed_with("scaled_dot_product_attention", over_queries)[0]])
    assert any("runs over the query axis" in f for f in found)


def test_a_masked_key_with_weight_is_named():
    probe = next(p for p in probes_of("scaled_dot_product_attention")
                 if p.name == "a mask with a fully masked query")
    q, k, v = probe.call.args
    w = np.full((q.shape[0], k.shape[0]), 1 / k.shape[0])   # ignores the mask
    found = facts("scaled_dot_product_attention", [(probe, value((w @ v, w)))])
    assert any("masked out (False) get a nonzero weight" in f for f in found)
    assert any("all masked out gets weights that are not 0" in f for f in found)


def test_a_causal_mask_without_its_diagonal_is_named():
    found = facts("causal_mask", observed_with(
        "causal_mask", lambda c: value(np.tril(np.ones((c.args[0], c.args[-1]), bool), -1))))
    assert found == ["a position may attend to itself: the diagonal (key index = query index) "
                     "must be True."]


def test_a_positional_table_with_sin_and_cos_swapped_is_named():
    def swapped(c):
        n, d = c.args
        if d % 2:
            raise AssertionError("not probed with an odd d_model here")
        angles = np.arange(n)[:, None] / c.kwargs.get("base", 1e4) ** (np.arange(0, d, 2) / d)
        return value(np.stack([np.cos(angles), np.sin(angles)], -1).reshape(n, d))
    probes = [p for p in probes_of("positional_encoding") if p.call.args[1] % 2 == 0]
    found = facts("positional_encoding", [(p, swapped(p.call)) for p in probes])
    assert any("sine and cosine are swapped" in f for f in found)


def sdpa_scaled_by(scale_of):
    def compute(c):
        q, k, v = c.args
        s = q @ k.swapaxes(-1, -2) * scale_of(q.shape[-1])
        w = np.exp(s - s.max(axis=-1, keepdims=True))
        w = w / w.sum(axis=-1, keepdims=True)
        return value((w @ v, w))
    return compute


def test_the_scale_is_fitted_from_the_weights_and_compared_with_one_over_sqrt_d_k():
    unmasked = [p for p in probes_of("scaled_dot_product_attention")
                if "mask" not in p.call.kwargs]
    no_scale = facts("scaled_dot_product_attention",
                     [(p, sdpa_scaled_by(lambda d: 1.0)(p.call)) for p in unmasked])
    assert any("with c = 1 (no scaling at all); the scale is 1/sqrt(d_k) = 0.5" in f
               for f in no_scale)
    by_d_k = facts("scaled_dot_product_attention",
                   [(p, sdpa_scaled_by(lambda d: 1 / d)(p.call)) for p in unmasked])
    assert any("(a division by d_k)" in f for f in by_d_k)
    right = facts("scaled_dot_product_attention",
                  [(p, sdpa_scaled_by(lambda d: d ** -0.5)(p.call)) for p in unmasked])
    assert right == []


def layer_norm_results(compute):
    return observed_with("layer_norm", lambda c: value(compute(*c.args, c.kwargs.get("eps",
                                                                                     1e-5))))


def test_layer_norm_without_gamma_and_beta_is_recognised_from_its_rows():
    def plain(x, gamma, beta, eps):
        return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    assert "gamma and beta are not applied" in facts("layer_norm", layer_norm_results(plain))[0]


def test_layer_norm_with_eps_outside_the_root_gets_its_variance_checked():
    def outside(x, gamma, beta, eps):
        mean = x.mean(-1, keepdims=True)
        return gamma * (x - mean) / (x.std(-1, keepdims=True) + eps) + beta
    found = facts("layer_norm", layer_norm_results(outside))
    assert "put eps inside the square root" in found[0]


def test_feed_forward_with_every_hidden_unit_negative_must_give_b_2():
    def no_relu(x, w_1, b_1, w_2, b_2):
        return value((x @ w_1.T + b_1) @ w_2.T + b_2)
    found = facts("feed_forward", observed_with("feed_forward", lambda c: no_relu(*c.args)))
    assert any("the output must be b_2 alone" in f for f in found)


def test_a_positional_table_with_the_wrong_frequency_is_read_off_row_1():
    def base_ignored(n, d, base=10000.0):
        if d % 2:
            return Result("raises", error="ValueError")
        angles = np.arange(n)[:, None] / 10000.0 ** (np.arange(0, d, 2) / d)
        return value(np.stack([np.sin(angles), np.cos(angles)], -1).reshape(n, d))
    found = facts("positional_encoding", observed_with(
        "positional_encoding", lambda c: base_ignored(*c.args, **c.kwargs)))
    assert found == ["on 3 positions, d_model 8, base 100, pair 1 (columns 2 and 3) turns by "
                     "0.1 per position; its frequency must be base ** (-2i / d_model) = "
                     "0.3162 with base = 100."]


def test_an_error_on_some_probes_only_says_which_inputs_raise():
    def two_d_only(c):
        q, k, v = c.args
        if q.ndim > 2:
            return Result("raises", error="ValueError", message="matmul: mismatch")
        return sdpa_scaled_by(lambda d: d ** -0.5)(c)
    found = facts("scaled_dot_product_attention",
                  [(p, two_d_only(p.call)) for p in probes_of("scaled_dot_product_attention")
                   if "mask" not in p.call.kwargs])
    assert found[0] == ("it raises ValueError on a batch of 2, Lq = Lk = 3 (and on 1 more), "
                        "yet returns a result on 2-D, Lq 3, Lk 5: matmul: mismatch")


# -- contrasts ----------------------------------------------------------------------

def mha_call(heads, lq=3, lk=3):
    x_q, x_kv = np.zeros((lq, 4)), np.zeros((lk, 4))
    return call(x_q, x_kv, {}, heads)


def test_right_with_one_head_wrong_with_two_is_said():
    graded = [(mha_call(1), True), (mha_call(2), False), (mha_call(4), False)]
    assert contrasts("multi_head_attention", graded)[0].startswith(
        "right with one head, wrong with more than one")


def test_right_when_lq_equals_lk_wrong_otherwise_is_said():
    graded = [(mha_call(2, 3, 3), True), (mha_call(2, 3, 5), False)]
    assert any(f.startswith("right when Lq == Lk") for f in contrasts("multi_head_attention",
                                                                      graded))


def test_two_features_that_split_the_cases_alike_give_one_fact_naming_the_other():
    batched = call(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), {}, 2)
    graded = [(mha_call(1), True), (batched, False)]       # more heads and a batch, together
    found = contrasts("multi_head_attention", graded)
    assert len(found) == 1 and found[0].startswith("right with one head")
    assert found[0].endswith("(Those cases also have batch dimensions, which may be the "
                             "cause instead.)")


def test_no_contrast_is_claimed_when_the_pattern_is_mixed():
    graded = [(mha_call(1), True), (mha_call(2), False), (mha_call(2), True)]
    assert contrasts("multi_head_attention", graded) == []


# -- dependencies -------------------------------------------------------------------

def test_what_a_student_calls_is_read_from_their_code(tmp_path):
    (tmp_path / "softmax.py").write_text("def softmax(x, axis=-1):\n    return x\n")
    (tmp_path / "attention.py").write_text(
        "import numpy as np\nfrom softmax import softmax as sm\n\n"
        "def _norm(s):\n    return sm(s)\n\n"
        "def scaled_dot_product_attention(q, k, v, mask=None):\n    w = _norm(q)\n"
        "    return w, w\n\n"
        "def multi_head_attention(x_q, x_kv, params, num_heads, mask=None):\n"
        "    return x_q  # written inline: calls nothing\n")
    graph = dependencies(tmp_path)
    assert graph["scaled_dot_product_attention"] == {"softmax"}
    assert graph["multi_head_attention"] == set()
    assert graph["encoder_block"] == set()        # no encoder.py at all
    assert importers(tmp_path, "softmax.py") == {"softmax.py", "attention.py"}


def test_a_local_function_shadowing_an_exercise_is_not_the_exercise(tmp_path):
    (tmp_path / "attention.py").write_text(
        "def softmax(x):\n    return x\n\n"
        "def scaled_dot_product_attention(q, k, v, mask=None):\n    return softmax(q), q\n")
    assert dependencies(tmp_path)["scaled_dot_product_attention"] == set()


# -- outcomes -----------------------------------------------------------------------

def test_results_agree_within_a_small_tolerance_but_not_across_dtypes():
    a = np.array([1.0, 2.0])
    assert agree(value(a), value(a * (1 + 1e-6)))
    assert not agree(value(a), value(a * 1.01))
    assert not agree(value(a), value(a.astype(np.float32)))
    assert agree(value((a, a)), value([a, a]))


def test_errors_agree_by_type_and_a_lost_result_agrees_with_nothing():
    assert agree(Result("raises", error="ValueError", message="a"),
                 Result("raises", error="ValueError", message="b"))
    assert not agree(Result("raises", error="ValueError"), Result("raises", error="TypeError"))
    lost = Result("lost", message="timeout")
    assert not agree(lost, lost)


def test_probes_are_read_only_like_the_workers_arguments():
    for function in ("softmax", "scaled_dot_product_attention", "encoder_block"):
        for probe in probes_of(function):
            arrays = [a for a in probe.call.args if isinstance(a, np.ndarray)]
            assert arrays and not any(a.flags.writeable for a in arrays)
    assert isinstance(probes_of("softmax")[0], Probe)
