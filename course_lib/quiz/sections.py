"""Where each question is taught: the chapter notebook and section that ask it, read from the notebooks.

A chapter notebook asks a question in a code cell calling ``ask("din.no_softmax")``; the section teaching it
is the nearest level-2 Markdown heading (``## 3. No softmax: ...``) above that cell. So the pointers of the
review notebook come from the notebooks themselves and cannot go stale. (The banks' ``section:`` words, shown
by the widget and the terminal drill, are checked against these headings by tests/test_review.py.)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .bank import CHAPTER_KEYS, Question

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ASK = re.compile(r"""\bask\(\s*["']([\w.\-]+)["']\s*\)""")
SECTION = re.compile(r"^##\s+(.+?)\s*#*\s*$")  # level 2 only: "### Exercise 1" stays inside its section
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Location:
    """A notebook (file name in notebooks/, None if unknown) and a section heading in it.

    ``exact``: the heading was read from the notebook (so it has an anchor); otherwise it is the bank's
    ``section:`` text and the link points at the notebook only."""
    notebook: str | None
    heading: str
    exact: bool = True

    @property
    def anchor(self) -> str:
        """JupyterLab's id of the heading: its text with spaces as dashes (createHeaderId)."""
        return quote(self.heading.replace(" ", "-"), safe="-.:,;'&!?=+@$*/_~")

    def link(self) -> str:
        """A Markdown link relative to notebooks/ (where the review notebook lives)."""
        if self.notebook is None:
            return self.heading
        if self.exact and self.heading:
            return f"[{self.notebook} § {self.heading}]({self.notebook}#{self.anchor})"
        return f"[{self.notebook}]({self.notebook})" + (f" § {self.heading}" if self.heading else "")

    def __str__(self) -> str:
        return " § ".join(part for part in (self.notebook, self.heading) if part)


def cells(notebook: Path) -> list[dict]:
    """The cells of a notebook file; ValueError naming the file if it is not a notebook."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{notebook} is not a readable Jupyter notebook ({err!r}); restore it with "
                         f"`git checkout -- {Path(notebook).name}`") from err


def _plain(heading: str) -> str:
    """The heading as JupyterLab renders its text: no backticks or bold markers."""
    return heading.replace("`", "").replace("**", "").strip()


def asks(notebook: Path) -> list[tuple[str, str]]:
    """``(question id, section heading)`` for every literal ``ask("...")`` call, in notebook order.

    The heading is "" for a call above the first level-2 heading."""
    found, heading = [], ""
    for cell in cells(notebook):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            in_code = False
            for line in source.splitlines():
                if FENCE.match(line):
                    in_code = not in_code
                elif not in_code and (m := SECTION.match(line)):
                    heading = _plain(m.group(1))
        elif cell["cell_type"] == "code":
            found += [(qid, heading) for qid in ASK.findall(source)]
    return found


def chapter_notebooks(folder: Path | None = None) -> dict[int, Path]:
    """Chapter number -> its notebook (``02_din.ipynb`` is chapter 2)."""
    folder = NOTEBOOKS if folder is None else Path(folder)
    chapters = set(CHAPTER_KEYS.values())
    return {int(p.name[:2]): p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if int(p.name[:2]) in chapters}


def locate(folder: Path | None = None) -> dict[str, Location]:
    """Question id -> where it is taught: the first ``ask`` of it in the notebook of its own chapter.

    Asks of a question in another chapter's notebook (a recap, the review drill) do not count."""
    where: dict[str, Location] = {}
    for chapter, notebook in chapter_notebooks(folder).items():
        for qid, heading in asks(notebook):
            if CHAPTER_KEYS.get(qid.split(".")[0]) == chapter:
                where.setdefault(qid, Location(notebook.name, heading))
    return where


def where(q: Question, located: dict[str, Location] | None = None, folder: Path | None = None) -> Location:
    """Where ``q`` is taught; a question no notebook asks falls back to its chapter notebook and the bank's
    ``section:`` words (pass ``located=locate()`` when looking up many questions)."""
    located = locate(folder) if located is None else located
    if q.id in located:
        return located[q.id]
    notebook = chapter_notebooks(folder).get(q.chapter)
    return Location(notebook.name if notebook else None, q.section, exact=False)
