"""Question banks: one YAML file per chapter in ``course_lib/quiz/banks/``, close to jupyterquiz's schema.

    chapter: 2                      # chapter number (file name: 02_din.yaml)
    title: DIN                      # chapter title
    questions:
      - id: din.no_softmax          # "<chapter key>.<slug>", unique across all banks
        question: Why does DIN ...  # Markdown (inline `code` and $math$ allowed)
        type: single                # single: exactly one correct option; multiple: one or more
        options:
          - text: ...               # what the learner sees
            correct: true
            feedback: ...           # why this option is right or wrong (shown when it is chosen)
          - ...
        hint: ...                   # a nudge that does not give the answer away
        tags: [interview, attention]
        difficulty: 2               # 1 recall, 2 understanding, 3 transfer
        section: "3. No softmax"    # the notebook section to revisit when the answer is wrong

Chapter keys: emb (1), din (2), dien (3), dcn (4), mmoe (5).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

BANKS = Path(__file__).parent / "banks"
CHAPTER_KEYS = {"emb": 1, "din": 2, "dien": 3, "dcn": 4, "mmoe": 5}
TYPES = ("single", "multiple")


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    chapter: int
    question: str
    type: str
    options: tuple[Option, ...]
    hint: str
    tags: tuple[str, ...]
    difficulty: int
    section: str

    @property
    def answer(self) -> frozenset[int]:
        """Indices of the correct options."""
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


class BankError(ValueError):
    """A question bank breaks the schema; the message names the file and the question."""


def _parse(path: Path) -> list[Question]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapter = raw.get("chapter")
    questions = []
    for q in raw.get("questions", []):
        where = f"{path.name}: question {q.get('id', '?')!r}"
        missing = [k for k in ("id", "question", "type", "options", "hint", "tags", "difficulty", "section")
                   if k not in q]
        if missing:
            raise BankError(f"{where} lacks {missing}")
        if q["type"] not in TYPES:
            raise BankError(f"{where}: type must be one of {TYPES}, got {q['type']!r}")
        options = []
        for o in q["options"]:
            if not {"text", "correct", "feedback"} <= set(o) or not str(o["feedback"]).strip():
                raise BankError(f"{where}: every option needs text, correct and a non-empty feedback")
            options.append(Option(str(o["text"]), bool(o["correct"]), str(o["feedback"])))
        n_correct = sum(o.correct for o in options)
        if len(options) < 2 or n_correct == 0 or (q["type"] == "single" and n_correct != 1):
            raise BankError(f"{where}: {len(options)} options with {n_correct} correct do not fit type {q['type']}")
        questions.append(Question(q["id"], int(chapter), str(q["question"]), q["type"], tuple(options),
                                  str(q["hint"]), tuple(q["tags"]), int(q["difficulty"]), str(q["section"])))
    return questions


@cache
def load_banks() -> dict[str, Question]:
    """Every question of every bank by id; raises BankError on a schema violation or a duplicate id."""
    questions: dict[str, Question] = {}
    for path in sorted(BANKS.glob("*.yaml")):
        for q in _parse(path):
            if q.id in questions:
                raise BankError(f"{path.name}: duplicate question id {q.id!r}")
            questions[q.id] = q
    return questions


def get(question_id: str) -> Question:
    questions = load_banks()
    if question_id not in questions:
        near = [k for k in questions if k.split(".")[0] == question_id.split(".")[0]]
        raise KeyError(f"no question {question_id!r}; questions of that chapter: {near or sorted(questions)[:10]}")
    return questions[question_id]


def chapter_of(item_id: str) -> int:
    """Chapter number of a question or exercise id such as ``din.no_softmax``."""
    return CHAPTER_KEYS[item_id.split(".")[0]]
