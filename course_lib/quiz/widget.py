"""The multiple-choice widget: options, Check, feedback per chosen option, hint, attempts, reveal.

Where widgets cannot run (GitHub, nbconvert HTML) the same question shows as static HTML and text, with
the options but never the answer.
"""
from __future__ import annotations

import html

import ipywidgets as w

from . import progress
from .bank import Question

REVEAL_AFTER = 2  # wrong attempts before the "Show answer" button appears


def _md(text: str) -> str:
    """Inline Markdown to HTML: only `code` spans; $math$ is left for MathJax."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def static_text(q: Question) -> str:
    kind = "one answer" if q.type == "single" else "one or more answers"
    lines = [f"Self-check {q.id} ({kind}): {q.question}"]
    lines += [f"  {chr(65 + i)}. {o.text}" for i, o in enumerate(q.options)]
    lines.append("Run this cell in JupyterLab to answer it (or: python -m course_lib.quiz).")
    return "\n".join(lines)


def static_html(q: Question) -> str:
    items = "".join(f"<li>{_md(o.text)}</li>" for o in q.options)
    return (f"<div class='course-quiz-static'><b>Self-check</b> <code>{q.id}</code><p>{_md(q.question)}</p>"
            f"<ol type='A'>{items}</ol><p><i>Run this cell in JupyterLab to answer it.</i></p></div>")


def feedback_html(q: Question, chosen: frozenset[int]) -> tuple[bool, str]:
    """Whether ``chosen`` is the answer, and the feedback of every chosen option."""
    correct = chosen == q.answer
    if not chosen:
        return False, "<p>Choose an option first.</p>"
    verdict = ("<p style='color:#1a7f37'><b>Correct!</b></p>" if correct
               else "<p style='color:#cf222e'><b>Not quite.</b></p>")
    notes = "".join(f"<li><b>{chr(65 + i)}</b>: {'✔' if q.options[i].correct else '✘'} {_md(q.options[i].feedback)}</li>"
                    for i in sorted(chosen))
    missed = "" if correct or q.type == "single" else "<p>Some correct options are still unchecked, or a wrong one is checked.</p>"
    return correct, f"{verdict}<ul>{notes}</ul>{missed}"


class QuizWidget(w.VBox):
    """One question; ``choose(indices)`` and ``check()`` let tests drive it as a click would."""

    def __init__(self, q: Question):
        self.question, self.attempts = q, 0
        labels = [f"{chr(65 + i)}. {o.text}" for i, o in enumerate(q.options)]
        if q.type == "single":
            self.selector = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="max-content"))
            self.boxes = None
        else:
            self.boxes = [w.Checkbox(description=label, value=False, indent=False,
                                     layout=w.Layout(width="max-content")) for label in labels]
            self.selector = w.VBox(self.boxes)
        self.check_button = w.Button(description="Check", button_style="primary")
        self.hint_button = w.Button(description="Hint")
        self.reveal_button = w.Button(description="Show answer", layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.feedback = w.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.show_hint())
        self.reveal_button.on_click(lambda _: self.reveal())
        kind = "one answer" if q.type == "single" else "one or more answers"
        super().__init__([w.HTML(f"<b>Self-check</b> <small>({kind})</small><p>{_md(q.question)}</p>"),
                          self.selector, w.HBox([self.check_button, self.hint_button, self.reveal_button,
                                                 self.status]), self.feedback],
                         layout=w.Layout(border="1px solid #d0d7de", padding="8px", margin="8px 0"))
        self.add_class("course-quiz")

    def chosen(self) -> frozenset[int]:
        if self.boxes is None:
            return frozenset() if self.selector.index is None else frozenset({self.selector.index})
        return frozenset(i for i, b in enumerate(self.boxes) if b.value)

    def choose(self, indices: set[int] | list[int]) -> None:
        if self.boxes is None:
            (self.selector.index,) = indices
        else:
            for i, b in enumerate(self.boxes):
                b.value = i in indices

    def check(self) -> bool:
        chosen = self.chosen()
        correct, text = feedback_html(self.question, chosen)
        self.feedback.value = text
        if chosen:
            self.attempts += 1
            progress.record_answer(self.question.id, correct)
            self.status.value = f"<small>attempt {self.attempts}</small>"
            if not correct and self.attempts >= REVEAL_AFTER:
                self.reveal_button.layout.display = None
        return correct

    def show_hint(self) -> None:
        self.feedback.value = f"<p>💡 {_md(self.question.hint)}</p>"

    def reveal(self) -> None:
        right = ", ".join(chr(65 + i) for i in sorted(self.question.answer))
        notes = "".join(f"<li><b>{chr(65 + i)}</b>: {_md(self.question.options[i].feedback)}</li>"
                        for i in sorted(self.question.answer))
        self.feedback.value = f"<p>The answer: <b>{right}</b></p><ul>{notes}</ul>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = static_text(self.question)
        bundle["text/html"] = static_html(self.question)
        return bundle
