"""What the saved progress says: ``progress()`` per chapter, ``summary(drill)`` per question with what to revisit.

Both read the progress file (what the widgets, the checks and the terminal drill recorded) and build ``Table``s,
which render as Markdown in a notebook and as plain text in a terminal: one builder, two renderers.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import chapters, progress_file
from ..exercises import registry
from ..i18n import N_, tr, width
from . import sections
from .bank import OpenQuestion, Question, get, load_banks, load_open

# a question's saved result, in English (shown through ``tr``)
FIRST_TRY, RETRY, WRONG, NEW = N_("right at the first try"), N_("right after a retry"), N_("not right yet"), \
    N_("not answered")
FULL, PARTLY = N_("graded 2: full marks"), N_("graded 1: partly")  # an open question's latest self-grade (0: WRONG)


def chapter_name(number: int) -> str:
    """"2 DIN", "4 DCN 与 DCN-V2": a chapter as a table row names it."""
    return f"{number} {tr(chapters.BY_NUMBER[number].title)}"


@dataclass(frozen=True)
class Table:
    """A titled table with a header row, rendered as Markdown or as aligned plain text."""
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in self.rows])

    def text(self) -> str:
        cells = [self.header, *self.rows]
        widths = [max(width(row[i]) for row in cells) for i in range(len(self.header))]
        lines = ["  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join([self.title, *lines])


def status(q: Question | OpenQuestion, state: dict) -> str:
    """A question's saved result: FIRST_TRY, RETRY, WRONG or NEW; for an open question its latest grade."""
    if isinstance(q, OpenQuestion):
        grades = state["open"].get(q.id, {}).get("grades", [])
        return NEW if not grades else (WRONG, PARTLY, FULL)[grades[-1]]
    saved = state["questions"].get(q.id)
    if not saved:
        return NEW
    if not saved.get("correct"):
        return WRONG
    return FIRST_TRY if saved.get("first_try") else RETRY


def counts(results: Iterable[tuple[int, str]]) -> dict[int, dict[str, int]]:
    """Per chapter, from (chapter, status) pairs: questions, answered, right and right at the first try."""
    table: dict[int, dict[str, int]] = {}
    for chapter, result in results:
        row = table.setdefault(chapter, dict(questions=0, answered=0, right=0, first_try=0))
        row["questions"] += 1
        row["answered"] += result != NEW
        row["right"] += result in (FIRST_TRY, RETRY, FULL)
        row["first_try"] += result == FIRST_TRY
    return table


def progress_table(chapter: int | str | None = None) -> list[dict]:
    """Per chapter: self-checks answered, right and right at the first try; open questions graded; exercises
    passed. ``chapter``: one chapter (a number or a key such as "din"), or all."""
    state = progress_file.load()
    questions = counts((q.chapter, status(q, state)) for q in load_banks().values())
    graded = counts((q.chapter, status(q, state)) for q in load_open().values())
    exercises: dict[int, dict[str, int]] = {}
    for eid in registry():
        row = exercises.setdefault(chapters.of(eid).number, dict(exercises=0, passed=0))
        row["exercises"] += 1
        row["passed"] += bool(state["exercises"].get(eid, {}).get("passed"))
    numbers = [c.number for c in chapters.CHAPTERS] if chapter is None else [chapters.chapter(chapter).number]
    empty = dict(questions=0, answered=0, right=0, first_try=0)
    return [dict(chapter=n, **questions.get(n, empty), open=graded.get(n, empty)["questions"],
                 graded=graded.get(n, empty)["answered"], **exercises.get(n, dict(exercises=0, passed=0)))
            for n in numbers]


@dataclass(frozen=True)
class Progress:
    """``progress()``: the per-chapter table, shown as Markdown in a notebook and as text in a terminal."""
    table: Table

    def _repr_markdown_(self) -> str:
        return f"{self.table.markdown()}\n\n{tr('(saved in {path})', path=f'`{progress_file.shown_path()}`')}"

    def __repr__(self) -> str:
        return f"{self.table.text()}\n{tr('(saved in {path})', path=progress_file.shown_path())}"


def progress(chapter: int | str | None = None) -> Progress:
    """Your progress per chapter (or in one chapter): self-checks, open questions and exercises."""
    rows = tuple((chapter_name(r["chapter"]), f"{r['answered']} / {r['questions']}", str(r["right"]),
                  str(r["first_try"]), f"{r['graded']} / {r['open']}", f"{r['passed']} / {r['exercises']}")
                 for r in progress_table(chapter))
    return Progress(Table(tr("Your progress"), (tr("chapter"), tr("self-checks answered"), tr("right"), tr("first try"),
                                                tr("open questions graded"), tr("exercises passed")), rows))


@dataclass(frozen=True)
class Row:
    number: int
    question: Question | OpenQuestion
    status: str
    location: sections.Location  # where the question is taught


@dataclass(frozen=True)
class Summary:
    """The saved result of every question of a drill, per chapter, and the sections to revisit."""
    rows: tuple[Row, ...]

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.rows)

    def revisit(self) -> list[tuple[sections.Location, list[str]]]:
        """Each section with a question missed (wrong, right only after a retry, or graded below 2), once, in
        drill order, with the missed question ids."""
        grouped: dict[sections.Location, list[str]] = {}
        for r in self.rows:
            if r.status in (WRONG, RETRY, PARTLY):
                grouped.setdefault(r.location, []).append(r.question.id)
        return list(grouped.items())

    def score(self) -> str:
        n, answered = len(self.rows), len(self.rows) - self.count(NEW)
        if not answered:
            return tr("No answers saved yet for these {n} questions: answer them above (or in the terminal drill), "
                      "then run this cell again.", n=n)
        right = self.count(FIRST_TRY, RETRY, FULL)
        return tr("Score: {right} of {answered} answered questions right ({share:.0%}), {first} at the first try; "
                  "{new} of {n} not answered yet.", right=right, answered=answered, share=right / answered,
                  first=self.count(FIRST_TRY), new=self.count(NEW), n=n)

    def tables(self, link) -> tuple[Table, ...]:
        per_chapter = counts((r.question.chapter, r.status) for r in self.rows)
        return (
            Table(tr("Per chapter"), (tr("chapter"), tr("questions"), tr("answered"), tr("right"), tr("first try")),
                  tuple((chapter_name(c), *(str(v) for v in n.values())) for c, n in sorted(per_chapter.items()))),
            Table(tr("Revisit (missed, right only after a retry, or graded below 2)"), (tr("section"), tr("questions")),
                  tuple((link(loc), ", ".join(ids)) for loc, ids in self.revisit()) or ((tr("nothing yet"), ""),)),
            Table(tr("Where each question is taught"), ("#", tr("question"), tr("your result"), tr("taught in")),
                  tuple((str(r.number), r.question.id, tr(r.status), link(r.location)) for r in self.rows)))

    def _repr_markdown_(self) -> str:
        return "\n\n".join([f"**{self.score()}**", *(t.markdown() for t in self.tables(sections.Location.link))])

    def __repr__(self) -> str:
        return "\n\n".join([self.score(), *(t.text() for t in self.tables(str))])


def summary(drill: Iterable[Question | OpenQuestion | str] | None = None) -> Summary:
    """The saved results of a drill's questions (questions or ids; default: every self-check of every chapter)."""
    chosen = list(load_banks().values()) if drill is None else [q if not isinstance(q, str) else get(q) for q in drill]
    state = progress_file.load()
    return Summary(tuple(Row(k, q, status(q, state), sections.where(q)) for k, q in enumerate(chosen, 1)))
