"""Code exercises per chapter: ``from course_lib.exercises import emb as ex; ex.masked_mean.check(fn)``.

One module per chapter, named by its chapter key (emb, din, dien, dcn, mmoe); every ``Exercise`` it holds
has an id ``"<chapter key>.<name>"``, which is also the nbgrader ``grade_id`` of its notebook cell.
"""
from .core import Case, CheckResult, Exercise, Mistake

__all__ = ["Case", "CheckResult", "Exercise", "Mistake", "registry"]


def registry() -> dict[str, Exercise]:
    """Every exercise of every chapter module by id; raises ValueError on a duplicate id."""
    import importlib
    import pkgutil

    found: dict[str, Exercise] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "core" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Exercise):
                if found.get(value.id, value) is not value:
                    raise ValueError(f"two exercises have the id {value.id!r} (one in {module.__name__})")
                found[value.id] = value
    return found
