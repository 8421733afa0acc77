"""The capstone: a real pretrained sentence encoder, all-MiniLM-L6-v2, in NumPy.

Reference solution for ``exercises/model.py``. The model (Wang et al., 2020, MiniLM;
fine-tuned by sentence-transformers) is a 6-layer BERT: post-norm encoder blocks with
12 heads, d_model 384, GELU, layer-norm eps 1e-12. A sentence's vector is the mean of
its real tokens' final vectors, scaled to unit length::

    x = embed(ids);  x = Block_l(x) for l = 1..6
    s = sum_t m_t x_t / sum_t m_t;  s / ||s||

where ``m_t`` is the attention mask (1 = real token, 0 = padding). Padding must be
kept out twice: as keys in every attention (the mask) and from the mean.
"""
import numpy as np

from embedding import embed
from encoder import encoder_block

def sentence_embedding(token_ids, attention_mask, weights):
    """``token_ids``, ``attention_mask (batch, L)`` -> ``(batch, d_model)`` float32,
    each row of unit L2 norm.

    ``weights`` holds ``num_heads``, ``embeddings`` (the params of ``embed``) and
    ``layers`` (a list of ``encoder_block`` params).
    """
    eps = 1e-12   # BERT's layer-norm eps (torch's default 1e-5 would shift every vector)
    real = np.asarray(attention_mask) != 0                        # (batch, L)
    x = embed(token_ids, weights["embeddings"], eps=eps)
    # (batch, 1, 1, L): every head and every query may attend to the real keys only.
    key_mask = real[:, None, None, :]
    for params in weights["layers"]:
        x = encoder_block(x, params, weights["num_heads"], mask=key_mask, norm_first=False,
                          eps=eps, activation="gelu")
    m = real[..., None].astype(x.dtype)                             # (batch, L, 1)
    # sentence-transformers divides by max(count, 1e-9) and by max(norm, 1e-12).
    mean = (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norm = np.linalg.norm(mean, axis=-1, keepdims=True)
    return (mean / np.maximum(norm, 1e-12)).astype(np.float32)
