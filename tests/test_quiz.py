"""Self-checks and open questions: the course's banks are valid, balanced and cover every chapter and interview
topic, notebooks ask only existing questions and never spell out an answer, the loader rejects broken banks,
options are shuffled per learner (the same order everywhere), the widgets grade and record like clicks would,
and the terminal drill (driven through a pipe) gives the same feedback, re-prompts, scores and saves."""
import html
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_lib import chapters, progress_file
from course_lib.errors import InputError
from course_lib.i18n import width
from course_lib.quiz import OpenWidget, QuizWidget, ask, bank, grading
from course_lib.quiz.__main__ import parse_choice
from course_lib.quiz.render import md
from course_lib.quiz.widget import static_html, static_text

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"  # emb.fixture_pooling (single), emb.fixture_metrics, emb.fixture_open
SEED = 0  # COURSE_LIB_OPTION_SEED of the test run (conftest.py)
ASK = re.compile(r"""\bask\(\s*["']([^"']+)["']\s*\)""")


pytestmark = pytest.mark.usefixtures("fresh_quiz_state")  # tests/conftest.py


@pytest.fixture
def fixture_banks(monkeypatch):
    monkeypatch.setattr(bank, "BANKS", FIXTURE_BANKS)
    bank._load.cache_clear()
    return bank.load_banks()


def letter(q: bank.Question, index: int) -> str:
    """The letter shown for the option at bank position ``index`` under the tests' option seed."""
    return grading.letter(grading.order(q, SEED).index(index))


def progress_state() -> dict:
    return json.loads((Path(os.environ["COURSE_LIB_DATA_DIR"]) / "progress.json").read_text())


def code_sources(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def all_sources(notebook: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])


# ---------------------------------------------------------------- the course's banks and notebooks

def test_course_banks_validate():
    questions = bank.load_banks()  # raises BankError naming the file on any schema violation
    for qid, q in questions.items():
        assert qid == q.id and chapters.of(qid).number == q.chapter
        assert len(q.answer) == 1 if q.type == "single" else len(q.answer) >= 1
        assert all(o.feedback.strip() for o in q.options) and q.hint.strip() and q.section.strip()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_length_of_an_option_gives_the_answer_away_at_most_a_third_of_the_time(language):
    """A distractor is as specific and as long as the answer: the correct option is the strictly longest
    (in the width of its text as shown: a Chinese character is as wide as two letters) in at most a third of the
    single-answer questions, in every chapter, in both languages."""
    single = [q for q in bank.load_banks(language).values() if q.type == "single"]
    for chapter in {q.chapter for q in single}:
        mine = [q for q in single if q.chapter == chapter]
        longest = [q.id for q in mine if (lengths := [width(o.text) for o in q.options])
                   and lengths[min(q.answer)] == max(lengths) and lengths.count(max(lengths)) == 1]
        assert len(longest) <= len(mine) / 3, f"chapter {chapter}: the answer is the longest option in {longest}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_feedback_never_points_at_an_option_by_letter_or_position(language):
    """Options are shuffled per learner, so "option B" or "the first one" would point at the wrong option."""
    pattern = re.compile(r"\b(option|options|answer) [A-E]\b|\b[A-E] (and|or) [A-E]\b|\b(first|second|third|last) "
                         r"option\b|(all|none) of the above"
                         r"|选项 ?[A-E]|[A-E] ?(和|或|与) ?[A-E](?![A-Za-z])|第[一二三四五1-5]个选项|最后一个选项|以上(都|皆|均|全)",
                         re.I)
    for q in bank.load_banks(language).values():
        for text in (q.question, q.hint, *(o.text for o in q.options), *(o.feedback for o in q.options)):
            assert not pattern.search(text), f"{q.id}: {text[:100]!r}"


