"""Question banks: one YAML file per chapter in ``course_lib/quiz/banks/``, close to jupyterquiz's schema.

    chapter: 2                      # chapter number (file name: 02_din.yaml, after notebooks/02_din.ipynb)
    title: DIN                      # chapter title, wherever the course names the chapter
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

Chapter keys: emb (1), din (2), dien (3), dcn (4), mmoe (5), review (6). ``load_banks`` checks all
of this (unknown keys too, so a typo cannot silently drop a hint) and raises BankError naming the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

BANKS = Path(__file__).parent / "banks"
CHAPTER_KEYS = {"emb": 1, "din": 2, "dien": 3, "dcn": 4, "mmoe": 5, "review": 6}


def chapter_number(value: int | str) -> int:
    """``2``, ``"02"`` or ``"din"`` -> 2; a ValueError naming the choices otherwise."""
    key = str(value).strip().lower()
    if key in CHAPTER_KEYS:
        return CHAPTER_KEYS[key]
    if key.isdigit() and int(key) in CHAPTER_KEYS.values():
        return int(key)
    choices = ", ".join(f"{n} or {k}" for k, n in CHAPTER_KEYS.items())
    raise ValueError(f"unknown chapter {value!r}; choose {choices}")


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


@dataclass(frozen=True)
class Chapter:
    """A chapter as its bank names it: the one place the course's chapter titles are written."""
    number: int
    title: str
    notebook: str  # "02_din": the bank 02_din.yaml holds the self-checks of notebooks/02_din.ipynb


class BankError(ValueError):
    """A question bank breaks the schema; the message names the file and the question."""


QUESTION_KEYS = ("id", "question", "type", "options", "hint", "tags", "difficulty", "section")
OPTION_KEYS = ("text", "correct", "feedback")


def _text(value, where: str) -> str:
    if isinstance(value, bool):
        raise BankError(f"{where} must be a text, got {value!r}: quote it, YAML reads yes/no/on/off as true/false")
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        raise BankError(f"{where} must be a non-empty text, got {value!r}")
    return str(value).strip()


def _option(o, where: str) -> Option:
    if not isinstance(o, dict) or set(o) != set(OPTION_KEYS):
        keys = sorted(o) if isinstance(o, dict) else o
        raise BankError(f"{where}: every option needs exactly the keys {list(OPTION_KEYS)}, got {keys!r}")
    if not isinstance(o["correct"], bool):
        raise BankError(f"{where}: `correct` must be true or false, got {o['correct']!r}")
    return Option(_text(o["text"], f"{where}: option text"), o["correct"],
                  _text(o["feedback"], f"{where}: feedback of option {o['text']!r}"))


def _question(q, chapter: int, where: str) -> Question:
    if not isinstance(q, dict):
        raise BankError(f"{where}: a question must be a mapping, got {q!r}")
    missing = [k for k in QUESTION_KEYS if k not in q]
    unknown = sorted(set(q) - set(QUESTION_KEYS))
    if missing or unknown:
        raise BankError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    key, _, slug = str(q["id"]).partition(".")
    if CHAPTER_KEYS.get(key) != chapter or not slug:
        raise BankError(f"{where}: the id must read '<chapter key>.<slug>' with the key of chapter {chapter} "
                        f"(keys: {CHAPTER_KEYS})")
    if q["type"] not in TYPES:
        raise BankError(f"{where}: type must be one of {TYPES}, got {q['type']!r}")
    if not isinstance(q["options"], list):
        raise BankError(f"{where}: options must be a list")
    options = tuple(_option(o, where) for o in q["options"])
    n_correct = sum(o.correct for o in options)
    if len(options) < 2 or n_correct == 0 or (q["type"] == "single" and n_correct != 1):
        raise BankError(f"{where}: {len(options)} options with {n_correct} correct do not fit type {q['type']!r} "
                        "(single: exactly one correct; multiple: at least one; both: two options or more)")
    if len({o.text for o in options}) != len(options):
        raise BankError(f"{where}: two options have the same text")
    if not isinstance(q["tags"], list) or not all(isinstance(t, str) for t in q["tags"]):
        raise BankError(f"{where}: tags must be a list of words, got {q['tags']!r}")
    if q["difficulty"] not in (1, 2, 3) or isinstance(q["difficulty"], bool):
        raise BankError(f"{where}: difficulty must be 1, 2 or 3, got {q['difficulty']!r}")
    return Question(str(q["id"]), chapter, _text(q["question"], f"{where}: question"), q["type"], options,
                    _text(q["hint"], f"{where}: hint"), tuple(q["tags"]), q["difficulty"],
                    _text(q["section"], f"{where}: section"))


def _parse(path: Path) -> tuple[Chapter, list[Question]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise BankError(f"{path.name} is not valid YAML: {err}") from err
    if not isinstance(raw, dict) or set(raw) != {"chapter", "title", "questions"} \
            or not isinstance(raw["questions"], list):
        raise BankError(f"{path.name}: expected exactly the keys chapter, title and questions (a list)")
    chapter = raw["chapter"]
    if type(chapter) is not int or chapter not in CHAPTER_KEYS.values() or not path.name.startswith(f"{chapter:02d}_"):
        raise BankError(f"{path.name}: `chapter` must be one of {sorted(CHAPTER_KEYS.values())} and match the "
                        f"file name (02_din.yaml holds chapter 2), got {chapter!r}")
    return (Chapter(chapter, _text(raw["title"], f"{path.name}: title"), path.stem),
            [_question(q, chapter, f"{path.name}: question {q.get('id', '?') if isinstance(q, dict) else '?'!r}")
             for q in raw["questions"]])


@cache
def _load() -> tuple[dict[str, Question], dict[int, Chapter]]:
    """Read and check every bank once. Cached: after changing ``BANKS`` (tests do) call ``_load.cache_clear()``."""
    questions: dict[str, Question] = {}
    chapters: dict[int, Chapter] = {}
    for path in sorted(Path(BANKS).glob("*.yaml")):
        chapter, bank = _parse(path)
        if chapter.number in chapters:  # one title and notebook per chapter; ids (key.slug) cannot clash across files
            raise BankError(f"{path.name}: chapter {chapter.number} already has a bank, "
                            f"{chapters[chapter.number].notebook}.yaml; one file per chapter: move the questions there")
        chapters[chapter.number] = chapter
        for q in bank:
            if q.id in questions:
                raise BankError(f"{path.name}: duplicate question id {q.id!r}")
            questions[q.id] = q
    return questions, chapters


def load_banks() -> dict[str, Question]:
    """Every question of every bank by id; raises BankError on a schema violation or a duplicate id."""
    return _load()[0]


def chapters() -> dict[int, Chapter]:
    """Every chapter with a bank, by number in order, titled as its bank says ("DCN and DCN-V2")."""
    return _load()[1]


def get(question_id: str) -> Question:
    questions = load_banks()
    if question_id not in questions:
        near = [k for k in questions if k.split(".")[0] == question_id.split(".")[0]]
        raise KeyError(f"no question {question_id!r}; questions of that chapter: {near or sorted(questions)[:10]}")
    return questions[question_id]


def chapter_of(item_id: str) -> int:
    """Chapter number of a question or exercise id such as ``din.no_softmax``."""
    return CHAPTER_KEYS[item_id.split(".")[0]]
