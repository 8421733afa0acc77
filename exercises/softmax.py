"""Exercise: softmax, the normaliser that turns attention scores into weights.

Implement ``softmax`` below with NumPy only. Run ``autograder check`` to test it.
"""
import numpy as np


def softmax(x, axis=-1):
    """Numerically stable softmax along ``axis``.

        softmax(x)_j = exp(x_j - m) / sum_l exp(x_l - m),   m = max_l x_l

    Subtracting the slice maximum ``m`` does not change the result (it cancels
    between top and bottom) but keeps every exponent <= 0, so ``exp`` cannot
    overflow on huge logits such as 1000.

    Parameters
    ----------
    x : ndarray, any shape, float32 or float64. It may be read-only: do not
        modify it in place.
    axis : int, the axis whose slices are normalised.

    Returns
    -------
    ndarray, same shape and dtype as ``x`` (float32 stays float32); every slice
    along ``axis`` sums to 1.

    Conventions (those of ``torch.softmax``): an entry of ``-inf`` gets weight
    exactly 0; a slice that is entirely ``-inf`` gives NaN.

    Worked example: exp(0) = 1 and exp(ln 3) = 3, so the weights are 1/4 and 3/4.

    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    >>> softmax(np.array([[1000.0, 1000.0], [2.0, -np.inf]]))
    array([[0.5, 0.5],
           [1. , 0. ]])

    Hint: ``np.max(..., axis=axis, keepdims=True)`` keeps the reduced axis so
    the result broadcasts back against ``x``.
    """
    raise NotImplementedError(
        "softmax is not written yet: subtract the max along `axis`, exponentiate, "
        "then divide by the sum along `axis`.")
