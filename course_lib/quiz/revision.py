"""The chapter 6 review: a mixed drill across chapters, and a score summary that says what to revisit.

``review(n=20, seed=6, tag="interview")`` takes questions from each chapter in turn (so every chapter gets
its share), shuffles them with the seed, and ``show()`` displays each one, labelled with its chapter, as the
widget ``ask`` shows. ``summary(drill)`` reads the saved progress (what the widgets and the terminal drill
recorded) and points every missed question at the notebook section that teaches it (``sections.where``).
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from . import bank, sections
from . import progress as store
from .bank import Question, chapter_number, load_banks
from .widget import QuizWidget


@dataclass(frozen=True)
class Review:
    """The questions of one drill, in the order they are asked."""
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def __getitem__(self, index: int) -> Question:
        return self.questions[index]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def show(self) -> None:
        """Display every question as a self-check widget, under a label naming its chapter."""
        from IPython.display import display

        chapters = bank.chapters()
        for number, q in enumerate(self.questions, 1):
            label = f"Question {number} of {len(self)} · chapter {q.chapter}, {chapters[q.chapter].title}"
            display({"text/markdown": f"**{label}**", "text/plain": label}, raw=True)
            display(QuizWidget(q))

    def __repr__(self) -> str:
        counts = {}
        for q in self.questions:
            counts[q.chapter] = counts.get(q.chapter, 0) + 1
        per_chapter = ", ".join(f"chapter {c}: {k}" for c, k in sorted(counts.items()))
        return f"Review drill of {len(self)} questions ({per_chapter})"


def review(n: int = 20, seed: int | None = None, chapters: Iterable[int | str] | None = None,
           tag: str | None = None) -> Review:
    """``n`` questions taken from the chapters in turn (each gets n / #chapters, give or take one, unless it
    runs out), then shuffled; the same ``seed`` gives the same drill. ``chapters``: numbers or keys such as
    ``"din"`` (default: every chapter with questions); ``tag``: only questions with this tag."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of questions, at least 1; got {n!r}")
    matching = [q for q in load_banks().values() if tag is None or tag in q.tags]
    wanted = sorted({q.chapter for q in matching} if chapters is None else {chapter_number(c) for c in chapters})
    pools = {c: [q for q in matching if q.chapter == c] for c in wanted}
    empty = [c for c, pool in pools.items() if not pool]
    if empty:
        raise ValueError(f"chapter(s) {empty} have no questions" + (f" tagged {tag!r}" if tag else "")
                         + "; leave them out of `chapters`")
    total = sum(map(len, pools.values()))
    if n > total:
        raise ValueError(f"only {total} questions match (chapters {wanted}" + (f", tag {tag!r}" if tag else "")
                         + f"): ask for n <= {total}")
    rng = random.Random(seed)
    for pool in pools.values():
        rng.shuffle(pool)
    chosen: list[Question] = []
    while len(chosen) < n:  # round robin over the chapters: a balanced mix
        for pool in pools.values():
            if pool and len(chosen) < n:
                chosen.append(pool.pop())
    rng.shuffle(chosen)
    return Review(tuple(chosen))


# ------------------------------------------------------------------------------------------------ summary

FIRST_TRY, RETRY, WRONG, NEW = "right at the first try", "right after a retry", "not right yet", "not answered"


@dataclass(frozen=True)
class Row:
    number: int
    question: Question
    status: str                  # FIRST_TRY, RETRY, WRONG or NEW
    location: sections.Location  # where the question is taught


def status(saved: dict | None) -> str:
    """A question's saved record (None if never answered) as FIRST_TRY, RETRY, WRONG or NEW."""
    if not saved:
        return NEW
    if not saved.get("correct"):
        return WRONG
    return FIRST_TRY if saved.get("first_try") else RETRY


