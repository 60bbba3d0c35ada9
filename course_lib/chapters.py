"""The course's chapters, in one table: number, key, notebook and title.

The key is the prefix of every question and exercise id of a chapter (``din.no_softmax``, ``din.unit_input``);
the notebook names the chapter's notebook, its question bank and its cheat sheet. Imports nothing, so the
glossary, the quiz and the exercises can all read it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Chapter:
    number: int
    key: str  # "din": the prefix of the chapter's question and exercise ids
    notebook: str  # "02_din": notebooks/02_din.ipynb and course_lib/quiz/banks/02_din.yaml
    title: str  # in English: ``i18n.tr`` translates it where it is shown


CHAPTERS = (
    Chapter(1, "emb", "01_embedding_mlp", "Embedding & MLP"),
    Chapter(2, "din", "02_din", "DIN"),
    Chapter(3, "dien", "03_dien", "DIEN"),
    Chapter(4, "dcn", "04_dcn", "DCN and DCN-V2"),
    Chapter(5, "mmoe", "05_mmoe", "MMoE"),
    Chapter(6, "ple", "06_ple_esmm", "PLE and ESMM"),
    Chapter(7, "review", "07_review", "Review"),
)
BY_NUMBER = {c.number: c for c in CHAPTERS}
BY_KEY = {c.key: c for c in CHAPTERS}


def chapter(value: int | str) -> Chapter:
    """``2``, ``"02"``, ``"din"`` or ``"02_din"`` -> chapter 2; a ValueError naming the choices otherwise."""
    text = str(value).strip().lower()
    for c in CHAPTERS:
        if text in (c.key, c.notebook) or (text.isdigit() and int(text) == c.number):
            return c
    choices = ", ".join(f"{c.number} or {c.key}" for c in CHAPTERS)
    raise InputError(f"unknown chapter {value!r}; choose {choices}")


def of(item_id: str) -> Chapter:
    """The chapter of a question or exercise id such as ``din.no_softmax``."""
    key = str(item_id).partition(".")[0]
    if key not in BY_KEY:
        raise InputError(f"{item_id!r} is not an id of the course: it must start with a chapter key "
                         f"({', '.join(BY_KEY)}) and a dot, as in 'din.no_softmax'")
    return BY_KEY[key]
