"""Known mistakes in ``model.py`` (see ``softmax.py`` here for the format).

Each is the reference's ``sentence_embedding`` with one step wrong; ``embed`` and
``encoder_block`` are the references'.
"""
import numpy as np

from embedding import embed
from encoder import encoder_block


def _encode(token_ids, attention_mask, weights, mask_of=lambda real: real[:, None, None, :],
            **block):
    """The real-token mask and the final token vectors, with the blocks run as ``block``
    says (the reference: eps=1e-12, activation="gelu", a key mask)."""
    real = np.asarray(attention_mask) != 0
    block = {"eps": 1e-12, "activation": "gelu"} | block
    x = embed(token_ids, weights["embeddings"])
    for p in weights["layers"]:
        x = encoder_block(x, p, weights["num_heads"], mask=mask_of(real), **block)
    return real, x


def _pool(x, real):
    m = real[..., None].astype(x.dtype)
    return (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


def _unit(s):
    return (s / np.maximum(np.linalg.norm(s, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


@mistake("sentence_embedding", "padding-not-masked", hint=(
    "Padding is not masked in the attention: real tokens attend to [PAD] keys, so a "
    "sentence's vector changes with the length of the others in its batch. Pass a key "
    "mask of shape (batch, 1, 1, L), True for real tokens, to every encoder block."))
def se_padding_not_masked(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights, mask_of=lambda real: None)
    return _unit(_pool(x, real))


@mistake("sentence_embedding", "query-mask", hint=(
    "The mask hides padded queries instead of padded keys: shape it (batch, 1, 1, L), so "
    "it broadcasts over the queries and blocks the [PAD] keys of every row."))
def se_query_mask(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights,
                      mask_of=lambda real: real[:, None, :, None])
    return _unit(_pool(x, real))


@mistake("sentence_embedding", "padding-in-mean", hint=(
    "The mean runs over every position, padding included; average the real tokens only: "
    "sum x times the mask, then divide by the number of real tokens."))
def se_padding_in_mean(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights)
    return _unit(x.mean(axis=1))


@mistake("sentence_embedding", "no-normalisation", hint=(
    "The mean is returned as it is; divide each sentence's vector by its L2 norm, so every "
    "row has length 1 (cosine similarity is then a dot product)."))
def se_no_normalisation(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights)
    return _pool(x, real).astype(np.float32)


@mistake("sentence_embedding", "cls-pooling", hint=(
    "You take the [CLS] token's vector; this model was trained with mean pooling: the "
    "average of the real tokens' vectors, then unit length."))
def se_cls_pooling(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights)
    return _unit(x[:, 0])


@mistake("sentence_embedding", "block-eps-1e-5", hint=(
    "The encoder blocks run with eps 1e-5 (the default); BERT's layer norms use "
    "eps=1e-12. Pass eps=1e-12 to every encoder_block."))
def se_block_eps_1e_5(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights, eps=1e-5)
    return _unit(_pool(x, real))


@mistake("sentence_embedding", "relu-activation", hint=(
    "The blocks use relu (the default); this model's feed-forward layers use GELU: pass "
    "activation=\"gelu\" to every encoder_block."))
def se_relu_activation(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights, activation="relu")
    return _unit(_pool(x, real))


@mistake("sentence_embedding", "pre-norm", hint=(
    "The blocks run pre-norm; BERT is post-norm (norm_first=False): each layer norm "
    "comes after its residual addition."))
def se_pre_norm(token_ids, attention_mask, weights):
    real, x = _encode(token_ids, attention_mask, weights, norm_first=True)
    return _unit(_pool(x, real))
