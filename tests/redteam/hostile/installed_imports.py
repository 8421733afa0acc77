# Not an attack: an honest function that imports installed packages (any the
# student's Python can import must import in the worker), so it keeps full marks.
_honest = positional_encoding


def positional_encoding(seq_len, d_model, base=10000.0):
    import yaml
    import numpy.random
    import numpy.testing

    assert yaml.safe_load("a: 1") == {"a": 1}
    numpy.testing.assert_equal(numpy.random.default_rng(0).integers(1, 2), 1)
    return _honest(seq_len, d_model, base)
