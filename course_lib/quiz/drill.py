"""Which questions to ask: ``review(...)`` a mixed drill across chapters, ``due()`` what spaced repetition says.

``review(n=20, seed=7, tag="interview")`` takes questions from each chapter in turn (so every chapter gets its
share) and shuffles them with the seed; ``kind="open"`` draws open interview questions instead of self-checks.
``due()`` is every question whose review date (``progress_file.next_review``) has come, across all chapters
and both kinds, most overdue first. ``show()`` displays a drill's questions as the notebook widgets.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .. import chapters as course
from .. import progress_file
from ..errors import InputError, whole
from ..i18n import tr
from .bank import OpenQuestion, Question, load_banks, load_open

KINDS = ("self-check", "open")


@dataclass(frozen=True)
class Review:
    """The questions of one drill, in the order they are asked."""
    questions: tuple[Question | OpenQuestion, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def __getitem__(self, index: int) -> Question | OpenQuestion:
        return self.questions[index]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def show(self) -> None:
        """Display every question as its widget, under a label naming its chapter."""
        from IPython.display import display

        from .widget import widget

        for number, q in enumerate(self.questions, 1):
            chapter = course.BY_NUMBER[q.chapter]
            label = tr("Question {number} of {total} · chapter {chapter}, {title}", number=number, total=len(self),
                       chapter=chapter.number, title=tr(chapter.title))
            display({"text/markdown": f"**{label}**", "text/plain": label}, raw=True)
            display(widget(q))

    def __repr__(self) -> str:
        per_chapter: dict[int, int] = {}
        for q in self.questions:
            per_chapter[q.chapter] = per_chapter.get(q.chapter, 0) + 1
        if not self.questions:
            return tr("Nothing to review here.")
        listed = tr(", ").join(tr("chapter {n}: {k}", n=c, k=k) for c, k in sorted(per_chapter.items()))
        return tr("Review drill of {n} questions ({listed})", n=len(self), listed=listed)


def review(n: int = 20, seed: int | None = None, chapters: Iterable[int | str] | None = None,
           tag: str | None = None, kind: str = "self-check") -> Review:
    """``n`` questions taken from the chapters in turn (each gets n / #chapters, give or take one, unless it
    runs out), then shuffled; the same ``seed`` gives the same drill. ``chapters``: numbers or keys such as
    ``"din"`` (default: every chapter with questions); ``tag``: only questions with this tag; ``kind``:
    "self-check" (multiple choice) or "open" (interview questions with model answers)."""
    whole("n", n)
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}, got {kind!r}")
    pool = load_banks() if kind == "self-check" else load_open()
    matching = [q for q in pool.values() if tag is None or tag in q.tags]
    wanted = sorted({q.chapter for q in matching} if chapters is None else
                    {course.chapter(c).number for c in chapters})
    pools = {c: [q for q in matching if q.chapter == c] for c in wanted}
    if empty := [c for c, p in pools.items() if not p]:
        raise InputError(f"chapter(s) {empty} have no {kind} questions" + (f" tagged {tag!r}" if tag else "")
                         + "; leave them out of `chapters`")
    total = sum(map(len, pools.values()))
    if n > total:
        raise InputError(f"only {total} {kind} questions match (chapters {wanted}" + (f", tag {tag!r}" if tag else "")
                         + f"): ask for n <= {total}")
    rng = random.Random(seed)
    for p in pools.values():
        rng.shuffle(p)
    chosen: list = []
    while len(chosen) < n:  # round robin over the chapters: a balanced mix
        for p in pools.values():
            if p and len(chosen) < n:
                chosen.append(p.pop())
    rng.shuffle(chosen)
    return Review(tuple(chosen))


def due(today: date | None = None, limit: int | None = None) -> Review:
    """Every question (self-check or open) whose spaced-repetition review is due ``today``, most overdue first."""
    today = today or date.today()
    every = {**load_banks(), **load_open()}
    schedule = progress_file.load()["schedule"]
    waiting = sorted((entry["due"], qid) for qid, entry in schedule.items()
                     if qid in every and date.fromisoformat(entry["due"]) <= today)
    return Review(tuple(every[qid] for _, qid in waiting[:limit]))
