"""The capstone's speed: the NumPy reference forward of all-MiniLM-L6-v2 against PyTorch
on the same batch, side by side in one run, and ``autograder explore`` on one sentence
with a submission.

    .venv/bin/python benchmarks/capstone_speed.py                 # 1 thread each
    .venv/bin/python benchmarks/capstone_speed.py --threads 2 --repeats 15

Targets: NumPy at most 1.5x PyTorch's median time on 32 sentences; ``explore`` with a
submission under 3 s (the whole command, start-up included). Both sides get the same
number of threads (BLAS for NumPy, intra-op for torch), set before either is imported.
It is a measurement, not a test: numbers depend on the machine and on what else runs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"ratio": 1.5, "explore": 3.0}
SENTENCES = [
    "The animal did not cross the street because it was too tired",
    "I put the jacket in the suitcase because it was cold.",
    "I put the jacket in the suitcase because it was empty.",
    "The trophy would not fit in the brown suitcase because it was too big.",
    "She poured water from the bottle into the cup until it was full.",
    "A transformer reads every word of the sentence at once.",
    "Paris is the capital of France.",
    "Researchers trained the network on millions of pages of text.",
]


def median_and_min(times):
    return statistics.median(times), min(times)


def forward_side_by_side(threads: int, repeats: int, batch: int) -> None:
    import numpy as np
    import torch

    sys.path.insert(0, str(ROOT / "tests"))
    from torch_bert import bert_sentence_embedding, load_tensors

    from autograder.grading.references import load_modules
    from autograder.model import checkpoint, tokens, weights

    torch.set_num_threads(threads)
    sentences = (SENTENCES * (batch // len(SENTENCES) + 1))[:batch]
    encoded = tokens.encode(sentences)
    model = load_modules(ROOT / "solutions", ["softmax", "attention", "encoder", "embedding",
                                              "model"])["model"]
    w = weights()
    T = load_tensors(checkpoint.model_dir(), torch.float32)
    ids, mask = torch.from_numpy(encoded.ids), torch.from_numpy(encoded.mask)

    def numpy_run():
        return model.sentence_embedding(encoded.ids, encoded.mask, w)

    def torch_run():
        with torch.inference_mode():
            return bert_sentence_embedding(T, ids, mask).numpy()

    gap = np.abs(numpy_run() - torch_run()).max()       # also the warm-up of both
    times = {"numpy": [], "torch": []}
    for _ in range(repeats):                            # alternated, so load hits both
        for name, run in (("numpy", numpy_run), ("torch", torch_run)):
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    (n_med, n_min), (t_med, t_min) = median_and_min(times["numpy"]), median_and_min(times["torch"])
    ratio = n_med / t_med
    print(f"forward on {batch} sentences ({encoded.ids.shape[1]} tokens, padded), {threads} "
          f"thread(s), {repeats} runs each, alternated:")
    print(f"  NumPy reference  median {1000 * n_med:7.1f} ms   min {1000 * n_min:7.1f} ms")
    print(f"  PyTorch {torch.__version__:<8} median {1000 * t_med:7.1f} ms   min {1000 * t_min:7.1f} ms")
    print(f"  ratio of medians {ratio:.2f}x (target <= {TARGETS['ratio']}x: "
          f"{'met' if ratio <= TARGETS['ratio'] else 'NOT met'}); largest difference "
          f"between the two {gap:.1e}")


def explore_time(repeats: int) -> None:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "autograder"), "explore",
                            str(ROOT / "solutions"), "--course", str(ROOT / "course.yaml"),
                            "--sentence", SENTENCES[0], "--output", f"{folder}/page.html"],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    med, low = median_and_min(times)
    print(f"autograder explore SUBMISSION --sentence (one sentence, the whole command): "
          f"median {med:.2f} s, min {low:.2f} s over {repeats} runs (target < "
          f"{TARGETS['explore']} s: {'met' if med < TARGETS['explore'] else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)     # before NumPy and torch load their BLAS
    forward_side_by_side(args.threads, args.repeats, args.batch)
    explore_time(max(3, args.repeats // 3))


if __name__ == "__main__":
    main()
