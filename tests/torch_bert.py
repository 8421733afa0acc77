"""all-MiniLM-L6-v2 written with ``torch.nn.functional`` from the checkpoint's own names:
the PyTorch side of the capstone's cross-check (tests) and of its speed benchmark.

BERT's computation as ``transformers``' ``BertModel`` runs it, then sentence-transformers'
mean pooling and L2 normalisation. Written here rather than installing
sentence-transformers, which would pull transformers and more for one forward pass.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F


def load_tensors(model_dir: str, dtype=torch.float64) -> dict:
    from safetensors.torch import load_file

    tensors = load_file(str(Path(model_dir) / "model.safetensors"))
    return {k: v.to(dtype) for k, v in tensors.items() if v.is_floating_point()}


def bert_sentence_embedding(T: dict, ids, mask, num_layers=6, heads=12, eps=1e-12):
    """``ids``, ``mask (batch, L)`` int64 tensors -> ``(batch, 384)`` unit vectors."""
    batch, length = ids.shape
    x = (T["embeddings.word_embeddings.weight"][ids]
         + T["embeddings.position_embeddings.weight"][:length]
         + T["embeddings.token_type_embeddings.weight"][0])
    width = (x.shape[-1],)
    x = F.layer_norm(x, width, T["embeddings.LayerNorm.weight"], T["embeddings.LayerNorm.bias"],
                     eps)
    keys = mask.bool()[:, None, None, :]           # True = may attend, as SDPA's bool mask
    for i in range(num_layers):
        def p(name):
            return T[f"encoder.layer.{i}.{name}"]

        def heads_of(name):
            h = F.linear(x, p(f"attention.self.{name}.weight"), p(f"attention.self.{name}.bias"))
            return h.view(batch, length, heads, -1).transpose(1, 2)

        a = F.scaled_dot_product_attention(heads_of("query"), heads_of("key"), heads_of("value"),
                                           attn_mask=keys)
        a = F.linear(a.transpose(1, 2).reshape(x.shape), p("attention.output.dense.weight"),
                     p("attention.output.dense.bias"))
        x = F.layer_norm(x + a, width, p("attention.output.LayerNorm.weight"),
                         p("attention.output.LayerNorm.bias"), eps)
        h = F.gelu(F.linear(x, p("intermediate.dense.weight"), p("intermediate.dense.bias")))
        h = F.linear(h, p("output.dense.weight"), p("output.dense.bias"))
        x = F.layer_norm(x + h, width, p("output.LayerNorm.weight"), p("output.LayerNorm.bias"),
                         eps)
    m = mask[..., None].to(x.dtype)
    mean = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return F.normalize(mean, p=2, dim=1)
