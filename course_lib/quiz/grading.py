"""What a set of chosen options earns: the verdict and the feedback of every chosen option.

Pure functions shared by the notebook widget (which renders them as HTML) and the terminal drill (plain
text), so both always say the same thing. A learner sees the options in their own shuffled ``order`` (the
options' positions in the bank, in the order shown), lettered A, B, C, ... as shown; everything here takes
and returns bank positions, and letters are only ever computed for display.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import InputError
from ..i18n import N_
from .bank import Question

RIGHT = N_("Correct!")
WRONG = N_("Not quite.")
EMPTY = N_("Choose an option first.")
MISSING = N_("Every option you chose is right, but a correct one is still unchosen.")
EXTRA = N_("At least one option you chose is wrong (marked ✘).")


def letter(position: int) -> str:
    """The letter of the option shown at ``position`` (0 = A)."""
    return chr(ord("A") + position)


def order(q: Question, seed: int) -> tuple[int, ...]:
    """The bank positions of ``q``'s options in the order a learner with ``seed`` sees them: a shuffle fixed by
    the question and the seed, so it is stable for that learner and differs between learners and questions."""
    positions = list(range(len(q.options)))
    random.Random(f"{seed}:{q.id}").shuffle(positions)
    return tuple(positions)


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
    message: str              # RIGHT, WRONG or EMPTY (in English: the front ends translate it)
    notes: tuple[Note, ...]   # one per chosen option, in the order shown
    advice: str = ""          # multiple choice answered wrongly: MISSING or EXTRA


def notes(q: Question, indices, shown: tuple[int, ...]) -> tuple[Note, ...]:
    """The feedback of the options at bank positions ``indices``, in the order and with the letters shown."""
    return tuple(Note(letter(shown.index(i)), q.options[i].correct, q.options[i].feedback)
                 for i in sorted(indices, key=shown.index))


def grade(q: Question, chosen: frozenset[int] | set[int], shown: tuple[int, ...]) -> Verdict:
    """Whether ``chosen`` (bank positions) is exactly the answer, with the feedback of each chosen option as shown
    in the order ``shown``."""
    chosen = frozenset(chosen)
    if not chosen:
        return Verdict(False, EMPTY, ())
    if not chosen <= set(range(len(q.options))):
        raise InputError(f"{q.id} has {len(q.options)} options, got positions {sorted(chosen)}")
    correct = chosen == q.answer
    advice = ""
    if not correct and q.type == "multiple":
        advice = MISSING if chosen < q.answer else EXTRA
    return Verdict(correct, RIGHT if correct else WRONG, notes(q, chosen, shown), advice)


def answer_notes(q: Question, shown: tuple[int, ...]) -> tuple[Note, ...]:
    """The feedback of every correct option (what "Show answer" displays), lettered as shown."""
    return notes(q, q.answer, shown)
