# Writes without bound into its own folder: 16 MiB files (the most one file may hold)
# until something stops it, 2 GiB at most. Unstopped, it runs out of time.
import os as _os


def positional_encoding(seq_len, d_model, base=10000.0):
    block = b"\0" * (16 << 20)
    for i in range(128):
        try:
            with open(f"__MARKER__-{i}", "wb") as file:
                file.write(block)
        except OSError:
            break
    return np.zeros((max(seq_len, 0), max(d_model, 0)))
