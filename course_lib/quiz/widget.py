"""The multiple-choice widget: options, Check, feedback per chosen option, hint, attempts, reveal.

Options appear in the learner's own order (``grading.order``); where widgets cannot run (GitHub, nbconvert
HTML) the same question shows as static HTML and text, in the same order, with the options but never the answer.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..i18n import tr
from ..progress_file import option_seed, record_answer
from . import grading
from .bank import OpenQuestion, Question, get
from .interview import OpenWidget
from .render import CSS, md

REVEAL_AFTER = 2  # wrong attempts after which the "Show answer" button appears

def _kind(q: Question) -> str:
    return tr("one answer") if q.type == "single" else tr("one or more answers")


def static_text(q: Question, shown: tuple[int, ...]) -> str:
    lines = [tr("Self-check {id} ({kind}): {question}", id=q.id, kind=_kind(q), question=q.question)]
    lines += [f"  {grading.letter(k)}. {q.options[i].text}" for k, i in enumerate(shown)]
    lines.append(tr("Run this cell in JupyterLab to answer it (or: python -m course_lib.quiz)."))
    return "\n".join(lines)


def static_html(q: Question, shown: tuple[int, ...]) -> str:
    items = "".join(f"<li>{md(q.options[i].text)}</li>" for i in shown)
    return (f"<div class='course-quiz-static'><b>{tr('Self-check')}</b> <code>{q.id}</code><p>{md(q.question)}</p>"
            f"<ol type='A'>{items}</ol><p><i>{tr('Run this cell in JupyterLab to answer it.')}</i></p></div>")


def _notes_html(notes: tuple[grading.Note, ...], marks: bool = True) -> str:
    items = "".join(f"<li><b>{n.letter}</b>: {n.mark + ' ' if marks else ''}{md(n.feedback)}</li>" for n in notes)
    return f"<ul>{items}</ul>"


def feedback_html(q: Question, chosen: frozenset[int], shown: tuple[int, ...]) -> tuple[bool, str]:
    """Whether ``chosen`` (bank positions) is the answer, and the feedback of every chosen option as shown."""
    v = grading.grade(q, chosen, shown)
    if not v.notes:
        return False, f"<p>{tr(v.message)}</p>"
    verdict = "course-right" if v.correct else "course-wrong"  # coloured per theme by render.CSS
    advice = f"<p>{html.escape(tr(v.advice))}</p>" if v.advice else ""
    return v.correct, f"<p class='{verdict}'><b>{tr(v.message)}</b></p>{_notes_html(v.notes)}{advice}"


def answer_html(q: Question, shown: tuple[int, ...]) -> str:
    answer = grading.answer_notes(q, shown)
    letters = ", ".join(n.letter for n in answer)
    return (f"<p>{tr('The answer: <b>{letters}</b>', letters=letters)}</p>{_notes_html(answer, marks=False)}"
            f"<p><small>{tr('Revisit: {section}', section=md(q.section))}</small></p>")


class QuizWidget(w.VBox):
    """One question, its options in the order ``shown`` (bank positions; default: this learner's order);
    ``choose(indices)`` and ``check()`` let tests drive it as clicks would."""

    def __init__(self, q: Question, shown: tuple[int, ...] | None = None):
        shown = grading.order(q, option_seed()) if shown is None else tuple(shown)
        self.question, self.shown, self.attempts, self.wrong_attempts = q, shown, 0, 0
        labels = [f"{grading.letter(k)}. {q.options[i].text}" for k, i in enumerate(self.shown)]
        if q.type == "single":
            self.selector = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))
            self.boxes = None
        else:
            self.boxes = [w.Checkbox(description=label, value=False, indent=False,
                                     layout=w.Layout(width="auto")) for label in labels]
            self.selector = w.VBox(self.boxes)
        self.check_button = w.Button(description=tr("Check"), button_style="primary")
        self.hint_button = w.Button(description=tr("Hint"))
        self.reveal_button = w.Button(description=tr("Show answer"), layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.feedback = w.HTMLMath()  # feedback and questions may carry $math$
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.show_hint())
        self.reveal_button.on_click(lambda _: self.reveal())
        super().__init__([w.HTMLMath(f"{CSS}<b>{tr('Self-check')}</b> <small>({_kind(q)})</small>"
                                     f"<p>{md(q.question)}</p>"),
                          self.selector, w.HBox([self.check_button, self.hint_button, self.reveal_button,
                                                 self.status]), self.feedback],
                         layout=w.Layout(border="1px solid #d0d7de", padding="8px", margin="8px 0"))
        self.add_class("course-quiz")

    def chosen(self) -> frozenset[int]:
        """The chosen options, as positions in the bank."""
        if self.boxes is None:
            return frozenset() if self.selector.index is None else frozenset({self.shown[self.selector.index]})
        return frozenset(self.shown[k] for k, b in enumerate(self.boxes) if b.value)

    def choose(self, indices: set[int] | list[int]) -> None:
        """Select exactly the options at these bank positions, as clicks would."""
        if self.boxes is None:
            (index,) = indices
            self.selector.index = self.shown.index(index)
        else:
            for k, b in enumerate(self.boxes):
                b.value = self.shown[k] in indices

    def check(self) -> bool:
        """Grade the chosen options as the Check button does; an empty choice is not an attempt."""
        chosen = self.chosen()
        correct, text = feedback_html(self.question, chosen, self.shown)
        self.feedback.value = text
        if chosen:
            self.attempts += 1
            self.wrong_attempts += not correct
            self.status.value = f"<small>{tr('attempt {n}', n=self.attempts)}</small>"
            if self.wrong_attempts >= REVEAL_AFTER:
                self.reveal_button.layout.display = None
            record_answer(self.question.id, correct, sorted(chosen))  # after the feedback: a failed save only warns
        return correct

    def show_hint(self) -> None:
        self.feedback.value = f"<p>💡 {md(self.question.hint)}</p>"

    def reveal(self) -> None:
        self.feedback.value = answer_html(self.question, self.shown)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = static_text(self.question, self.shown)
        bundle["text/html"] = static_html(self.question, self.shown)
        return bundle


def widget(q: Question | OpenQuestion) -> QuizWidget | OpenWidget:
    """The widget of a question of either kind."""
    return OpenWidget(q) if isinstance(q, OpenQuestion) else QuizWidget(q)


def ask(question_id: str) -> QuizWidget | OpenWidget:
    """The interactive question with this id (displayed when it is the last expression of a cell)."""
    return widget(get(question_id))
