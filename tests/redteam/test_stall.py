"""Submissions that try to stall grading or exhaust the machine: each is stopped within
its limits and costs only its own exercise."""
from harness import LIMITS, assert_honest, attack, redteam_course  # noqa: F401

LOOP = "    while True:\n        pass\n"
EVERY_FUNCTION = {
    "softmax": ["softmax(x, axis=-1)"],
    "positional_encoding": ["positional_encoding(seq_len, d_model, base=10000.0)"],
    "attention": ["scaled_dot_product_attention(q, k, v, mask=None)", "causal_mask(lq, lk=None)",
                  "multi_head_attention(x_q, x_kv, params, num_heads, mask=None)"],
    "encoder": ["layer_norm(x, gamma, beta, eps=1e-5)",
                "feed_forward(x, w_1, b_1, w_2, b_2)",
                "encoder_block(x, params, num_heads, mask=None, norm_first=False, eps=1e-5)",
                "gelu(x)"],
    "embedding": ["embed(token_ids, params, eps=1e-12)"],
    "model": ["sentence_embedding(token_ids, attention_mask, weights)"],
}


def test_an_infinite_loop_in_every_function_ends_within_the_submission_cap(attack):
    poison = {module: "".join(f"def {signature}:\n{LOOP}\n" for signature in signatures)
              for module, signatures in EVERY_FUNCTION.items()}
    graded = attack(poison)
    assert graded.seconds < LIMITS["submission_timeout"]
    assert all(score == 0 for score, _ in graded.scores().values())
    questions = [q for a in graded.report["assignments"] for q in a["questions"]]
    assert all(q["score"] == q["max_score"] for q in questions)
    first, second, *others = graded.messages("positional_encoding")
    assert first.startswith(f"your function ran for more than {LIMITS['call_timeout']} s on ")
    assert second.startswith("your function ran for more than 1 s on ")
    assert "after it first ran out of time" in second
    assert others and all(m.startswith("not run: positional_encoding was stopped on two other")
                          for m in others)


def test_a_loop_that_ignores_sigterm_and_sigint_is_still_stopped(attack):
    graded = attack({"positional_encoding": "loop_ignoring_signals.py"})
    assert_honest(graded, {"positional_encoding": 0})


def test_allocating_memory_until_it_runs_out(attack):
    graded = attack({"positional_encoding": "memory_hog.py"})
    assert_honest(graded, {"positional_encoding": 0})
