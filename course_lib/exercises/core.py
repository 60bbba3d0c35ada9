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
        hint_text="...")

The inputs are built under a fixed torch seed inside ``torch.random.fork_rng``, so a check gives the same
verdict every time and never moves the notebook's own random state.

Grading: with the environment variable ``COURSE_LIB_GRADING=1`` (set by the instructor's nbgrader config) a
failed check raises AssertionError after printing its message, so nbgrader's autograder scores the check
cell 0; learners never see that, their failed check only prints.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .. import settings
from ..i18n import N_, tr
from ..progress_file import record_exercise

CASE_SEED = 0  # torch seed under which ``cases()`` builds its random inputs
NOT_DONE = N_("write your function in the cell above (replace the line `raise NotImplementedError()`), run that "
              "cell, then run this check again.")


@dataclass(frozen=True)
class Case:
    args: tuple
    note: str  # what the input is, shown when it fails: "a random batch", "a batch of one", ...


@dataclass(frozen=True)
class Mistake:
    message: str
    wrong: Callable  # a typical wrong implementation with the reference's signature


def quietly(fn: Callable, *args):
    """fn(*args), or None if the learner's function raises on a probe's input (the cases report errors)."""
    try:
        return fn(*args)
    except Exception:
        return None


def not_finite(fn: Callable, args: tuple, message: str) -> str | None:
    """A probe: ``message`` if fn's output on ``args`` holds NaN or inf, else None."""
    out = quietly(fn, *args)
    return message if isinstance(out, torch.Tensor) and not torch.isfinite(out).all() else None


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, (tuple, list)):
        return type(x)(_clone(v) for v in x)
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    return x


def _describe(x) -> str:
    if isinstance(x, torch.Tensor):
        return tr("a tensor of shape {shape}", shape=tuple(x.shape))
    if isinstance(x, (tuple, list)):
        return tr("a {kind} of {n}", kind=type(x).__name__, n=len(x))
    return f"{type(x).__name__} {x!r}" if x is not None else "None"


def _close(a, b, atol: float) -> bool:
    """Same structure (tensor, number, or tuple/list of them), same shapes, values within tolerance."""
    if isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and a.shape == b.shape
                and torch.allclose(a.detach().double(), b.detach().double(), atol=atol, rtol=1e-4))
    if isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and len(a) == len(b) and all(_close(x, y, atol) for x, y in zip(a, b))
    if isinstance(a, (torch.Tensor, tuple, list, str, bytes)) or a is None:
        return False  # a number printed as text ("0.8667") is not a number
    try:
        return abs(float(a) - float(b)) <= atol + 1e-4 * abs(float(b))
    except (TypeError, ValueError):
        return False


def _all_not_finite(x) -> bool:
    return isinstance(x, torch.Tensor) and x.is_floating_point() and x.numel() > 1 and not torch.isfinite(x).any()


