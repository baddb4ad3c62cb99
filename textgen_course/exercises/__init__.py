"""Self-checks for the chapters' exercises: one module per chapter, sharing checking.py.

A learner calls a check right after writing an answer, in the notebook:

    from textgen_course.exercises.embedding import check_lookup
    check_lookup(lookup)        # ✓ ...  or  WrongAnswer: what is wrong and where to look

The same checks are the autograder's hidden tests (see tasks.py assign / grade).
"""

from .checking import WrongAnswer

__all__ = ["WrongAnswer"]
