"""Self-checks: the course's banks are valid and cover every chapter, notebooks ask only existing questions
and never spell out an answer, the loader rejects broken banks, the widget grades like a click would, and
the terminal drill (driven through a pipe) gives the same feedback, re-prompts, scores and saves."""
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

from course_lib.quiz import ask, bank, grading
from course_lib.quiz.__main__ import parse_choice
from course_lib.quiz.widget import QuizWidget, _md, static_html, static_text

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"  # emb.fixture_pooling (single, B), emb.fixture_metrics (A, C)
ASK = re.compile(r"""\bask\(\s*["']([^"']+)["']\s*\)""")


pytestmark = pytest.mark.usefixtures("fresh_quiz_state")  # tests/conftest.py


@pytest.fixture
def fixture_banks(monkeypatch):
    monkeypatch.setattr(bank, "BANKS", FIXTURE_BANKS)
    bank._load.cache_clear()
    return bank.load_banks()


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
        assert qid == q.id and bank.chapter_of(qid) == q.chapter
        assert len(q.answer) == 1 if q.type == "single" else len(q.answer) >= 1
        assert all(o.feedback.strip() for o in q.options) and q.hint.strip() and q.section.strip()


@pytest.mark.parametrize("chapter", [1, 2, 3, 4, 5])
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
title: DIN
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
    assert bank.chapters() == {2: bank.Chapter(2, "DIN", "02_din")}
    assert bank.get("din.q1") is q
    with pytest.raises(KeyError, match="din.q1"):  # an unknown id lists the chapter's questions
        bank.get("din.q2")


