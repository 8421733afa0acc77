"""attention-course's grader: checks NumPy implementations of attention and transformer
pieces against reference implementations, in an isolated worker process."""
__version__ = "0.1.0"
