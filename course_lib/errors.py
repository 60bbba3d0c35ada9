"""The course's own error, and the two checks of a learner's numbers that every boundary uses."""
from __future__ import annotations

import math
import numbers


class InputError(ValueError):
    """An argument, a batch or a file a learner gave is wrong; the message names it and says how to fix it.

    A ValueError, so code that catches ValueError keeps working; raised at the boundaries a learner touches
    (ShopSim, the loaders, CTRData, fit / predict / evaluate, the metrics, a model's forward), never a bare
    error from deep inside torch or numpy."""


def whole(where: str, value, low: int = 1) -> int:
    """``value`` if it is a whole number >= ``low`` (not a bool), else an InputError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise InputError(f"{where}={value!r}: give a whole number >= {low}")
    return int(value)


def within(where: str, value, low: float, high: float, closed: str = "[]") -> float:
    """``value`` if it is a finite number in the interval from ``low`` to ``high`` (``closed`` says which ends
    belong to it: "[]", "[)", "(]" or "()"), else an InputError naming ``where`` and the interval."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)
    ok = ok and (value >= low if closed[0] == "[" else value > low) and (value <= high if closed[1] == "]" else value < high)
    if not ok or math.isinf(value):
        raise InputError(f"{where}={value!r}: give a number in {closed[0]}{low}, {high}{closed[1]}")
    return float(value)