def test_open_questions_validate_and_cover_every_interview_topic():
    open_questions = bank.load_open()
    per_chapter = {c.number: sum(q.chapter == c.number for q in open_questions.values()) for c in chapters.CHAPTERS}
    for number, n in per_chapter.items():
        assert n >= (10 if chapters.BY_NUMBER[number].key == "review" else 6), f"chapter {number}: {n} open questions"
    covered = {t for q in open_questions.values() for t in q.topics}
    assert covered == set(bank.TOPICS), f"no open question covers {sorted(set(bank.TOPICS) - covered)}"
    assert not set(open_questions) & set(bank.load_banks())  # one id space, two pools
    for q in open_questions.values():
        assert 3 <= len(q.answer) <= 8 and q.follow_ups and all(q.rubric[g] for g in (0, 1, 2)), q.id


@pytest.mark.parametrize("chapter", [c.number for c in chapters.CHAPTERS if c.key != "review"])
def test_each_chapter_has_at_least_8_questions(chapter):
    n = sum(q.chapter == chapter for q in bank.load_banks().values())
    assert n >= 8, f"chapter {chapter} has {n} questions in course_lib/quiz/banks, needs at least 8"


def test_every_question_asked_in_a_notebook_exists():
    questions = bank.load_banks()
    missing = {nb.name: [qid for qid in ASK.findall(code_sources(nb)) if qid not in questions] for nb in NOTEBOOKS}
    assert not {k: v for k, v in missing.items() if v}


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _telling(text: str) -> bool:
    """Long enough that finding it in a notebook means it was copied there (a bare "AUC" or "No" is not)."""
    return len(text) >= 25 or len(text.split()) >= 4


def test_notebooks_never_contain_an_answer():
    questions = bank.load_banks()
    leaks = []
    for nb in NOTEBOOKS:
        source = _normal(all_sources(nb))  # sources only: the static output of ask() lists every option
        for qid in set(ASK.findall(code_sources(nb))) & set(questions):
            q = questions[qid]
            texts = [o.text for o in q.options if o.correct] + [o.feedback for o in q.options]
            leaks += [(nb.name, qid, t) for t in texts if _telling(t) and _normal(t) in source]
    assert not leaks


def test_answer_leak_check_catches_a_copied_answer(fixture_banks, tmp_path):
    # the check above on a made-up notebook that copies the right option's text into a markdown cell
    q = fixture_banks["emb.fixture_pooling"]
    notebook = tmp_path / "leaky.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": ['ask("emb.fixture_pooling")']},
        {"cell_type": "markdown", "source": ["Answer: mean pooling over the valid\nbehaviours."]}]}))
    right = [o.text for o in q.options if o.correct]
    assert right == ["Mean pooling over the valid behaviours"]
    assert ASK.findall(code_sources(notebook)) == ["emb.fixture_pooling"]
    assert _telling(right[0]) and _normal(right[0]) in _normal(all_sources(notebook))


# ---------------------------------------------------------------- the loader rejects broken banks

GOOD = """\
chapter: 2
questions:
  - id: din.q1
    question: Why?
    type: single
    options:
      - {text: one, correct: true, feedback: because}
      - {text: two, correct: false, feedback: not this one}
    hint: think
    tags: [interview]
    difficulty: 2
    section: "1. Intro"
    zh:
      en_sha: 0123456789ab
      section: "1. 引言"
      question: 为什么？
      options:
        - {text: 一, feedback: 因为}
        - {text: 二, feedback: 不是这个}
      hint: 想一想
"""


def write_banks(tmp_path, monkeypatch, **files) -> None:
    folder = tmp_path / "banks"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    monkeypatch.setattr(bank, "BANKS", folder)
    bank._load.cache_clear()


