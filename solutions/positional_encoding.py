"""Sinusoidal positional encoding (Vaswani et al., 2017, section 3.5).

Attention treats its input as a set: permuting the tokens permutes the output
and nothing else. Adding these vectors to the token embeddings tells the model
where each token sits. Reference solution for ``exercises/positional_encoding.py``.
"""
import numpy as np


def positional_encoding(seq_len, d_model, base=10000.0):
    """The (seq_len, d_model) table of sinusoidal position vectors.

        PE[p, 2i]     = sin(p / base**(2i / d_model))
        PE[p, 2i + 1] = cos(p / base**(2i / d_model))

    Columns come in (sin, cos) pairs that share one frequency, interleaved as
    in the paper (not all sines followed by all cosines). The wavelengths grow
    geometrically from 2*pi (i = 0) towards 2*pi * base.

    Parameters
    ----------
    seq_len : int >= 1, number of positions p = 0 .. seq_len - 1.
    d_model : even int >= 2, the embedding width.
    base : float, 10000.0 in the paper.

    Returns
    -------
    ndarray of float64, shape (seq_len, d_model).

    Raises
    ------
    ValueError if ``d_model`` is odd, or ``seq_len`` or ``d_model`` is below 1.
    """
    if seq_len < 1 or d_model < 1:
        raise ValueError(
            f"seq_len and d_model must be at least 1, got seq_len={seq_len}, d_model={d_model}")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin/cos pairs), got d_model={d_model}")
    p = np.arange(seq_len, dtype=np.float64)[:, None]          # (seq_len, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)         # (d_model/2,)
    angles = p / base ** (two_i / d_model)                     # (seq_len, d_model/2)
    pe = np.empty((seq_len, d_model), dtype=np.float64)
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe
