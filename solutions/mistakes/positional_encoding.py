"""Known mistakes in ``positional_encoding.py`` (see ``softmax.py`` here for the format).

Each variant keeps the reference's argument checks, so only the table is wrong.
"""
import numpy as np


def _checked(seq_len, d_model):
    if seq_len < 1 or d_model < 1 or d_model % 2:
        raise ValueError(f"bad sizes: seq_len={seq_len}, d_model={d_model}")


@mistake("positional_encoding", "sin-cos-swapped", hint=(
    "Sine and cosine are swapped: the even columns (2i) hold the sine and the odd "
    "columns (2i+1) the cosine, so the row of position 0 reads 0, 1, 0, 1, ..."))
def sin_cos_swapped(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p / base ** (np.arange(0, d_model, 2) / d_model)
    pe = np.empty((seq_len, d_model))
    pe[:, 0::2] = np.cos(angles)
    pe[:, 1::2] = np.sin(angles)
    return pe


@mistake("positional_encoding", "halves-concatenated", hint=(
    "All the sines come first and all the cosines after; the course, like the paper, "
    "interleaves them: column 2i is a sine and column 2i+1 the cosine of the same "
    "frequency."))
def halves_concatenated(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p / base ** (np.arange(0, d_model, 2) / d_model)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)


@mistake("positional_encoding", "exponent-pair-index", hint=(
    "The exponent uses the pair number i where the formula has 2i: pair i divides the "
    "position by base to the power 2i / d_model, so the frequencies fall twice as fast "
    "as in your table."))
def exponent_pair_index(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p / base ** (np.arange(d_model // 2) / d_model)
    pe = np.empty((seq_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


@mistake("positional_encoding", "exponent-column-index", hint=(
    "Each column uses its own index in the exponent, so a cosine does not share the "
    "frequency of the sine beside it. Both columns of pair i use the exponent "
    "2i / d_model, where 2i is the sine's (even) column."))
def exponent_column_index(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p / base ** (np.arange(d_model) / d_model)
    pe = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe


@mistake("positional_encoding", "base-ignored", hint=(
    "The base argument is ignored (10000 is always used): raise the base you are given "
    "to the power 2i / d_model."))
def base_ignored(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p / 10000.0 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.empty((seq_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


@mistake("positional_encoding", "angle-multiplied", hint=(
    "You multiply the position by base ** (2i / d_model); the position is divided by "
    "it, so the frequencies shrink (and the wavelengths grow) from pair to pair."))
def angle_multiplied(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float64)[:, None]
    angles = p * base ** (np.arange(0, d_model, 2) / d_model)
    pe = np.empty((seq_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


@mistake("positional_encoding", "positions-from-1", hint=(
    "Your positions start at 1; they start at 0, so the first row is sin 0 = 0 and "
    "cos 0 = 1 in every pair."))
def positions_from_1(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(1, seq_len + 1, dtype=np.float64)[:, None]
    angles = p / base ** (np.arange(0, d_model, 2) / d_model)
    pe = np.empty((seq_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


@mistake("positional_encoding", "float32-table", hint=(
    "The table is float32; the contract asks for float64, so build it from float64 "
    "positions and exponents."))
def float32_table(seq_len, d_model, base=10000.0):
    _checked(seq_len, d_model)
    p = np.arange(seq_len, dtype=np.float32)[:, None]
    angles = p / np.float32(base) ** (np.arange(0, d_model, 2, dtype=np.float32) / d_model)
    pe = np.empty((seq_len, d_model), dtype=np.float32)
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe
