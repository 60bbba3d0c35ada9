"""Self-checks: ``ask(question_id)`` shows a multiple-choice question, ``progress()`` what you have done,
``review(n, seed)`` a mixed drill across chapters and ``summary(drill)`` its score and what to revisit.

Questions and their answers live in the YAML banks beside this file (schema: ``bank.py``), never in
the notebooks. Terminal drill: ``python -m course_lib.quiz [CHAPTER] [--n N] [--tag interview] [--seed S]``;
widget and drill grade alike through ``grading.grade``.
"""
from __future__ import annotations

from collections import defaultdict

from . import progress as store  # the module; the name ``progress`` below becomes the summary function
from .bank import CHAPTER_KEYS, Question, chapter_of, get, load_banks
from .revision import chapter_counts, review, status, summary
from .widget import QuizWidget

__all__ = ["QuizWidget", "Question", "ask", "load_banks", "progress", "progress_table", "review", "summary"]


def ask(question_id: str) -> QuizWidget:
    """The interactive question (displayed when it is the last expression of a cell)."""
    return QuizWidget(get(question_id))


def progress_table(chapter: int | None = None) -> list[dict]:
    """Per chapter: questions answered, right, right at the first try, and exercises passed."""
    from ..exercises import registry  # exercises import the progress store: import late to avoid a cycle

    state = store.load()
    questions = chapter_counts((q.chapter, status(state["questions"].get(q.id))) for q in load_banks().values())
    exercises = defaultdict(lambda: dict(exercises=0, passed=0))
    for eid in registry():
        row = exercises[chapter_of(eid)]
        row["exercises"] += 1
        row["passed"] += state["exercises"].get(eid, {}).get("passed", False)
    keys = sorted(questions.keys() | exercises.keys()) if chapter is None else [chapter]
    return [dict(chapter=c, **questions[c], **exercises[c]) for c in keys]


def progress(chapter: int | None = None) -> None:
    """Print the progress table (all chapters, or one)."""
    names = {v: k for k, v in CHAPTER_KEYS.items()}
    print(f"{'chapter':<10}{'answered':>10}{'right':>8}{'first try':>11}{'exercises':>11}")
    for r in progress_table(chapter):
        print(f"{r['chapter']} {names[r['chapter']]:<8}{r['answered']:>5} / {r['questions']:<3}{r['correct']:>6}"
              f"{r['first_try']:>11}{r['passed']:>7} / {r['exercises']}")
    print(f"(saved in {store.shown_path()})")
