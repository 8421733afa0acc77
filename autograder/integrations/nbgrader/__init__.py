"""nbgrader, done right for this course.

``notebooks`` composes an assignment's source notebook from ``course.yaml``, the stubs
and the references; ``build`` writes a ready nbgrader course folder; ``cells`` is what
the notebooks' check cells run (the grading engine of ``autograder grade``, in a
separate process); ``audit`` re-grades ``submitted/`` outside nbgrader's kernels and
compares with the gradebook.
"""
