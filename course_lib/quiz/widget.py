"""The multiple-choice widget: options, Check, feedback per chosen option, hint, attempts, reveal.

Where widgets cannot run (GitHub, nbconvert HTML) the same question shows as static HTML and text, with
the options but never the answer.
"""
from __future__ import annotations

import html
import re

import ipywidgets as w

from . import grading
from .bank import Question
from .progress import record_answer

REVEAL_AFTER = 2  # wrong attempts after which the "Show answer" button appears

# ipywidgets draws option labels on one fixed-height line and cuts long ones off; let them wrap.
_CSS = """<style>
.course-quiz .widget-radio-box label, .course-quiz .widget-checkbox label {
  display: flex; align-items: flex-start; white-space: normal; height: auto; line-height: 1.4; margin: 3px 0; }
.course-quiz .widget-radio-box input, .course-quiz .widget-checkbox input {
  order: -1; flex: none; align-self: flex-start; margin: 0.2em 0.6em 0 0; }
.course-quiz .widget-htmlmath-content { line-height: 1.5; }
</style>"""


_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")  # *word*, not a*b or 2 * 3


def _emphasis(text: str) -> str:
    """*emphasis* to <em>, outside $math$ (where * is a product)."""
    parts = text.split("$")
    return "$".join(p if i % 2 else _EMPHASIS.sub(r"<em>\1</em>", p) for i, p in enumerate(parts))


def _md(text: str) -> str:
    """Inline Markdown to HTML: `code` spans and *emphasis*; $math$ is left for MathJax."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else _emphasis(p) for i, p in enumerate(parts))


def static_text(q: Question) -> str:
    kind = "one answer" if q.type == "single" else "one or more answers"
    lines = [f"Self-check {q.id} ({kind}): {q.question}"]
    lines += [f"  {grading.letter(i)}. {o.text}" for i, o in enumerate(q.options)]
    lines.append("Run this cell in JupyterLab to answer it (or: python -m course_lib.quiz).")
    return "\n".join(lines)


def static_html(q: Question) -> str:
    items = "".join(f"<li>{_md(o.text)}</li>" for o in q.options)
    return (f"<div class='course-quiz-static'><b>Self-check</b> <code>{q.id}</code><p>{_md(q.question)}</p>"
            f"<ol type='A'>{items}</ol><p><i>Run this cell in JupyterLab to answer it.</i></p></div>")


def _notes_html(notes: tuple[grading.Note, ...], marks: bool = True) -> str:
    items = "".join(f"<li><b>{n.letter}</b>: {n.mark + ' ' if marks else ''}{_md(n.feedback)}</li>" for n in notes)
    return f"<ul>{items}</ul>"


def feedback_html(q: Question, chosen: frozenset[int]) -> tuple[bool, str]:
    """Whether ``chosen`` is the answer, and the feedback of every chosen option (see ``grading.grade``)."""
    v = grading.grade(q, chosen)
    if not v.notes:
        return False, f"<p>{v.message}</p>"
    color = "#1a7f37" if v.correct else "#cf222e"
    advice = f"<p>{html.escape(v.advice)}</p>" if v.advice else ""
    return v.correct, f"<p style='color:{color}'><b>{v.message}</b></p>{_notes_html(v.notes)}{advice}"


def answer_html(q: Question) -> str:
    right = ", ".join(n.letter for n in grading.answer_notes(q))
    return (f"<p>The answer: <b>{right}</b></p>{_notes_html(grading.answer_notes(q), marks=False)}"
            f"<p><small>Revisit: {_md(q.section)}</small></p>")


class QuizWidget(w.VBox):
    """One question; ``choose(indices)`` and ``check()`` let tests drive it as a click would."""

    def __init__(self, q: Question):
        self.question, self.attempts, self.wrong_attempts = q, 0, 0
        labels = [f"{grading.letter(i)}. {o.text}" for i, o in enumerate(q.options)]
        if q.type == "single":
            self.selector = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))
            self.boxes = None
        else:
            self.boxes = [w.Checkbox(description=label, value=False, indent=False,
                                     layout=w.Layout(width="auto")) for label in labels]
            self.selector = w.VBox(self.boxes)
        self.check_button = w.Button(description="Check", button_style="primary")
        self.hint_button = w.Button(description="Hint")
        self.reveal_button = w.Button(description="Show answer", layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.feedback = w.HTMLMath()  # feedback and questions may carry $math$
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.show_hint())
        self.reveal_button.on_click(lambda _: self.reveal())
        kind = "one answer" if q.type == "single" else "one or more answers"
        super().__init__([w.HTMLMath(f"{_CSS}<b>Self-check</b> <small>({kind})</small><p>{_md(q.question)}</p>"),
                          self.selector, w.HBox([self.check_button, self.hint_button, self.reveal_button,
                                                 self.status]), self.feedback],
                         layout=w.Layout(border="1px solid #d0d7de", padding="8px", margin="8px 0"))
        self.add_class("course-quiz")

    def chosen(self) -> frozenset[int]:
        if self.boxes is None:
            return frozenset() if self.selector.index is None else frozenset({self.selector.index})
        return frozenset(i for i, b in enumerate(self.boxes) if b.value)

    def choose(self, indices: set[int] | list[int]) -> None:
        """Select exactly these option indices (0 = A), as clicks would."""
        if self.boxes is None:
            (self.selector.index,) = indices
        else:
            for i, b in enumerate(self.boxes):
                b.value = i in indices

    def check(self) -> bool:
        """Grade the chosen options as the Check button does; an empty choice is not an attempt."""
        chosen = self.chosen()
        correct, text = feedback_html(self.question, chosen)
        self.feedback.value = text
        if chosen:
            self.attempts += 1
            self.wrong_attempts += not correct
            record_answer(self.question.id, correct)
            self.status.value = f"<small>attempt {self.attempts}</small>"
            if self.wrong_attempts >= REVEAL_AFTER:
                self.reveal_button.layout.display = None
        return correct

    def show_hint(self) -> None:
        self.feedback.value = f"<p>💡 {_md(self.question.hint)}</p>"

    def reveal(self) -> None:
        self.feedback.value = answer_html(self.question)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = static_text(self.question)
        bundle["text/html"] = static_html(self.question)
        return bundle
