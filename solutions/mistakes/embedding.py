"""Known mistakes in ``embedding.py`` (see ``softmax.py`` here for the format)."""
import numpy as np

from encoder import layer_norm


def _checked(token_ids, params):
    """The ids as an array, after the reference's checks; with the word and position
    tables and the sentence length (what every variant here keeps right)."""
    token_ids = np.asarray(token_ids)
    word, position = params["word"], params["position"]
    if token_ids.shape[-1] > position.shape[0]:
        raise ValueError("too many tokens")
    if token_ids.size and (token_ids.min() < 0 or token_ids.max() >= word.shape[0]):
        raise ValueError("id out of range")
    return token_ids, word, position, token_ids.shape[-1]


@mistake("embed", "positions-not-added", hint=(
    "The position rows are not added, so a word gets the same vector wherever it stands "
    "and the model cannot tell word order. Add position[:L], one row per position."))
def embed_positions_not_added(token_ids, params, eps=1e-12):
    token_ids, word, position, length = _checked(token_ids, params)
    x = word[token_ids] + params["token_type"][0]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)


@mistake("embed", "token-types-forgotten", hint=(
    "The token-type row is missing: BERT adds token_type[0] (segment 0) to every token, "
    "and the pretrained weights expect it."))
def embed_token_types_forgotten(token_ids, params, eps=1e-12):
    token_ids, word, position, length = _checked(token_ids, params)
    x = word[token_ids] + position[:length]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)


@mistake("embed", "positions-by-token-id", hint=(
    "You look the position rows up by token id (position[token_ids]); they go by place in "
    "the sentence: position[:L], row t for the t-th token."))
def embed_positions_by_token_id(token_ids, params, eps=1e-12):
    token_ids, word, position, length = _checked(token_ids, params)
    x = word[token_ids] + position[np.clip(token_ids, 0, position.shape[0] - 1)]
    x = x + params["token_type"][0]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)


@mistake("embed", "eps-1e-5", hint=(
    "Your default eps is 1e-5 (torch's LayerNorm default); BERT's embedding layer uses "
    "1e-12, and with the pretrained tables the difference shows."))
def embed_eps_1e_5(token_ids, params, eps=1e-5):
    token_ids, word, position, length = _checked(token_ids, params)
    x = word[token_ids] + position[:length] + params["token_type"][0]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)


@mistake("embed", "no-layer-norm", hint=(
    "The sum of the three rows is returned as it is; BERT normalises it with layer_norm "
    "(ln_gamma, ln_beta, eps) before the first encoder block."))
def embed_no_layer_norm(token_ids, params, eps=1e-12):
    token_ids, word, position, length = _checked(token_ids, params)
    return word[token_ids] + position[:length] + params["token_type"][0]


@mistake("embed", "ids-not-checked", hint=(
    "An id outside [0, vocab) must raise ValueError; NumPy would wrap a negative id "
    "around to the end of the table without a word."))
def embed_ids_not_checked(token_ids, params, eps=1e-12):
    token_ids = np.asarray(token_ids)
    length = token_ids.shape[-1]
    if length > params["position"].shape[0]:
        raise ValueError("too many tokens")
    x = params["word"][token_ids] + params["position"][:length] + params["token_type"][0]
    return layer_norm(x, params["ln_gamma"], params["ln_beta"], eps)