def chapter_counts(results: Iterable[tuple[int, str]]) -> defaultdict[int, dict]:
    """Per chapter, from (chapter, status) pairs: questions, answered, correct and first_try (zeros for a chapter
    with none). The one count behind ``summary(...).chapters()`` and ``course_lib.quiz.progress_table``."""
    counts = defaultdict(lambda: dict(questions=0, answered=0, correct=0, first_try=0))
    for chapter, result in results:
        row = counts[chapter]
        row["questions"] += 1
        row["answered"] += result != NEW
        row["correct"] += result in (FIRST_TRY, RETRY)
        row["first_try"] += result == FIRST_TRY
    return counts


@dataclass(frozen=True)
class Summary:
    """The saved result of every question of a drill, per chapter, and the sections to revisit."""
    rows: tuple[Row, ...]
    titles: dict[int, str]  # chapter number -> title (``bank.chapters``)

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.rows)

    @property
    def missed(self) -> list[Row]:
        """Answered, but wrong so far or right only after a retry."""
        return [r for r in self.rows if r.status in (WRONG, RETRY)]

    def revisit(self) -> list[tuple[sections.Location, list[str]]]:
        """Each section with a missed question, once, in drill order, with the missed question ids."""
        grouped: dict[sections.Location, list[str]] = {}
        for r in self.missed:
            grouped.setdefault(r.location, []).append(r.question.id)
        return list(grouped.items())

    def chapters(self) -> list[dict]:
        """Per chapter of the drill: its title and ``chapter_counts``."""
        counts = chapter_counts((r.question.chapter, r.status) for r in self.rows)
        return [dict(chapter=c, title=self.titles[c], **n) for c, n in sorted(counts.items())]

    def score(self) -> str:
        n, answered = len(self.rows), len(self.rows) - self.count(NEW)
        if not answered:
            return (f"No answers saved yet for these {n} questions: answer them above (or in the terminal drill), "
                    "then run this cell again.")
        right = self.count(FIRST_TRY, RETRY)
        return (f"Score: {right} of {answered} answered questions right ({right / answered:.0%}), "
                f"{self.count(FIRST_TRY)} at the first try; {self.count(NEW)} of {n} not answered yet.")

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.score()}**", "", "| chapter | questions | answered | right | first try |",
                 "|---|---|---|---|---|"]
        lines += [f"| {c['chapter']} {c['title']} | {c['questions']} | {c['answered']} | {c['correct']} | "
                  f"{c['first_try']} |" for c in self.chapters()]
        lines += ["", "**Revisit** (questions missed or right only after a retry):", ""]
        lines += [f"- {loc.link()}: {', '.join(f'`{q}`' for q in ids)}" for loc, ids in self.revisit()] \
            or ["- nothing yet"]
        lines += ["", "| # | chapter | question | your result | taught in |", "|---|---|---|---|---|"]
        lines += [f"| {r.number} | {r.question.chapter} {self.titles[r.question.chapter]} | `{r.question.id}` | "
                  f"{r.status} | {r.location.link()} |" for r in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        lines = [self.score(), "", f"{'chapter':<22}{'questions':>10}{'answered':>10}{'right':>7}{'first try':>11}"]
        lines += [f"{str(c['chapter']) + ' ' + c['title']:<22}{c['questions']:>10}{c['answered']:>10}{c['correct']:>7}"
                  f"{c['first_try']:>11}" for c in self.chapters()]
        lines += ["", "Revisit (questions missed or right only after a retry):"]
        lines += [f"  {loc}: {', '.join(ids)}" for loc, ids in self.revisit()] or ["  nothing yet"]
        lines += ["", "Where each question is taught:"]
        lines += [f"  {r.number:>2}. {r.question.id:<26} {r.status:<24} {r.location}" for r in self.rows]
        return "\n".join(lines)


def summary(drill: Review | Iterable[Question | str] | None = None) -> Summary:
    """The saved results of a drill's questions (question objects or ids; default: every bank question)."""
    questions = load_banks()
    chosen = list(questions.values()) if drill is None else \
        [q if isinstance(q, Question) else bank.get(q) for q in drill]
    saved = store.load()["questions"]
    located = sections.locate()
    rows = tuple(Row(number, q, status(saved.get(q.id)), sections.where(q, located))
                 for number, q in enumerate(chosen, 1))
    return Summary(rows, {n: c.title for n, c in bank.chapters().items()})
