"""Exercise (capstone): from token ids to vectors, BERT's embedding layer.

A tokenizer has already cut the text into tokens and turned each into an id, the
row of a table the model learned. Here each token gets its first vector: the sum of
three learned rows, then layer norm::

    E = LayerNorm(word[token_ids] + position[:L] + token_type[0])

``word`` says which token it is, ``position`` where it stands (BERT learns this
table instead of using sinusoids), ``token_type`` which segment it belongs to (a
sentence encoder has one, segment 0). ``layer_norm`` comes from your own
``encoder.py``. NumPy only; the tables may be read-only.
"""
import numpy as np

from encoder import layer_norm


def embed(token_ids, params, eps=1e-12):
    """``token_ids (..., L)`` integers -> ``(..., L, d_model)`` in the tables' dtype.

    ``params`` holds ``word (vocab, d_model)``, ``position (max_len, d_model)``,
    ``token_type (types, d_model)``, ``ln_gamma`` and ``ln_beta (d_model,)``.
    BERT's layer norm uses ``eps=1e-12`` (not 1e-5). An id outside
    ``[0, vocab)``, or more ids than the position table has rows (``L > max_len``),
    raises ``ValueError``.

    Worked example: with gamma 1 and beta 0 the result of each token is its
    three rows' sum, normalised: [3, 1] has mean 2 and variance 1.

    >>> params = {"word": np.array([[1.0, 0.0], [2.0, 0.0]]),
    ...           "position": np.array([[1.0, 1.0], [0.0, 0.0]]),
    ...           "token_type": np.array([[1.0, 0.0]]),
    ...           "ln_gamma": np.ones(2), "ln_beta": np.zeros(2)}
    >>> embed(np.array([0, 1]), params)
    array([[ 1., -1.],
           [ 1., -1.]])
    """
    raise NotImplementedError(
        "embed is not written yet: look up the word rows (fancy indexing), add the "
        "first L position rows and token-type row 0, then layer_norm with eps.")
