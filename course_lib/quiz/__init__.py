"""Self-checks and interview practice.

    ask("din.no_softmax")        a question in the notebook: a self-check, or an open interview question
    progress()                   what you have done, per chapter
    review(n, seed, kind=...)    a mixed drill across chapters; due() what spaced repetition asks today
    summary(drill)               its score and the notebook sections to revisit

Questions and their answers live in the YAML banks beside this package (schema: ``bank.py``), never in the
notebooks. Terminal drill: ``python -m course_lib.quiz [CHAPTER] [--n N] [--tag interview] [--open] [--due]``.
"""
from .bank import OpenQuestion, Question, load_banks, load_open
from .drill import Review, due, review
from .interview import OpenWidget
from .summary import progress, progress_table, summary
from .widget import QuizWidget, ask

__all__ = ["OpenQuestion", "OpenWidget", "Question", "QuizWidget", "Review", "ask", "due", "load_banks",
           "load_open", "progress", "progress_table", "review", "summary"]
