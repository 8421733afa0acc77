"""Text to token ids with the model's own tokenizer (``tokenizer.json``, WordPiece).

Hugging Face's ``tokenizers`` reads the file the model was trained with, so the ids are
exactly the model's (lower-casing, accents, word pieces, ``[CLS]`` and ``[SEP]``);
writing a WordPiece tokenizer by hand would only be a way to get them subtly wrong.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from .checkpoint import model_dir

MAX_TOKENS = 256   # sentence_bert_config.json: max_seq_length


@dataclass(frozen=True)
class Batch:
    """Sentences as the model reads them, padded on the right to the longest one."""
    ids: np.ndarray              # (batch, L) int64
    mask: np.ndarray             # (batch, L) int64: 1 for a real token, 0 for padding
    tokens: tuple[tuple[str, ...], ...]   # each sentence's real tokens, [CLS] ... [SEP]


@functools.cache
def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir(), "tokenizer.json"))
    tok.enable_padding(pad_id=0, pad_token="[PAD]")   # to the longest, not the file's 128
    tok.enable_truncation(MAX_TOKENS)
    return tok


def encode(sentences: list[str]) -> Batch:
    encodings = tokenizer().encode_batch(list(sentences))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    tokens = tuple(tuple(t for t, m in zip(e.tokens, e.attention_mask) if m) for e in encodings)
    return Batch(ids, mask, tokens)
