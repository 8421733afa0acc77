"""Feedback that names the mistake: the catalogue of known mistakes and the diagnosis.

``catalogue``   reads ``solutions/mistakes/`` (wrong variants of the references, staff
                only) and writes variant submissions.
``variants``    runs those variants in the grading process, as course code.
``probes``      a few tiny inputs per exercise that make each known mistake show.
``outcomes``    what one call came to, and when two results are the same behaviour.
``properties``, ``weights``, ``contrasts``, ``dependencies``
                what can be said with no reference: from a result, from the pattern of
                passed cases, from what a student's code calls.
``diagnose``    the step the engine runs after the graded cases: hints per exercise.
``selftest``    the grader grading every catalogued variant (``autograder mistakes``).
"""
