"""Code exercises per chapter: ``from course_lib.exercises import emb as ex; ex.masked_mean.check(fn)``.

One module per chapter, named by its chapter key (emb, din, dien, dcn, mmoe, ple); every ``Exercise`` it holds
has an id ``"<chapter key>.<name>"``, which is also the nbgrader ``grade_id`` of its notebook cell.
"""
from .core import Case, CheckResult, Exercise, Mistake, registry

__all__ = ["Case", "CheckResult", "Exercise", "Mistake", "registry"]
