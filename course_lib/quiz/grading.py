"""What a set of chosen options earns: the verdict and the feedback of every chosen option.

Pure functions shared by the notebook widget (which renders them as HTML) and the terminal drill (plain
text), so both always say the same thing. Options are lettered A, B, C, ... in bank order.
"""
from __future__ import annotations

from dataclasses import dataclass

from .bank import Question

RIGHT = "Correct!"
WRONG = "Not quite."
EMPTY = "Choose an option first."
MISSING = "Every option you chose is right, but a correct one is still unchosen."
EXTRA = "At least one option you chose is wrong (marked ✘)."


def letter(index: int) -> str:
    return chr(ord("A") + index)


@dataclass(frozen=True)
class Note:
    """The feedback of one option: its letter, whether it is a correct option, and why."""
    letter: str
    correct: bool
    feedback: str

    @property
    def mark(self) -> str:
        return "✔" if self.correct else "✘"


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str              # RIGHT, WRONG or EMPTY
    notes: tuple[Note, ...]   # one per chosen option, in letter order
    advice: str = ""          # multiple choice answered wrongly: MISSING or EXTRA


def note(q: Question, index: int) -> Note:
    option = q.options[index]
    return Note(letter(index), option.correct, option.feedback)


def grade(q: Question, chosen: frozenset[int] | set[int]) -> Verdict:
    """Whether ``chosen`` (option indices) is exactly the answer, with the feedback of each chosen option."""
    chosen = frozenset(chosen)
    if not chosen:
        return Verdict(False, EMPTY, ())
    if not chosen <= set(range(len(q.options))):
        raise ValueError(f"{q.id} has options {letter(0)}-{letter(len(q.options) - 1)}, got indices {sorted(chosen)}")
    correct = chosen == q.answer
    notes = tuple(note(q, i) for i in sorted(chosen))
    advice = ""
    if not correct and q.type == "multiple":
        advice = MISSING if chosen < q.answer else EXTRA
    return Verdict(correct, RIGHT if correct else WRONG, notes, advice)


def answer_notes(q: Question) -> tuple[Note, ...]:
    """The feedback of every correct option (what "Show answer" displays)."""
    return tuple(note(q, i) for i in sorted(q.answer))
