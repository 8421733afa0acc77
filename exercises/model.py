"""Exercise (capstone): your encoder runs a real pretrained model, all-MiniLM-L6-v2.

all-MiniLM-L6-v2 is a small BERT fine-tuned to give sentences vectors whose cosine
similarity follows their meaning. It is six of your encoder blocks (post-norm, 12
heads, d_model 384, GELU, layer-norm eps 1e-12) on top of your ``embed``, then a mean
over the real tokens and a division by the length. The grader hands you its
pretrained weights as NumPy arrays and the sentences as token ids; loading the file
and tokenising are not your job. NumPy only; use your own ``embed`` and
``encoder_block``.
"""
import numpy as np

from embedding import embed
from encoder import encoder_block


def sentence_embedding(token_ids, attention_mask, weights):
    """``token_ids`` and ``attention_mask (batch, L)`` -> ``(batch, d_model)`` float32.

    ``attention_mask`` is 1 for a real token and 0 for padding (shorter sentences
    of a batch are padded on the right). ``weights`` holds ``num_heads`` (12),
    ``embeddings`` (the params of ``embed``) and ``layers`` (six ``encoder_block``
    params). The computation::

        x = embed(token_ids, weights["embeddings"])
        for each layer p:  x = encoder_block(x, p, num_heads, mask=key_mask,
                                             norm_first=False, eps=1e-12,
                                             activation="gelu")
        s = mean of x over the real tokens of each sentence
        return s / ||s||   (each row of unit L2 norm)

    ``key_mask`` has shape ``(batch, 1, 1, L)``, True where the key is a real
    token, so no query attends to padding. Padding must stay out of the mean too.

    Worked example: the mean over real tokens only, then unit length. With
    vectors [[3, 4], [9, 9]] and mask [1, 0], the mean is [3, 4] and its length 5.

    >>> x, m = np.array([[[3.0, 4.0], [9.0, 9.0]]]), np.array([[1, 0]])
    >>> s = (x * m[..., None]).sum(axis=1) / m.sum(axis=1, keepdims=True)
    >>> s / np.linalg.norm(s, axis=-1, keepdims=True)
    array([[0.6, 0.8]])
    """
    raise NotImplementedError(
        "sentence_embedding is not written yet: embed, the six encoder blocks with a "
        "key mask, a mean over the real tokens, then divide by the L2 norm.")