def test_a_good_bank_loads(tmp_path, monkeypatch):
    write_banks(tmp_path, monkeypatch, **{"02_din.yaml": GOOD})
    (q,) = bank.load_banks().values()
    assert (q.id, q.chapter, q.answer, q.tags, q.difficulty) == ("din.q1", 2, frozenset({0}), ("interview",), 2)
    (zh,) = bank.load_banks("zh").values()  # the same question in Chinese, with the English answer key
    assert (zh.id, zh.answer, zh.question, zh.hint, zh.section) == ("din.q1", frozenset({0}), "为什么？", "想一想", "1. 引言")
    assert [(o.text, o.correct, o.feedback) for o in zh.options] == [("一", True, "因为"), ("二", False, "不是这个")]
    assert bank.get("din.q1") is q
    with pytest.raises(KeyError, match="din.q1"):  # an unknown id lists the chapter's questions
        bank.get("din.q2")
    for bad in (None, "", "   "):
        with pytest.raises(InputError, match="a text such as 'din.no_softmax'"):
            bank.get(bad)
    monkeypatch.setenv("COURSE_LIB_LANG", "zh")  # the course's language picks the version
    assert bank.load_banks()["din.q1"] is zh and bank.get("din.q1") is zh


BROKEN = {
    "two correct in single": (GOOD.replace("text: two, correct: false", "text: two, correct: true"),
                              "2 correct do not fit type 'single'"),
    "no correct in multiple": (GOOD.replace("type: single", "type: multiple").replace("correct: true", "correct: false"),
                               "0 correct do not fit type 'multiple'"),
    "one option": (GOOD.replace("      - {text: two, correct: false, feedback: not this one}\n", ""), "1 options"),
    "yes/no read as booleans": (GOOD.replace("feedback: because", "feedback: yes"), "quote it"),
    "empty feedback": (GOOD.replace("feedback: not this one}", "feedback: ''}"), "feedback of option 'two'"),
    "correct as text": (GOOD.replace("correct: false", "correct: 'no'"), "must be true or false"),
    "typo in a key": (GOOD.replace("hint: think", "hnt: think"), r"missing keys \['hint'\], unknown keys \['hnt'\]"),
    "missing feedback key": (GOOD.replace(", feedback: not this one}", "}"), r"missing keys \['feedback'\]"),
    "unknown type": (GOOD.replace("type: single", "type: truefalse"), "type must be one of"),
    "id of another chapter": (GOOD.replace("id: din.q1", "id: dcn.q1"), r"'din.<slug>' \(chapter 2\)"),
    "id without slug": (GOOD.replace("id: din.q1", "id: din"), "'din.<slug>'"),
    "difficulty 4": (GOOD.replace("difficulty: 2", "difficulty: 4"), "difficulty must be 1, 2 or 3"),
    "tags as a word": (GOOD.replace("tags: [interview]", "tags: interview"), "tags must be a list"),
    "same option twice": (GOOD.replace("text: two", "text: one"), "same text"),
    "chapter not the file's": (GOOD.replace("chapter: 2", "chapter: 3"), "whose notebook names the file"),
    "not yaml": ("chapter: 2\nquestions: [\n", "not valid YAML"),
    "empty file": ("", "expected a mapping with the keys"),
    "a title is no longer kept here": (GOOD.replace("chapter: 2\n", "chapter: 2\ntitle: DIN\n"), "unknown keys"),
    "no Chinese": (GOOD.split("    zh:")[0], r"missing keys \['zh'\]"),
    "a Chinese option missing": (GOOD.replace("        - {text: 二, feedback: 不是这个}\n", ""),
                                 "zh: 1 options, the English has 2"),
    "a Chinese option without feedback": (GOOD.replace("{text: 二, feedback: 不是这个}", "{text: 二}"),
                                          r"zh: an option: missing keys \['feedback'\]"),
    "a Chinese option marks itself correct": (GOOD.replace("{text: 二, feedback: 不是这个}",
                                                           "{text: 二, correct: true, feedback: 不是这个}"),
                                              r"zh: an option: .*unknown keys \['correct'\]"),
    "empty Chinese hint": (GOOD.replace("hint: 想一想", "hint: ''"), "zh: hint"),
    "two Chinese options alike": (GOOD.replace("text: 二", "text: 一"), "zh: two options have the same text"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_bank_is_rejected_with_its_file_named(case, tmp_path, monkeypatch):
    text, message = BROKEN[case]
    write_banks(tmp_path, monkeypatch, **{"02_din.yaml": text})
    with pytest.raises(bank.BankError, match=message) as err:
        bank.load_banks()
    assert "02_din.yaml" in str(err.value)


def test_a_duplicate_id_is_rejected(tmp_path, monkeypatch):
    write_banks(tmp_path, monkeypatch, **{"02_din.yaml": GOOD + GOOD.split("questions:\n")[1]})
    with pytest.raises(bank.BankError, match=r"02_din.yaml: duplicate question id 'din.q1'"):
        bank.load_banks()


def test_a_bank_not_named_after_a_chapter_notebook_is_rejected(tmp_path, monkeypatch):
    write_banks(tmp_path, monkeypatch, **{"02_din_more.yaml": GOOD.replace("din.q1", "din.q2")})
    with pytest.raises(bank.BankError, match="02_din_more.yaml: `chapter` must be the number of the chapter"):
        bank.load_banks()


OPEN = """\
chapter: 2
questions:
  - id: din.open1
    question: Why?
    answer: [one, two, three]
    follow_ups: [{question: then what, answer: this}]
    rubric: {2: all, 1: some, 0: none}
    topics: [no_softmax]
    tags: [interview]
    difficulty: 2
    section: "1. Intro"
    zh:
      en_sha: 0123456789ab
      section: "1. 引言"
      question: 为什么？
      answer: [一, 二, 三]
      follow_ups: [{question: 然后呢, answer: 这个}]
      rubric: {2: 全部, 1: 部分, 0: 没有}
"""


@pytest.mark.parametrize("text, message", [
    (OPEN.replace("topics: [no_softmax]", "topics: [softmax]"), r"unknown \['softmax'\]"),
    (OPEN.replace("rubric: {2: all, 1: some, 0: none}", "rubric: {2: all, 0: none}"), "rubric must say"),
    (OPEN.replace("answer: [one, two, three]", "answer: one"), "answer must be a list"),
    (OPEN.replace("follow_ups: [{question: then what, answer: this}]", "follow_ups: [{question: x}]"),
     r"missing keys \['answer'\]"),
    (OPEN.replace("answer: [一, 二, 三]", "answer: [一, 二]"), "zh: 2 answer points and 1 follow-ups"),
    (OPEN.replace("rubric: {2: 全部, 1: 部分, 0: 没有}", "rubric: {2: 全部, 1: 部分}"), "zh: rubric must say"),
], ids=["unknown topic", "rubric without 1", "answer not a list", "follow-up without answer",
        "a Chinese answer point missing", "Chinese rubric without 0"])
def test_a_broken_open_bank_is_rejected(text, message, tmp_path, monkeypatch):
    write_banks(tmp_path, monkeypatch)
    (tmp_path / "banks" / "open").mkdir()
    (tmp_path / "banks" / "open" / "02_din.yaml").write_text(text)
    with pytest.raises(bank.BankError, match=message):
        bank.load_open()


def test_an_open_question_may_not_share_an_id_with_a_self_check(tmp_path, monkeypatch):
    write_banks(tmp_path, monkeypatch, **{"02_din.yaml": GOOD})
    (tmp_path / "banks" / "open").mkdir()
    (tmp_path / "banks" / "open" / "02_din.yaml").write_text(OPEN.replace("din.open1", "din.q1"))
    with pytest.raises(bank.BankError, match="duplicate question id 'din.q1'"):
        bank.load_open()


# ---------------------------------------------------------------- options shuffled per learner

def test_each_learner_sees_their_own_stable_option_order(fixture_banks, monkeypatch):
    q = fixture_banks["emb.fixture_pooling"]
    assert sorted(grading.order(q, 5)) == [0, 1, 2] and grading.order(q, 5) == grading.order(q, 5)
    orders = {grading.order(q, seed) for seed in range(40)}
    assert len(orders) == 6  # every permutation of 3 options occurs for some learner
    metrics = fixture_banks["emb.fixture_metrics"]
    assert any(grading.order(q, s) != grading.order(metrics, s) for s in range(10))  # per question too
    # a learner without a fixed seed gets one, saved with the progress, so the order stays put
    monkeypatch.delenv("COURSE_LIB_OPTION_SEED")
    first = progress_file.option_seed()
    assert progress_state()["settings"]["option_seed"] == first == progress_file.option_seed()
    assert ask("emb.fixture_pooling").shown == grading.order(q, first)


def test_the_widget_the_static_view_and_the_grading_agree_on_letters(fixture_banks):
    q = fixture_banks["emb.fixture_pooling"]
    quiz = ask(q.id)
    shown = grading.order(q, SEED)
    assert quiz.shown == shown
    assert list(quiz.selector.options) == [f"{grading.letter(k)}. {q.options[i].text}" for k, i in enumerate(shown)]
    assert static_text(q, shown).splitlines()[1:4] == [f"  {grading.letter(k)}. {q.options[i].text}"
                                                       for k, i in enumerate(shown)]
    quiz.choose([0])  # bank position 0, wherever it is shown
    assert quiz.selector.value == f"{letter(q, 0)}. {q.options[0].text}"
    quiz.check()
    assert f"<b>{letter(q, 0)}</b>: ✘ SUM-GROWS-WITH-T" in quiz.feedback.value
    assert progress_state()["questions"][q.id]["chosen"] == [0]  # the option's place in the bank, not a letter


# ---------------------------------------------------------------- the shared grading

def test_grading_single_and_multiple(fixture_banks):
    single, multiple = fixture_banks["emb.fixture_pooling"], fixture_banks["emb.fixture_metrics"]
    shown, identity = grading.order(single, SEED), (0, 1, 2)
    v = grading.grade(single, {0}, shown)
    assert (v.correct, v.message, v.advice) == (False, grading.WRONG, "")
    assert v.notes == (grading.Note(letter(single, 0), False, single.options[0].feedback),)
    assert grading.grade(single, {1}, shown).correct
    assert grading.grade(multiple, {0, 2}, identity).correct
    assert grading.grade(multiple, {0}, identity).advice == grading.MISSING      # right so far, one missing
    assert grading.grade(multiple, {0, 1, 2}, identity).advice == grading.EXTRA  # a wrong one checked
    assert grading.grade(multiple, set(), identity).message == grading.EMPTY
    assert [n.letter for n in grading.answer_notes(multiple, identity)] == ["A", "C"]
    assert [n.letter for n in grading.answer_notes(multiple, (2, 1, 0))] == ["A", "C"]  # listed as shown
    assert [n.feedback[:4] for n in grading.answer_notes(multiple, (2, 1, 0))] == ["GAUC", "AUC-"]
    with pytest.raises(ValueError):
        grading.grade(single, {3}, shown)


def test_parse_choice(fixture_banks):
    single, multiple = fixture_banks["emb.fixture_pooling"], fixture_banks["emb.fixture_metrics"]
    assert parse_choice(" b ", single) == {1}  # positions shown, mapped to the bank by the drill
    assert parse_choice("2", single) == {1}
    assert parse_choice("A,C", multiple) == parse_choice("a c", multiple) == parse_choice("ac", multiple) == {0, 2}
    with pytest.raises(ValueError, match="exactly one answer"):
        parse_choice("A,B", single)
    with pytest.raises(ValueError, match="'D' is not an option: answer with letters A-C"):
        parse_choice("D", single)
    with pytest.raises(ValueError, match="letter A-C"):
        parse_choice(",", single)


# ---------------------------------------------------------------- the widgets, driven as clicks would

def test_widget_wrong_then_right(fixture_banks):
    q = fixture_banks["emb.fixture_pooling"]
    quiz = ask("emb.fixture_pooling")
    assert isinstance(quiz, QuizWidget) and quiz.boxes is None  # single choice: radio buttons
    assert not quiz.check()  # nothing chosen: not an attempt
    assert "Choose an option first" in quiz.feedback.value and quiz.attempts == 0

    quiz.choose([0])
    assert not quiz.check()
    html_ = quiz.feedback.value
    assert "Not quite." in html_ and "SUM-GROWS-WITH-T" in html_
    assert "MEAN-DIVIDES-BY-LENGTH" not in html_ and "PADDING-IS-NOT-DATA" not in html_  # only the chosen option
    assert quiz.attempts == 1 and quiz.reveal_button.layout.display == "none"

    quiz.choose([1])
    assert quiz.check()
    assert "Correct!" in quiz.feedback.value and "MEAN-DIVIDES-BY-LENGTH" in quiz.feedback.value
    assert quiz.attempts == 2 and "attempt 2" in quiz.status.value
    assert quiz.reveal_button.layout.display == "none"  # one wrong attempt only
    saved = progress_state()["questions"][q.id]
    assert (saved["attempts"], saved["correct"], saved["first_try"], saved["chosen"]) == (2, True, False, [1])


def test_widget_reveal_after_two_wrong_attempts_and_hint(fixture_banks):
    q = fixture_banks["emb.fixture_pooling"]
    quiz = ask("emb.fixture_pooling")
    quiz.show_hint()
    assert "scale when the history doubles" in quiz.feedback.value
    for wrong in ([0], [2]):
        quiz.choose(wrong)
        quiz.check()
    assert quiz.attempts == 2 and quiz.reveal_button.layout.display is None  # shown
    quiz.reveal()
    assert f"The answer: <b>{letter(q, 1)}</b>" in quiz.feedback.value and "MEAN-DIVIDES" in quiz.feedback.value
    assert "2. Pooling" in quiz.feedback.value  # the section to revisit


def test_widget_multiple_choice(fixture_banks):
    quiz = ask("emb.fixture_metrics")
    assert quiz.boxes is not None and len(quiz.boxes) == 3  # checkboxes
    quiz.choose({0})
    assert not quiz.check()
    assert "Not quite." in quiz.feedback.value and grading.MISSING in quiz.feedback.value
    quiz.choose({0, 1, 2})
    assert not quiz.check() and "LOGLOSS-CALIBRATED" in quiz.feedback.value
    quiz.choose({0, 2})
    assert quiz.check()
    assert "Correct!" in quiz.feedback.value and "AUC-RANKS-ONLY" in quiz.feedback.value
    assert "GAUC-RANKS-ONLY" in quiz.feedback.value and "LOGLOSS" not in quiz.feedback.value
    assert quiz.attempts == 3 and quiz.reveal_button.layout.display is None


def test_static_fallback_shows_question_and_options_but_no_answer(fixture_banks):
    for qid in fixture_banks:
        q = fixture_banks[qid]
        bundle = ask(qid)._repr_mimebundle_()
        shown = grading.order(q, SEED)
        assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget where it can run
        assert bundle["text/plain"] == static_text(q, shown) and bundle["text/html"] == static_html(q, shown)
        for static in (bundle["text/plain"], html.unescape(bundle["text/html"])):
            assert q.question.split("`")[0] in static
            assert all(o.text in static for o in q.options)
            assert not any(o.feedback.split(".")[0] in static for o in q.options)
            assert "Correct" not in static and "answer:" not in static.lower() and "✔" not in static


def test_open_question_widget_hides_the_answer_until_asked_then_records_the_grade(fixture_banks):
    quiz = ask("emb.fixture_open")
    assert isinstance(quiz, OpenWidget)
    bundle = quiz._repr_mimebundle_()
    for static in (bundle["text/plain"], bundle["text/html"]):
        assert "When can AUC go up" in static and "POINT-ONE" not in static and "RUBRIC" not in static
    assert quiz.model.value == "" and all(b.layout.display == "none" for b in quiz.grade_buttons)
    quiz.answer.value = "AUC compares across users."
    quiz.reveal()
    assert all(x in quiz.model.value for x in ("POINT-ONE", "POINT-TWO", "FOLLOW-UP-Q", "FOLLOW-UP-A", "RUBRIC-ZERO"))
    assert quiz.model.value.index("POINT-ONE") < quiz.model.value.index("POINT-TWO")  # in the order to say them
    assert all(b.layout.display is None for b in quiz.grade_buttons)
    quiz.grade(1)
    saved = progress_state()
    assert saved["open"]["emb.fixture_open"]["grades"] == [1]
    assert saved["open"]["emb.fixture_open"]["answer"] == "AUC compares across users."
    assert saved["schedule"]["emb.fixture_open"]["box"] == 1 and "comes back" in quiz.status.value


# ---------------------------------------------------------------- the terminal drill, through a pipe

def drill(args: list[str], answers: str, data_dir: Path, banks: Path = FIXTURE_BANKS) -> subprocess.CompletedProcess:
    """``python -m course_lib.quiz ARGS`` on the given banks, with ``answers`` piped to its stdin."""
    code = textwrap.dedent(f"""
        import runpy, sys
        from pathlib import Path
        import course_lib.quiz.bank as bank
        bank.BANKS = Path({str(banks)!r})
        sys.argv = ["course_lib.quiz", *{args!r}]
        runpy.run_module("course_lib.quiz", run_name="__main__", alter_sys=True)
    """)
    env = {**os.environ, "COURSE_LIB_DATA_DIR": str(data_dir), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-c", code], input=answers, capture_output=True, text=True,
                          env=env, timeout=60)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_drill_session(tmp_path, fixture_banks):
    # order under --seed 0: pooling (single, answer = bank option 1) then metrics (bank options 0 and 2)
    pooling, metrics = fixture_banks["emb.fixture_pooling"], fixture_banks["emb.fixture_metrics"]
    wrong, right = letter(pooling, 0), letter(metrics, 0) + letter(metrics, 2)
    run = drill(["emb", "--seed", "0"], f"Z\nA,B\n?\n\n{wrong}\n{right.lower()}\n", tmp_path)
    out = flat(run.stdout)
    assert run.returncode == 0, run.stderr
    assert out.index("Question 1/2 [emb.fixture_pooling") < out.index("Question 2/2 [emb.fixture_metrics")
    assert f"{letter(pooling, 0)}. Sum pooling over the valid behaviours" in out and f"{letter(metrics, 2)}. GAUC" in out
    assert "'Z' is not an option: answer with letters A-C" in out        # re-prompted
    assert "this question has exactly one answer" in out                # re-prompted
    assert "Hint: Think about what happens to the scale" in out          # "?"
    assert "type a letter A-C" in out                                    # empty line
    # the same verdict and per-option feedback as the widget, then the answer and the section
    verdict = grading.grade(pooling, {0}, grading.order(pooling, SEED))
    assert f"{verdict.message} {wrong} ✘ {verdict.notes[0].feedback}" in out
    assert f"The answer: {letter(pooling, 1)} {letter(pooling, 1)} MEAN-DIVIDES-BY-LENGTH" in out
    assert "Revisit: 2. Pooling" in out
    assert "Correct!" in out and f"{letter(metrics, 0)} ✔ AUC-RANKS-ONLY" in out
    assert f"{letter(metrics, 2)} ✔ GAUC-RANKS-ONLY" in out
    assert "Score: 1/2 (50%)" in out and "emb.fixture_pooling: revisit 2. Pooling" in out
    saved = json.loads((tmp_path / "progress.json").read_text())["questions"]
    assert saved["emb.fixture_pooling"]["correct"] is False and saved["emb.fixture_metrics"]["first_try"] is True
    assert saved["emb.fixture_pooling"]["chosen"] == [0] and saved["emb.fixture_metrics"]["chosen"] == [0, 2]


def test_drill_open_questions_and_what_is_due(tmp_path, fixture_banks):
    run = drill(["--open"], "AUC mixes users.\nGAUC does not.\n\n3\n2\n", tmp_path)
    out = flat(run.stdout)
    assert run.returncode == 0, run.stderr
    assert out.index("When can AUC go up") < out.index("POINT-ONE") < out.index("POINT-TWO") < out.index("RUBRIC-TWO")
    assert "type 0, 1 or 2" in out and "comes back for review in 3 day(s)" in out and "Score: 1/1" in out
    saved = json.loads((tmp_path / "progress.json").read_text())
    assert saved["open"]["emb.fixture_open"]["answer"] == "AUC mixes users.\nGAUC does not."
    assert saved["open"]["emb.fixture_open"]["grades"] == [2]
    run = drill(["--due"], "", tmp_path)  # graded 2 today: due in 3 days, so nothing today
    assert run.returncode == 0 and "Nothing is due today" in run.stdout
    run = drill(["emb", "--due"], "", tmp_path)
    assert run.returncode == 2 and "--due asks across all chapters" in run.stderr


def test_drill_stops_cleanly_at_end_of_input(tmp_path, fixture_banks):
    number = grading.order(fixture_banks["emb.fixture_pooling"], SEED).index(1) + 1
    run = drill(["1", "--seed", "0"], f"{number}\n", tmp_path)  # answers question 1 right (by number), then EOF
    out = flat(run.stdout)
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "Correct!" in out and "Stopped." in out and "Score: 1/1 (100%), 1 not asked" in out
    assert list(json.loads((tmp_path / "progress.json").read_text())["questions"]) == ["emb.fixture_pooling"]


def test_drill_quit_and_filters(tmp_path):
    run = drill(["--tag", "interview"], "q\n", tmp_path)
    assert run.returncode == 0 and "Question 1/1 [emb.fixture_pooling" in flat(run.stdout)
    assert "Score: 0/0, 1 not asked" in flat(run.stdout)
    run = drill(["emb", "--n", "1", "--seed", "1"], "", tmp_path)
    assert run.returncode == 0 and "Question 1/1" in run.stdout and "Score: 0/0" in run.stdout
    run = drill(["din"], "", tmp_path)
    assert run.returncode == 1 and "No questions in chapter 2" in run.stderr
    run = drill(["din", "--open"], "", tmp_path)
    assert run.returncode == 1 and "No open questions in chapter 2" in run.stderr
    run = drill(["attention"], "", tmp_path)
    assert run.returncode == 2 and "unknown chapter 'attention'" in run.stderr


def test_drill_ctrl_c_prints_the_score_so_far(tmp_path, fixture_banks):
    right = letter(fixture_banks["emb.fixture_pooling"], 1)
    code = textwrap.dedent(f"""
        import runpy, sys
        from pathlib import Path
        import course_lib.quiz.bank as bank
        bank.BANKS = Path({str(FIXTURE_BANKS)!r})
        sys.argv = ["course_lib.quiz", "--seed", "0"]
        runpy.run_module("course_lib.quiz", run_name="__main__", alter_sys=True)
    """)
    env = {**os.environ, "COURSE_LIB_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    seen = b""
    proc.stdin.write(f"{right}\n".encode())
    proc.stdin.flush()
    while seen.count(b"Your answer") < 2:  # input() flushes its prompt: wait for the second question's
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, seen.decode()
        seen += chunk
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    text = flat((seen + out).decode())
    assert proc.returncode == 0 and "Traceback" not in err.decode()
    assert "Stopped." in text and "Score: 1/1 (100%), 1 not asked" in text


def test_python_m_entry_point_help():
    run = subprocess.run([sys.executable, "-m", "course_lib.quiz", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "--tag" in run.stdout and "1=emb" in flat(run.stdout)


def test_inline_markdown_code_emphasis_and_math():
    assert md("a *set* of `h<t>`") == "a <em>set</em> of <code>h&lt;t&gt;</code>"
    assert md("q*k, 2 * 3 and $a*b*c$") == "q*k, 2 * 3 and $a*b*c$"  # products stay products
    assert md("`x *y* z` and $*u*$ then *keep*") == "<code>x *y* z</code> and $*u*$ then <em>keep</em>"
    assert md("把来自*不同*用户的请求") == "把来自<em>不同</em>用户的请求"  # no spaces around Chinese emphasis
