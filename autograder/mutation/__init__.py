"""Mutation testing of the checks and the hints (``autograder mutants``, staff).

``operators`` makes the mutants of ``solutions/*.py``; ``run`` grades each as a
submission, classifies it (killed, equivalent, surviving) and judges its hints.
"""
