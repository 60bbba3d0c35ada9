"""Code exercises checked in the style of Kaggle Learn: ``ex.check(fn)``, ``ex.hint()``, ``ex.solution()``.

An Exercise runs the learner's function and the reference on the same inputs (random ones and edge cases
such as a batch of one or an empty history) and, when they disagree, names the mistake:

* ``mistakes`` typical wrong implementations; if the learner's output equals one of them, its message is
               shown instead of a bare "wrong values";
* ``probes``   property checks tried next, each ``probe(fn) -> message or None`` (e.g. "padding positions
               changed the output: apply the mask").

Writing one::

    masked_mean = Exercise(
        id="emb.masked_mean", title="Masked mean pooling",
        reference=solution_fn, cases=make_cases,            # make_cases() -> list[Case]
        mistakes=(Mistake("you divided by T: ...", wrong_fn),),
        hint="...")
"""
from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from ..quiz import progress


@dataclass(frozen=True)
class Case:
    args: tuple
    note: str  # what the input is, shown when it fails: "a random batch", "a batch of one", ...


@dataclass(frozen=True)
class Mistake:
    message: str
    wrong: Callable  # a typical wrong implementation with the reference's signature


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, (tuple, list)):
        return type(x)(_clone(v) for v in x)
    return x


def _close(a, b, atol: float) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and torch.allclose(a.double(), b.double(), atol=atol, rtol=1e-4)
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return False
    return abs(float(a) - float(b)) <= atol + 1e-4 * abs(float(b))


@dataclass
class Exercise:
    id: str
    title: str
    reference: Callable
    cases: Callable[[], list[Case]]
    hint_text: str
    mistakes: tuple[Mistake, ...] = ()
    probes: tuple[Callable[[Callable], str | None], ...] = ()
    atol: float = 1e-5
    passed: bool = field(default=False, init=False)

    def _verdict(self, fn: Callable) -> str | None:
        """None if fn agrees with the reference everywhere, else the message that names the mistake."""
        for case in self.cases():
            try:
                got = fn(*_clone(case.args))
            except Exception as err:  # the learner's code: report, never crash the notebook
                return f"your function raised {type(err).__name__}: {err} (input: {case.note})"
            expected = self.reference(*_clone(case.args))
            if isinstance(expected, torch.Tensor) and isinstance(got, torch.Tensor) and got.shape != expected.shape:
                return f"returned shape {tuple(got.shape)}, expected {tuple(expected.shape)} (input: {case.note})"
            if not _close(got, expected, self.atol):
                for mistake in self.mistakes:
                    if _close(got, mistake.wrong(*_clone(case.args)), self.atol):
                        return f"{mistake.message} (input: {case.note})"
                for probe in self.probes:
                    message = probe(fn)
                    if message:
                        return message
                return f"wrong values on {case.note}: expected {expected}, got {got}"
        return None

    def check(self, fn: Callable) -> bool:
        """Run fn against the reference, print a verdict that names the mistake, and record the result."""
        message = self._verdict(fn)
        self.passed = message is None
        progress.record_exercise(self.id, self.passed)
        print(f"✅ Correct: {self.title} matches the reference on every test input." if self.passed
              else f"❌ Not yet: {message}\n   Need a nudge? Call .hint(); stuck? .solution().")
        return self.passed

    def hint(self) -> None:
        print(f"💡 Hint: {self.hint_text}")

    def solution(self) -> None:
        print(f"Solution to {self.title}:\n")
        print(textwrap.dedent(inspect.getsource(self.reference)))
