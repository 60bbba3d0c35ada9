"""Code exercises per chapter: ``from course_lib.exercises import emb as ex; ex.masked_mean.check(fn)``."""
from .core import Case, Exercise, Mistake

__all__ = ["Case", "Exercise", "Mistake"]


def registry() -> dict[str, Exercise]:
    """Every exercise of every chapter module by id."""
    import importlib
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "core":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found |= {v.id: v for v in vars(module).values() if isinstance(v, Exercise)}
    return found
