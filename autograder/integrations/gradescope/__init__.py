"""Gradescope: the autograder zip (``build``) and what runs inside it (``run``).

Gradescope unzips the autograder into ``/autograder/source``, runs ``setup.sh`` once
while building its image, then ``run_autograder`` for each submission, which must
write ``/autograder/results/results.json``
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). The root
``/autograder`` is taken from ``$AUTOGRADER_ROOT`` when set, so the whole thing runs in
a temporary folder too.
"""