BROKEN = {
    "two correct in single": (GOOD.replace("text: two, correct: false", "text: two, correct: true"),
                              "2 correct do not fit type 'single'"),
    "no correct in multiple": (GOOD.replace("type: single", "type: multiple").replace("correct: true", "correct: false"),
                               "0 correct do not fit type 'multiple'"),
    "one option": (GOOD.replace("      - {text: two, correct: false, feedback: not this one}\n", ""), "1 options"),
    "yes/no read as booleans": (GOOD.replace("feedback: because", "feedback: yes"), "quote it"),
    "missing feedback": (GOOD.replace(", feedback: not this one}", "}"), "exactly the keys"),
    "empty feedback": (GOOD.replace("feedback: not this one}", "feedback: ''}"), "feedback of option 'two'"),
    "correct as text": (GOOD.replace("correct: false", "correct: 'no'"), "must be true or false"),
    "typo in a key": (GOOD.replace("hint: think", "hnt: think"), r"missing keys \['hint'\], unknown keys \['hnt'\]"),
    "unknown type": (GOOD.replace("type: single", "type: truefalse"), "type must be one of"),
    "id of another chapter": (GOOD.replace("id: din.q1", "id: dcn.q1"), "key of chapter 2"),
    "id without slug": (GOOD.replace("id: din.q1", "id: din"), "<chapter key>.<slug>"),
    "difficulty 4": (GOOD.replace("difficulty: 2", "difficulty: 4"), "difficulty must be 1, 2 or 3"),
    "tags as a word": (GOOD.replace("tags: [interview]", "tags: interview"), "tags must be a list"),
    "same option twice": (GOOD.replace("text: two", "text: one"), "same text"),
    "chapter not the file's": (GOOD.replace("chapter: 2", "chapter: 3"), "match the file name"),
    "not yaml": ("chapter: 2\nquestions: [\n", "not valid YAML"),
    "empty file": ("", "expected exactly the keys"),
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


def test_a_second_bank_of_a_chapter_is_rejected(tmp_path, monkeypatch):
    # one bank per chapter: one title and one notebook per chapter, and ids unique across banks
    write_banks(tmp_path, monkeypatch,
                **{"02_din.yaml": GOOD, "02_din_more.yaml": GOOD.replace("din.q1", "din.q2")})
    with pytest.raises(bank.BankError, match="02_din_more.yaml: chapter 2 already has a bank, 02_din.yaml"):
        bank.chapters()


# ---------------------------------------------------------------- the shared grading

def test_grading_single_and_multiple(fixture_banks):
    single, multiple = fixture_banks["emb.fixture_pooling"], fixture_banks["emb.fixture_metrics"]
    v = grading.grade(single, {0})
    assert (v.correct, v.message, v.advice) == (False, grading.WRONG, "")
    assert v.notes == (grading.Note("A", False, single.options[0].feedback),)
    assert grading.grade(single, {1}).correct
    assert grading.grade(multiple, {0, 2}).correct
    assert grading.grade(multiple, {0}).advice == grading.MISSING      # right so far, one missing
    assert grading.grade(multiple, {0, 1, 2}).advice == grading.EXTRA  # a wrong one checked
    assert grading.grade(multiple, set()).message == grading.EMPTY
    assert [n.letter for n in grading.answer_notes(multiple)] == ["A", "C"]
    with pytest.raises(ValueError):
        grading.grade(single, {3})


def test_parse_choice(fixture_banks):
    single, multiple = fixture_banks["emb.fixture_pooling"], fixture_banks["emb.fixture_metrics"]
    assert parse_choice(" b ", single) == {1}
    assert parse_choice("2", single) == {1}
    assert parse_choice("A,C", multiple) == parse_choice("a c", multiple) == parse_choice("ac", multiple) == {0, 2}
    with pytest.raises(ValueError, match="exactly one answer"):
        parse_choice("A,B", single)
    with pytest.raises(ValueError, match="'D' is not an option: answer with letters A-C"):
        parse_choice("D", single)
    with pytest.raises(ValueError, match="letter A-C"):
        parse_choice(",", single)


# ---------------------------------------------------------------- the widget, driven as clicks would

def test_widget_wrong_then_right(fixture_banks):
    q = fixture_banks["emb.fixture_pooling"]
    quiz = ask("emb.fixture_pooling")
    assert isinstance(quiz, QuizWidget) and quiz.boxes is None  # single choice: radio buttons
    assert not quiz.check()  # nothing chosen: not an attempt
    assert "Choose an option first" in quiz.feedback.value and quiz.attempts == 0

    quiz.choose([0])
    assert not quiz.check()
    html = quiz.feedback.value
    assert "Not quite." in html and "SUM-GROWS-WITH-T" in html
    assert "MEAN-DIVIDES-BY-LENGTH" not in html and "PADDING-IS-NOT-DATA" not in html  # only the chosen option
    assert quiz.attempts == 1 and quiz.reveal_button.layout.display == "none"

    quiz.choose([1])
    assert quiz.check()
    assert "Correct!" in quiz.feedback.value and "MEAN-DIVIDES-BY-LENGTH" in quiz.feedback.value
    assert quiz.attempts == 2 and "attempt 2" in quiz.status.value
    assert quiz.reveal_button.layout.display == "none"  # one wrong attempt only
    saved = progress_state()["questions"][q.id]
    assert (saved["attempts"], saved["correct"], saved["first_try"]) == (2, True, False)


def test_widget_reveal_after_two_wrong_attempts_and_hint(fixture_banks):
    quiz = ask("emb.fixture_pooling")
    quiz.show_hint()
    assert "scale when the history doubles" in quiz.feedback.value
    for wrong in ([0], [2]):
        quiz.choose(wrong)
        quiz.check()
    assert quiz.attempts == 2 and quiz.reveal_button.layout.display is None  # shown
    quiz.reveal()
    assert "The answer: <b>B</b>" in quiz.feedback.value and "MEAN-DIVIDES-BY-LENGTH" in quiz.feedback.value
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
        assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget where it can run
        assert bundle["text/plain"] == static_text(q) and bundle["text/html"] == static_html(q)
        for static in (bundle["text/plain"], html.unescape(bundle["text/html"])):
            assert q.question.split("`")[0] in static
            assert all(o.text in static for o in q.options)
            assert not any(o.feedback.split(".")[0] in static for o in q.options)
            assert "Correct" not in static and "answer:" not in static.lower() and "✔" not in static


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
    # order under --seed 0: pooling (single, B) then metrics (A, C)
    run = drill(["emb", "--seed", "0"], "Z\nA,B\n?\n\nA\nac\n", tmp_path)
    out = flat(run.stdout)
    assert run.returncode == 0, run.stderr
    assert out.index("Question 1/2 [emb.fixture_pooling") < out.index("Question 2/2 [emb.fixture_metrics")
    assert "A. Sum pooling over the valid behaviours" in out and "C. GAUC" in out
    assert "'Z' is not an option: answer with letters A-C" in out        # re-prompted
    assert "this question has exactly one answer" in out                # re-prompted
    assert "Hint: Think about what happens to the scale" in out          # "?"
    assert "type a letter A-C" in out                                    # empty line
    # the same verdict and per-option feedback as the widget, then the answer and the section
    wrong = grading.grade(fixture_banks["emb.fixture_pooling"], {0})
    assert f"{wrong.message} A ✘ {wrong.notes[0].feedback}" in out
    assert "The answer: B B MEAN-DIVIDES-BY-LENGTH" in out
    assert "Revisit: 2. Pooling" in out
    assert "Correct! A ✔ AUC-RANKS-ONLY" in out and "C ✔ GAUC-RANKS-ONLY" in out
    assert "Score: 1/2 (50%)" in out and "emb.fixture_pooling: revisit 2. Pooling" in out
    saved = json.loads((tmp_path / "progress.json").read_text())["questions"]
    assert saved["emb.fixture_pooling"]["correct"] is False and saved["emb.fixture_metrics"]["first_try"] is True


def test_drill_stops_cleanly_at_end_of_input(tmp_path):
    run = drill(["1", "--seed", "0"], "2\n", tmp_path)  # answers question 1 (B, numbered), then EOF
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
    run = drill(["attention"], "", tmp_path)
    assert run.returncode == 2 and "unknown chapter 'attention'" in run.stderr


def test_drill_ctrl_c_prints_the_score_so_far(tmp_path):
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
    proc.stdin.write(b"B\n")
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
    assert _md("a *set* of `h<t>`") == "a <em>set</em> of <code>h&lt;t&gt;</code>"
    assert _md("q*k, 2 * 3 and $a*b*c$") == "q*k, 2 * 3 and $a*b*c$"  # products stay products
    assert _md("`x *y* z` and $*u*$ then *keep*") == "<code>x *y* z</code> and $*u*$ then <em>keep</em>"