def _mismatch(got, expected) -> str | None:
    """How the output's type or shape differs from the reference's, or None if only the values can differ."""
    if got is None and expected is not None:
        return tr("your function returned None: did you forget `return`?")
    if isinstance(got, str) and not isinstance(expected, str):
        return tr("your function returned the text {text}: return the number itself, not a formatted string",
                  text=repr(got))
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return tr("returned {got}, expected a tensor of shape {shape}", got=_describe(got),
                      shape=tuple(expected.shape))
        if got.shape != expected.shape:
            return tr("returned shape {got}, expected {expected}", got=tuple(got.shape), expected=tuple(expected.shape))
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return tr("returned {got}, expected {expected}", got=_describe(got), expected=_describe(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            if (m := _mismatch(g, e)) is not None:
                return tr("output {i}: {message}", i=i, message=m)
    return None


def _difference(got, expected, atol: float) -> str:
    """Where the values differ most (tensors), or both values."""
    if isinstance(expected, torch.Tensor):
        g, e = got.detach().double(), expected.detach().double()
        diff = torch.nan_to_num((g - e).abs(), nan=torch.inf)
        at = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape))
        values = dict(expected=f"{e[at].item():.6g}", got=f"{g[at].item():.6g}")
        if at:
            return tr("largest difference at index {at}: expected {expected}, got {got}", at=at, **values)
        return tr("largest difference: expected {expected}, got {got}", **values)
    if isinstance(expected, (tuple, list)):
        for i, (g, e) in enumerate(zip(got, expected)):
            if not _close(g, e, atol):
                return tr("output {i}: {message}", i=i, message=_difference(g, e, atol))
    return tr("expected {expected}, got {got}", expected=repr(expected), got=repr(got))


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` returns: truthy if the function passed. Shows nothing in a notebook (the verdict is
    already printed), so a check cell does not end with a stray ``True``."""
    passed: bool
    message: str | None  # the mistake, None when passed

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        pass


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
        """None if fn agrees with the reference everywhere, else the message that names the mistake (in the
        course's language: the chapter modules write theirs in English, ``tr`` translates them)."""
        for case in self.cases():
            note = tr(case.note)
            try:
                got = fn(*_clone(case.args))
            except NotImplementedError:  # the blank stub of the learner's copy (and of nbgrader's student version)
                return tr(NOT_DONE)
            except Exception as err:  # the learner's code: report, never crash the notebook
                return tr("your function raised {error}: {message} (input: {note})", error=type(err).__name__,
                          message=err, note=note)
            expected = self.reference(*_clone(case.args))
            if _close(got, expected, self.atol):
                continue
            for mistake in self.mistakes:  # before the shape check: a known mistake may change the shape
                try:
                    if _close(got, mistake.wrong(*_clone(case.args)), self.atol):
                        return tr("{message} (input: {note})", message=tr(mistake.message), note=note)
                except Exception:  # a mistake that cannot run on this input does not match it
                    pass
            if (mismatch := _mismatch(got, expected)) is not None:
                return tr("{message} (input: {note})", message=mismatch, note=note)
            if _all_not_finite(got) and not _all_not_finite(expected):  # before the probes, which name one cause
                return tr("your function returned only NaN or inf on {note}: look for a division by zero, or an exp "
                          "or log of an extreme value, before any specific mistake", note=note)
            for probe in self.probes:
                try:
                    message = probe(fn)
                except Exception:  # fn failing on a probe's own input says nothing about that property
                    message = None
                if message:
                    return tr(message)
            return tr("wrong values on {note}: {difference}", note=note,
                      difference=_difference(got, expected, self.atol))
        return None

    def check(self, fn: Callable) -> CheckResult:
        """Run fn against the reference, print a verdict that names the mistake, and record the result."""
        with torch.random.fork_rng(devices=[]):  # same inputs every time; the notebook's RNG stays untouched
            torch.manual_seed(CASE_SEED)
            message = self._verdict(fn)
        self.passed = message is None
        if message == tr(NOT_DONE):  # not an attempt: nothing is recorded
            print(tr("⏳ Not done yet: {message}", message=message))
            if settings.grading():
                raise AssertionError(f"{self.id}: not done")
            return CheckResult(False, message)
        print(tr("✅ Correct: {title} matches the reference on every test input.", title=tr(self.title)) if self.passed
              else tr("❌ Not yet: {message}\n   Need a nudge? Call .hint(); stuck? .solution().", message=message))
        record_exercise(self.id, self.passed)  # after the verdict: a folder that cannot be written only warns
        if not self.passed and settings.grading():
            raise AssertionError(f"{self.id}: {message}")
        return CheckResult(self.passed, message)

    def hint(self) -> None:
        print(tr("💡 Hint: {hint}", hint=tr(self.hint_text)))

    def solution(self) -> None:
        print(tr("Solution to {title}:", title=tr(self.title)) + "\n")
        print(textwrap.dedent(inspect.getsource(self.reference)))


def registry() -> dict[str, Exercise]:
    """Every exercise of every chapter module by id; raises ValueError on a duplicate id."""
    found: dict[str, Exercise] = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name == "core" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Exercise):
                if found.get(value.id, value) is not value:
                    raise ValueError(f"two exercises have the id {value.id!r} (one in {module.__name__})")
                found[value.id] = value
    return found
