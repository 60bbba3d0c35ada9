"""The open interview question: type your answer, then reveal the model answer and grade yourself.

The learner writes an answer first (the model answer stays hidden until they ask for it), then compares it
with the points an interviewer expects, the follow-up questions and the rubric, and grades themself 0, 1 or 2.
The grade and the answer are saved with the rest of the progress and schedule the question's next review.
Where widgets cannot run, the question shows as static text, never with its answer.
"""
from __future__ import annotations

import ipywidgets as w

from ..i18n import N_, tr
from ..progress_file import INTERVALS, record_grade
from .bank import OpenQuestion
from .render import CSS, md

GRADES = {0: N_("0: missed it"), 1: N_("1: partly"), 2: N_("2: full marks")}


def model_answer_html(q: OpenQuestion) -> str:
    points = "".join(f"<li>{md(p)}</li>" for p in q.answer)
    follow = "".join(f"<li><b>{md(f.question)}</b><br>{md(f.answer)}</li>" for f in q.follow_ups)
    rubric = "".join(f"<li><b>{g}</b>: {md(q.rubric[g])}</li>" for g in (2, 1, 0))
    return (f"<p><b>{tr('A strong answer makes these points, in this order:')}</b></p><ol>{points}</ol>"
            f"<p><b>{tr('What the interviewer asks next:')}</b></p><ul>{follow}</ul>"
            f"<p><b>{tr('Grade yourself:')}</b></p><ul>{rubric}</ul>")


def static_text(q: OpenQuestion) -> str:
    return "\n".join([tr("Interview question {id}: {question}", id=q.id, question=q.question),
                      tr("Run this cell in JupyterLab to write your answer and compare it with a model answer "
                         "(or: python -m course_lib.quiz --open).")])


def static_html(q: OpenQuestion) -> str:
    return (f"<div class='course-quiz-static'><b>{tr('Interview question')}</b> <code>{q.id}</code>"
            f"<p>{md(q.question)}</p>"
            f"<p><i>{tr('Run this cell in JupyterLab to answer it and see the model answer.')}</i></p></div>")


class OpenWidget(w.VBox):
    """One open question; ``reveal()`` and ``grade(g)`` let tests drive it as clicks would."""

    def __init__(self, q: OpenQuestion):
        self.question = q
        self.answer = w.Textarea(placeholder=tr("Your answer: the points you would make, in the order you would "
                                                "say them."), layout=w.Layout(width="100%", height="7em"))
        self.reveal_button = w.Button(description=tr("Show the model answer"), button_style="primary",
                                      tooltip=tr("Write your answer first, then compare"))
        self.grade_buttons = [w.Button(description=tr(label), tooltip=tr("Grade yourself {g} against the rubric", g=g),
                                       layout=w.Layout(display="none")) for g, label in GRADES.items()]
        self.model = w.HTMLMath()
        self.status = w.HTML()
        self.reveal_button.on_click(lambda _: self.reveal())
        for g, button in enumerate(self.grade_buttons):
            button.on_click(lambda _, g=g: self.grade(g))
        super().__init__([w.HTMLMath(f"{CSS}<b>{tr('Interview question')}</b> "
                                     f"<small>({tr('open: answer in your own words')})</small><p>{md(q.question)}</p>"),
                          w.Label(tr("Your answer:")), self.answer, self.reveal_button, self.model,
                          w.HBox([*self.grade_buttons, self.status])],
                         layout=w.Layout(border="1px solid #d0d7de", padding="8px", margin="8px 0"))
        self.add_class("course-quiz")
        self.add_class("course-interview")

    def reveal(self) -> None:
        """Show the model answer, the follow-ups and the rubric, and the grade buttons."""
        self.model.value = model_answer_html(self.question)
        for button in self.grade_buttons:
            button.layout.display = None
        self.status.value = "" if self.answer.value.strip() else \
            f"<small>{tr('Tip: next time, write your answer before you look.')}</small>"

    def grade(self, g: int) -> None:
        """Save the self-grade ``g`` (0, 1 or 2) with the written answer; say when the question comes back."""
        state = record_grade(self.question.id, g, self.answer.value)
        box = state["schedule"][self.question.id]["box"] if state else None
        said = (tr("Graded {g}; it comes back for review in {days} day(s).", g=g, days=INTERVALS[box]) if box
                else tr("Graded {g} (not saved: see the warning).", g=g))
        self.status.value = f"<small>{said}</small>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = static_text(self.question)
        bundle["text/html"] = static_html(self.question)
        return bundle
