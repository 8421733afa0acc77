"""The checks: one pytest module per exercise file, named after that file.

``FUNCTIONS`` maps every function the course can grade to the exercise file (contract
§1) whose check module holds its tests, e.g. ``autograder/checks/attention.py`` checks
the functions of a student's ``attention.py``.
"""
FUNCTIONS = {
    "softmax": "softmax.py",
    "positional_encoding": "positional_encoding.py",
    "scaled_dot_product_attention": "attention.py",
    "causal_mask": "attention.py",
    "multi_head_attention": "attention.py",
    "layer_norm": "encoder.py",
    "feed_forward": "encoder.py",
    "encoder_block": "encoder.py",
    # The capstone (a real pretrained encoder): gelu joins encoder.py.
    "gelu": "encoder.py",
    "embed": "embedding.py",
    "sentence_embedding": "model.py",
}


def cases_of(function: str) -> list:
    """The cases of ``function``, read from its tests' own pytest marks (an exercise may
    have more than one test, e.g. ``feed_forward``'s ReLU and GELU cases)."""
    import importlib

    module = importlib.import_module(f"{__name__}.{FUNCTIONS[function].removesuffix('.py')}")
    cases = []
    for test in vars(module).values():
        marks = {m.name: m for m in getattr(test, "pytestmark", [])}
        if "exercise" in marks and marks["exercise"].args[0] == function:
            cases += marks["parametrize"].args[1]
    if not cases:
        raise LookupError(f"no test for {function} in {module.__name__}")
    return cases
