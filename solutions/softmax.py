"""Softmax, the normaliser that turns attention scores into weights.

Reference solution for the course's first exercise (see ``exercises/softmax.py``).
"""
import numpy as np


def softmax(x, axis=-1):
    """Numerically stable softmax along ``axis``.

        softmax(x)_j = exp(x_j - m) / sum_l exp(x_l - m),   m = max_l x_l

    Subtracting the slice maximum ``m`` changes nothing mathematically (it
    cancels between numerator and denominator) but keeps every exponent <= 0,
    so huge logits cannot overflow and the largest term is always exp(0) = 1.

    Parameters
    ----------
    x : ndarray, any shape, float32 or float64. Not modified.
    axis : int, the axis whose slices are normalised.

    Returns
    -------
    ndarray, same shape and dtype as ``x``; every slice along ``axis`` sums to 1.

    Conventions (those of ``torch.softmax``): an entry of ``-inf`` gets weight
    exactly 0; a slice that is entirely ``-inf`` has no finite reference point
    and gives NaN.
    """
    x = np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True)
    # An all -inf slice gives (-inf) - (-inf) = NaN here, which is the answer we
    # want (as torch); silence the "invalid value" warning that comes with it.
    with np.errstate(invalid="ignore"):
        e = np.exp(x - m)
        return e / np.sum(e, axis=axis, keepdims=True)
