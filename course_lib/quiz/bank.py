"""Question banks: YAML files beside this module, one per chapter and kind, checked when first read.

Multiple-choice self-checks, ``banks/02_din.yaml`` (close to jupyterquiz's schema)::

    chapter: 2                      # the chapter's number (course_lib.chapters); file named after its notebook
    questions:
      - id: din.no_softmax          # "<chapter key>.<slug>", unique across all banks
        question: Why does DIN ...  # Markdown (inline `code`, *emphasis* and $math$)
        type: single                # single: exactly one correct option; multiple: one or more
        options:
          - text: ...               # what the learner sees (options are shuffled per learner)
            correct: true
            feedback: ...           # why this option is right or wrong (shown when it is chosen)
        hint: ...                   # a nudge that does not give the answer away
        tags: [interview, attention]
        difficulty: 2               # 1 recall, 2 understanding, 3 transfer
        section: "3. No softmax"    # the notebook section to revisit when the answer is wrong
        zh:                         # the same question in Chinese (the widgets show it when the language is zh)
          en_sha: 1f0c...           # i18n.en_sha of the English entry it translates (tests/test_chinese.py)
          section: "3. 不用 Softmax"  # a heading of the Chinese chapter
          question: ...
          options:                  # the same options in the same order: text and feedback (`correct` is the
            - text: ...             # English option's)
              feedback: ...
          hint: ...

Open interview questions, ``banks/open/02_din.yaml``, a pool separate from the self-checks::

      - id: din.vs_transformer
        question: ...               # as an interviewer asks it
        answer: [point, ...]        # the model answer: the points expected, in the order a strong candidate says them
        follow_ups: [{question: ..., answer: ...}, ...]   # what the interviewer asks next
        rubric: {2: ..., 1: ..., 0: ...}                  # how learners grade themselves
        topics: [din_vs_transformer]                      # from TOPICS
        tags, difficulty, section  # as above (the review chapter's section names the chapters it spans)
        zh: {en_sha, section, question, answer, follow_ups, rubric}   # the Chinese, as above

``load_banks()`` and ``load_open()`` give the questions in the course's language (``settings.language``).

``load_banks`` and ``load_open`` check all of this (unknown keys too, so a typo cannot silently drop a hint)
and raise BankError naming the file and the question.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from .. import chapters as course
from .. import settings
from ..errors import InputError

BANKS = Path(__file__).parent / "banks"
TYPES = ("single", "multiple")
TOPICS = (  # what interviews ask about ranking models; every topic has at least one open question
    "din_vs_transformer", "no_softmax", "gauc_vs_auc", "aux_loss_negatives", "gru_augru_lstm", "dcn_vs_fm",
    "dcnv2_low_rank_mixture", "mmoe_ple_seesaw", "loss_weighting", "ssb_esmm", "long_sequences",
    "labels_sampling_calibration", "numeric_features", "retrieval_vs_ranking", "serving_latency")


class BankError(ValueError):
    """A question bank breaks the schema; the message names the file and the question."""


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
        """Positions (in the bank) of the correct options."""
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class FollowUp:
    question: str
    answer: str


@dataclass(frozen=True)
class OpenQuestion:
    id: str
    chapter: int
    question: str
    answer: tuple[str, ...]
    follow_ups: tuple[FollowUp, ...]
    rubric: dict[int, str]
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    difficulty: int
    section: str


def _text(value, where: str) -> str:
    if isinstance(value, bool):
        raise BankError(f"{where} must be a text, got {value!r}: quote it, YAML reads yes/no/on/off as true/false")
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        raise BankError(f"{where} must be a non-empty text, got {value!r}")
    return str(value).strip()


def _keys(mapping, required: tuple[str, ...], where: str) -> dict:
    if not isinstance(mapping, dict):
        raise BankError(f"{where}: expected a mapping with the keys {list(required)}, got {mapping!r}")
    missing, unknown = [k for k in required if k not in mapping], sorted(set(mapping) - set(required), key=str)
    if missing or unknown:
        raise BankError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    return mapping


def _words(value, where: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise BankError(f"{where} must be a list of words, got {value!r}")
    if allowed is not None and (bad := [t for t in value if t not in allowed]):
        raise BankError(f"{where}: unknown {bad}; choose from {list(allowed)}")
    return tuple(value)


def _common(q: dict, chapter: int, where: str) -> dict:
    """The fields every kind of question has: id (with the chapter's key), tags, difficulty, section."""
    key, _, slug = str(q["id"]).partition(".")
    if key != course.BY_NUMBER[chapter].key or not slug:
        raise BankError(f"{where}: the id must read '{course.BY_NUMBER[chapter].key}.<slug>' (chapter {chapter})")
    if q["difficulty"] not in (1, 2, 3) or isinstance(q["difficulty"], bool):
        raise BankError(f"{where}: difficulty must be 1, 2 or 3, got {q['difficulty']!r}")
    return dict(id=str(q["id"]), chapter=chapter, tags=_words(q["tags"], f"{where}: tags"),
                difficulty=q["difficulty"], section=_text(q["section"], f"{where}: section"),
                question=_text(q["question"], f"{where}: question"))


def _option(o: dict, where: str) -> Option:
    if not isinstance(o["correct"], bool):
        raise BankError(f"{where}: `correct` must be true or false, got {o['correct']!r}")
    return Option(_text(o["text"], f"{where}: option text"), o["correct"],
                  _text(o["feedback"], f"{where}: feedback of option {o['text']!r}"))


def _texts(options, where: str, keys: tuple[str, ...]) -> list[dict]:
    if not isinstance(options, list):
        raise BankError(f"{where}: options must be a list")
    options = [_keys(o, keys, f"{where}: an option") for o in options]
    if len({str(o["text"]).strip() for o in options}) != len(options):
        raise BankError(f"{where}: two options have the same text")
    return options


def _chinese(q: dict, keys: tuple[str, ...], where: str) -> dict:
    """The zh block's texts, checked; ``en_sha`` is checked against the English by tests/test_chinese.py."""
    zh = _keys(q["zh"], ("en_sha", "section", *keys), f"{where}: zh")
    return {k: zh[k] for k in ("section", *keys)}


def _question(q, chapter: int, where: str) -> dict[str, Question]:
    """The question in each language."""
    q = _keys(q, ("id", "question", "type", "options", "hint", "tags", "difficulty", "section", "zh"), where)
    if q["type"] not in TYPES:
        raise BankError(f"{where}: type must be one of {TYPES}, got {q['type']!r}")
    options = tuple(_option(o, where) for o in _texts(q["options"], where, ("text", "correct", "feedback")))
    n_correct = sum(o.correct for o in options)
    if len(options) < 2 or n_correct == 0 or (q["type"] == "single" and n_correct != 1):
        raise BankError(f"{where}: {len(options)} options with {n_correct} correct do not fit type {q['type']!r} "
                        "(single: exactly one correct; multiple: at least one; both: two options or more)")
    en = Question(type=q["type"], options=options, hint=_text(q["hint"], f"{where}: hint"),
                  **_common(q, chapter, where))
    zh, where = _chinese(q, ("question", "options", "hint"), where), f"{where}: zh"
    translated = _texts(zh["options"], where, ("text", "feedback"))
    if len(translated) != len(options):
        raise BankError(f"{where}: {len(translated)} options, the English has {len(options)}: translate each "
                        "English option, in the same order")
    return dict(en=en, zh=replace(  # the English answer key: the same options are correct in both languages
        en, question=_text(zh["question"], f"{where}: question"), hint=_text(zh["hint"], f"{where}: hint"),
        section=_text(zh["section"], f"{where}: section"),
        options=tuple(Option(_text(t["text"], f"{where}: option text"), o.correct,
                             _text(t["feedback"], f"{where}: feedback of option {t['text']!r}"))
                      for t, o in zip(translated, options))))


def _answers(q: dict, where: str) -> dict:
    """An open question's answer points, follow-ups and rubric (in either language), checked."""
    if not isinstance(q["answer"], list) or not q["answer"]:
        raise BankError(f"{where}: answer must be a list of the points a strong answer makes")
    if not isinstance(q["follow_ups"], list):
        raise BankError(f"{where}: follow_ups must be a list of {{question, answer}}")
    follow_ups = tuple(FollowUp(_text(f["question"], f"{where}: follow-up"), _text(f["answer"], f"{where}: follow-up"))
                       for f in (_keys(f, ("question", "answer"), f"{where}: follow-up") for f in q["follow_ups"]))
    rubric = q["rubric"]
    if not isinstance(rubric, dict) or sorted(rubric, key=str) != [0, 1, 2]:
        raise BankError(f"{where}: rubric must say what earns 0, 1 and 2, got {rubric!r}")
    return dict(answer=tuple(_text(a, f"{where}: answer point") for a in q["answer"]), follow_ups=follow_ups,
                rubric={g: _text(rubric[g], f"{where}: rubric {g}") for g in (0, 1, 2)})


def _open_question(q, chapter: int, where: str) -> dict[str, OpenQuestion]:
    """The open question in each language."""
    q = _keys(q, ("id", "question", "answer", "follow_ups", "rubric", "topics", "tags", "difficulty", "section",
                  "zh"), where)
    en = OpenQuestion(topics=_words(q["topics"], f"{where}: topics", TOPICS), **_answers(q, where),
                      **_common(q, chapter, where))
    zh, where = _chinese(q, ("question", "answer", "follow_ups", "rubric"), where), f"{where}: zh"
    translated = _answers(zh, where)
    if (len(translated["answer"]), len(translated["follow_ups"])) != (len(en.answer), len(en.follow_ups)):
        raise BankError(f"{where}: {len(translated['answer'])} answer points and {len(translated['follow_ups'])} "
                        f"follow-ups, the English has {len(en.answer)} and {len(en.follow_ups)}: translate each, "
                        "in the same order")
    return dict(en=en, zh=replace(en, question=_text(zh["question"], f"{where}: question"),
                                  section=_text(zh["section"], f"{where}: section"), **translated))


def _parse(path: Path, parse_one) -> list:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise BankError(f"{path.name} is not valid YAML: {err}") from err
    raw = _keys(raw, ("chapter", "questions"), path.name)
    chapter = raw["chapter"]
    if type(chapter) is not int or chapter not in course.BY_NUMBER or course.BY_NUMBER[chapter].notebook != path.stem:
        raise BankError(f"{path.name}: `chapter` must be the number of the chapter whose notebook names the file "
                        f"({', '.join(f'{c.notebook}.yaml: {c.number}' for c in course.CHAPTERS)}), got {chapter!r}")
    if not isinstance(raw["questions"], list):
        raise BankError(f"{path.name}: questions must be a list")
    return [parse_one(q, chapter, f"{path.name}: question {q.get('id', '?') if isinstance(q, dict) else '?'!r}")
            for q in raw["questions"]]


@cache
def _load() -> dict[str, tuple[dict[str, Question], dict[str, OpenQuestion]]]:
    """Read and check every bank once, in both languages: language -> (self-checks, open questions) by id.
    Cached: after changing ``BANKS`` (tests do) call ``_load.cache_clear()``."""
    found: dict[str, dict[str, Question | OpenQuestion]] = {}
    for pattern, parse_one in (("*.yaml", _question), ("open/*.yaml", _open_question)):
        for path in sorted(Path(BANKS).glob(pattern)):
            for q in _parse(path, parse_one):
                if q["en"].id in found:
                    raise BankError(f"{path.name}: duplicate question id {q['en'].id!r}")
                found[q["en"].id] = q
    return {lang: ({k: q[lang] for k, q in found.items() if isinstance(q[lang], Question)},
                   {k: q[lang] for k, q in found.items() if isinstance(q[lang], OpenQuestion)})
            for lang in settings.LANGUAGES}


def load_banks(language: str | None = None) -> dict[str, Question]:
    """Every multiple-choice question by id, in ``language`` (default: the course's); raises BankError on a
    schema violation or a duplicate id."""
    return _load()[language or settings.language()][0]


def load_open(language: str | None = None) -> dict[str, OpenQuestion]:
    """Every open interview question by id, in ``language`` (default: the course's)."""
    return _load()[language or settings.language()][1]


class UnknownQuestion(KeyError):
    """No question has this id; the message lists the ids of its chapter."""

    def __str__(self) -> str:  # a KeyError shows its message in quotes; show it as written
        return str(self.args[0])


def get(question_id: str) -> Question | OpenQuestion:
    """A question of either kind by id; an UnknownQuestion listing the chapter's questions if there is none."""
    if not isinstance(question_id, str) or not question_id.strip():
        raise InputError(f"ask for a question by its id, a text such as 'din.no_softmax'; got {question_id!r}")
    every = {**load_banks(), **load_open()}
    if question_id not in every:
        key = question_id.partition(".")[0]
        near = sorted(k for k in every if k.partition(".")[0] == key)
        where = f"questions of chapter '{key}'" if near else "chapter keys"
        raise UnknownQuestion(f"no question {question_id!r}; {where}: {near or list(course.BY_KEY)}")
    return every[question_id]
