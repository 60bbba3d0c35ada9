"""Where each question is taught: a chapter notebook and a section heading in it, in the course's language.

The index ``sections.json`` ships with the package; ``tools/section_index.py`` writes it from the notebooks'
``ask("...")`` calls and headings, English and Chinese, and tests/test_review.py fails when it is out of date, so the pointers of
the review and the drill cannot go stale. A question no notebook asks points at its chapter's notebook and
its bank's ``section:`` words.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from .. import chapters, settings
from .bank import OpenQuestion, Question

INDEX = Path(__file__).with_name("sections.json")


@dataclass(frozen=True)
class Location:
    """A notebook (a file name next to the review notebook, or None) and a section heading in it.

    ``exact``: the heading was read from the notebook (so it has an anchor); otherwise it is the bank's
    ``section:`` text and a link points at the notebook only."""
    notebook: str | None
    heading: str
    exact: bool = True

    @property
    def anchor(self) -> str:
        """JupyterLab's id of the heading: its text with spaces as dashes (createHeaderId)."""
        return quote(self.heading.replace(" ", "-"), safe="-.:,;'&!?=+@$*/_~")

    def link(self) -> str:
        """A Markdown link relative to the notebooks' folder."""
        if self.notebook is None:
            return self.heading
        if self.exact and self.heading:
            return f"[{self.notebook} § {self.heading}]({self.notebook}#{self.anchor})"
        return f"[{self.notebook}]({self.notebook})" + (f" § {self.heading}" if self.heading else "")

    def __str__(self) -> str:
        return " § ".join(part for part in (self.notebook, self.heading) if part)


@cache
def _index() -> dict[str, dict[str, Location]]:
    raw = json.loads(INDEX.read_text(encoding="utf-8"))
    return {language: {qid: Location(where["notebook"], where["heading"]) for qid, where in found.items()}
            for language, found in raw.items()}


def index(language: str | None = None) -> dict[str, Location]:
    """Question id -> where its chapter's notebook asks it, in ``language``'s edition (default: the course's)."""
    return _index()[language or settings.language()]


def where(q: Question | OpenQuestion) -> Location:
    """Where ``q`` is taught; otherwise its chapter's notebook and the bank's ``section:`` words."""
    if q.id in index():
        return index()[q.id]
    chapter = chapters.BY_NUMBER[q.chapter]
    notebook = None if chapter.key == "review" else f"{chapter.notebook}.ipynb"
    return Location(notebook, q.section, exact=False)
