"""Known mistakes in ``softmax.py``, each a small wrong variant of the reference.

This folder is staff-only, like the rest of ``solutions/``. The grader reads these
files (it parses them; it never imports them): every function marked
``@mistake(function, id, hint)`` is a drop-in replacement for ``function``, and its
source, renamed to ``function``, is appended to a copy of ``solutions/softmax.py``,
so it sees that file's names (``np``). The hint is what a student reads when their
code behaves like the variant: it names the fix without handing over the code.
"""
import numpy as np


@mistake("softmax", "no-max-subtraction", hint=(
    "Large logits overflow: exp of a big number is inf, and inf / inf is NaN. Subtract "
    "each slice's maximum before exponentiating; it cancels between numerator and "
    "denominator, so the result is unchanged."))
def no_max_subtraction(x, axis=-1):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake("softmax", "max-without-keepdims", hint=(
    "The maximum you subtract has lost the reduced axis, so it lines up with the wrong "
    "dimension (or fails to broadcast at all). Keep the reduced axis when you take the "
    "maximum (keepdims) so each slice subtracts its own maximum."))
def max_without_keepdims(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis))
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake("softmax", "sum-without-keepdims", hint=(
    "The sum you divide by has lost the reduced axis, so it lines up with the wrong "
    "dimension (or fails to broadcast at all). Keep the reduced axis when you sum "
    "(keepdims) so each slice is divided by its own total."))
def sum_without_keepdims(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis)


@mistake("softmax", "default-axis-0", hint=(
    "Your default axis is 0; softmax(x) must normalise along the last axis (axis=-1) "
    "unless another axis is given."))
def default_axis_0(x, axis=0):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake("softmax", "axis-ignored", hint=(
    "The axis argument is ignored: softmax(x, axis=0) still normalises the last axis. "
    "Take both the maximum and the sum along the axis you are given."))
def axis_ignored(x, axis=-1):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@mistake("softmax", "sum-over-whole-array", hint=(
    "You divide by the sum of the whole array, so only the grand total is 1; every "
    "slice along the axis must sum to 1, so sum along that axis only."))
def sum_over_whole_array(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e)


@mistake("softmax", "global-max", hint=(
    "You subtract the maximum of the whole array instead of each slice's own maximum: a "
    "slice far below the overall maximum underflows to all zeros and gives 0 / 0 = NaN."))
def global_max(x, axis=-1):
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake("softmax", "float64-output", hint=(
    "float32 in gives float64 out: your code converts the input to float64 and never "
    "converts back. Keep the input's dtype (compute in it, or cast the result back)."))
def float64_output(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake("softmax", "mutates-input", hint=(
    "Your softmax writes into its input (the grader passes read-only arrays, hence the "
    "'read-only' error). Never modify x in place: compute into new arrays instead of "
    "using -=, /= or out=."))
def mutates_input(x, axis=-1):
    x -= np.max(x, axis=axis, keepdims=True)
    np.exp(x, out=x)
    x /= np.sum(x, axis=axis, keepdims=True)
    return x
