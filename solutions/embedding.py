"""From token ids to vectors: BERT's embedding layer (Devlin et al., 2019).

Reference solution for ``exercises/embedding.py``. A token's first vector is the sum
of three learned rows, one from each table, then layer norm::

    E = LayerNorm(word[token_ids] + position[:L] + token_type[0])

Unlike the sinusoids of ``positional_encoding``, BERT learns its position table,
so it only has rows for ``max_len`` positions. One segment (token type 0) is all a
sentence encoder needs. BERT's layer norm uses eps 1e-12, not torch's default 1e-5.
"""
import numpy as np

from encoder import layer_norm


def embed(token_ids, params, eps=1e-12):
    """``token_ids (..., L)`` integers -> ``(..., L, d_model)`` in the tables' dtype.

    ``params`` holds ``word (vocab, d_model)``, ``position (max_len, d_model)``,
    ``token_type (types, d_model)``, ``ln_gamma`` and ``ln_beta (d_model,)``.
    Raises ``ValueError`` for an id outside ``[0, vocab)`` or ``L > max_len``.
    """
    token_ids = np.asarray(token_ids)
    word, position = params["word"], params["position"]
    length = token_ids.shape[-1]
    if length > position.shape[0]:
        raise ValueError(f"{length} tokens, but the position table has only "
                         f"{position.shape[0]} rows")
    if token_ids.size and (token_ids.min() < 0 or token_ids.max() >= word.shape[0]):
        raise ValueError(f"token ids must lie in [0, {word.shape[0]})")
    x = word[token_ids] + position[:length] + params["token_type"][0]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)
