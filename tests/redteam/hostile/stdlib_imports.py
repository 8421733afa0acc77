# Not an attack: an honest function that imports what a student may, from the
# standard library and NumPy's less common parts. Every import must work in the worker
# however the Python installation's permissions are set, so it keeps full marks.
_honest = positional_encoding


def positional_encoding(seq_len, d_model, base=10000.0):
    import csv, decimal, difflib, glob, json, pprint, statistics, textwrap  # noqa: E401
    import numpy.polynomial
    import numpy.linalg

    assert pprint.pformat([1]) == "[1]" and glob.escape("a") == "a" and csv.QUOTE_ALL
    assert numpy.polynomial.Polynomial([1, 2])(1) == 3 and statistics.mean([1, 3]) == 2
    assert json.dumps(1) and decimal.Decimal(1) and difflib and textwrap
    return _honest(seq_len, d_model, base)
