"""Exercise: sinusoidal positional encoding (Vaswani et al., 2017, section 3.5).

Attention on its own ignores word order: shuffle the tokens and the outputs are
shuffled the same way, nothing more. Adding a position vector to each token's
embedding lets the model tell "dog bites person" from "person bites dog".

Implement ``positional_encoding`` below with NumPy only.
"""
import numpy as np


def positional_encoding(seq_len, d_model, base=10000.0):
    """The (seq_len, d_model) table of sinusoidal position vectors.

        PE[p, 2i]     = sin(p / base**(2i / d_model))
        PE[p, 2i + 1] = cos(p / base**(2i / d_model))

    Even columns hold sines and odd columns cosines, interleaved in pairs that
    share a frequency (not all the sines first). Column pair ``i = 0`` turns
    fastest; later pairs turn ever more slowly.

    Parameters
    ----------
    seq_len : int >= 1, positions p = 0 .. seq_len - 1.
    d_model : even int >= 2, the embedding width.
    base : float, 10000.0 in the paper.

    Returns
    -------
    ndarray of float64, shape (seq_len, d_model).

    Raises
    ------
    ValueError if ``d_model`` is odd, or ``seq_len`` or ``d_model`` is below 1.

    Worked example with d_model = 4: the two frequencies are 1 and
    1 / 10000**(2/4) = 1/100. Position 0 is always [sin 0, cos 0, ...] = [0, 1, 0, 1];
    position 1 is [sin 1, cos 1, sin 0.01, cos 0.01], and cos 0.01 = 0.99995
    rounds to 1 below.

    >>> np.round(positional_encoding(2, 4), 4)
    array([[0.    , 1.    , 0.    , 1.    ],
           [0.8415, 0.5403, 0.01  , 1.    ]])
    """
    raise NotImplementedError(
        "positional_encoding is not written yet: build the angles "
        "p / base**(2i/d_model) with broadcasting, then fill the even columns "
        "with sin and the odd ones with cos.")
