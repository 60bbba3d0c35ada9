"""The chapter 6 review: where each question is taught (read from the notebooks), the mixed drill, the score
summary from saved progress, the review notebook, and the terminal interview drill covering every chapter."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.quiz import bank, review, sections, summary
from course_lib.quiz.progress import record_answer
from course_lib.quiz.revision import FIRST_TRY, NEW, RETRY, WRONG

from notebook_questions import asked_in  # tests/notebook_questions.py

ROOT = Path(__file__).resolve().parent.parent
REVIEW_NOTEBOOK = ROOT / "notebooks" / "06_review.ipynb"
COURSE_CHAPTERS = [1, 2, 3, 4, 5]


pytestmark = pytest.mark.usefixtures("fresh_quiz_state")  # tests/conftest.py


def notebook(path: Path, *cells: tuple[str, str]) -> Path:
    """A made-up notebook of (cell type, source) pairs."""
    path.write_text(json.dumps({"cells": [{"cell_type": t, "source": s} for t, s in cells]}))
    return path


def bank_file(chapter: int, questions: list[tuple[str, str]]) -> str:
    """A bank of two-option questions, given as (id, tags) pairs."""
    items = "".join(f"""
  - id: {qid}
    question: Question {qid}?
    type: single
    options:
      - {{text: right, correct: true, feedback: because}}
      - {{text: wrong, correct: false, feedback: not this one}}
    hint: think
    tags: {tags}
    difficulty: 1
    section: "1. Intro"
""" for qid, tags in questions)
    return f"chapter: {chapter}\ntitle: Title {chapter}\nquestions:{items}"


@pytest.fixture
def small_banks(tmp_path, monkeypatch):
    """Chapter 1 with one question (emb.q0), chapter 2 with five (din.q0..q4, the last two untagged)."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "01_emb.yaml").write_text(bank_file(1, [("emb.q0", "[interview]")]))
    (folder / "02_din.yaml").write_text(bank_file(2, [(f"din.q{i}", "[interview]" if i < 3 else "[]")
                                                      for i in range(5)]))
    monkeypatch.setattr(bank, "BANKS", folder)
    bank._load.cache_clear()
    return bank.load_banks()


# ---------------------------------------------------------------- where each question is taught

def test_every_bank_question_is_taught_once_in_its_chapter_notebook_under_its_bank_section():
    questions = bank.load_banks()
    located = sections.locate()
    chapter_notebooks = sections.chapter_notebooks()
    assert sorted(chapter_notebooks)[:5] == COURSE_CHAPTERS
    for qid, q in questions.items():
        assert qid in located, f"{qid}: no ask({qid!r}) in {chapter_notebooks[q.chapter].name}"
        where = located[qid]
        assert where.notebook == chapter_notebooks[q.chapter].name and where.exact
        # the bank's `section:` words (widget and drill say "Revisit: ...") begin the real heading
        assert where.heading.startswith(q.section), f"{qid}: bank says {q.section!r}, notebook {where!r}"
        asks = [a for a in sections.asks(chapter_notebooks[q.chapter]) if a[0] == qid]
        assert len(asks) == 1, f"{qid} is asked {len(asks)} times in {where.notebook}"


def test_each_bank_is_named_after_its_chapter_notebook():
    # the glossary names a chapter's notebook by its bank's name (bank.Chapter.notebook)
    notebooks = sections.chapter_notebooks()
    assert {n: f"{c.notebook}.ipynb" for n, c in bank.chapters().items()} == \
        {n: notebooks[n].name for n in COURSE_CHAPTERS}


def test_the_heading_is_a_real_level_2_heading_of_the_notebook():
    for qid, where in sections.locate().items():
        text = "\n".join("".join(c["source"]) for c in sections.cells(ROOT / "notebooks" / where.notebook)
                         if c["cell_type"] == "markdown")
        assert re.search(rf"^## {re.escape(where.heading)}\s*$", text.replace("`", ""), re.M), (qid, where)


def test_asks_reads_level_2_sections_only(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb",
                  ("code", 'ask("emb.intro")'),
                  ("markdown", "# Chapter 1\n\n## 1. The `CTR` problem\ntext"),
                  ("code", 'x = 1\nask("emb.a")  # and ask( "emb.b" )'),
                  ("markdown", "### Exercise 1\n```python\n## not a heading in a code block\n```"),
                  ("code", "ask('emb.c')\nmask(x)"),
                  ("markdown", "## 2. Pooling ##"),
                  ("code", 'print("ask(emb.d)")\nask("emb.e")'))
    assert sections.asks(nb) == [("emb.intro", ""), ("emb.a", "1. The CTR problem"), ("emb.b", "1. The CTR problem"),
                                 ("emb.c", "1. The CTR problem"), ("emb.e", "2. Pooling")]


def test_locate_counts_only_the_notebook_of_the_question_s_chapter(tmp_path):
    notebook(tmp_path / "01_emb.ipynb", ("markdown", "## 1. Intro"), ("code", 'ask("din.recap")\nask("emb.a")'),
             ("markdown", "## 2. Later"), ("code", 'ask("emb.a")'))
    notebook(tmp_path / "02_din.ipynb", ("markdown", "## 3. Attention"), ("code", 'ask("din.recap")'))
    notebook(tmp_path / "06_review.ipynb", ("markdown", "## Drill"), ("code", 'ask("emb.a")'))
    notebook(tmp_path / "scratch.ipynb", ("markdown", "## Notes"), ("code", 'ask("emb.b")'))
    assert sections.locate(tmp_path) == {"emb.a": sections.Location("01_emb.ipynb", "1. Intro"),
                                         "din.recap": sections.Location("02_din.ipynb", "3. Attention")}


def test_broken_notebook_is_named(tmp_path):
    (tmp_path / "01_emb.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match="01_emb.ipynb is not a readable Jupyter notebook"):
        sections.locate(tmp_path)


def test_links_use_jupyterlab_heading_ids():
    where = sections.Location("02_din.ipynb", "3. No softmax: keeping the intensity")
    assert where.anchor == "3.-No-softmax:-keeping-the-intensity"  # JupyterLab: spaces become dashes
    assert where.link() == ("[02_din.ipynb § 3. No softmax: keeping the intensity]"
                            "(02_din.ipynb#3.-No-softmax:-keeping-the-intensity)")
    assert str(where) == "02_din.ipynb § 3. No softmax: keeping the intensity"
    # characters that would end a Markdown link are escaped
    assert sections.Location("x.ipynb", "5. Metrics (AUC)").anchor == "5.-Metrics-%28AUC%29"
    assert sections.Location("x.ipynb", "").link() == "[x.ipynb](x.ipynb)"


def test_a_question_no_notebook_asks_falls_back_to_its_chapter_notebook_and_bank_section(tmp_path, small_banks):
    notebook(tmp_path / "01_emb.ipynb", ("markdown", "## 1. Intro"))
    q = small_banks["emb.q0"]
    where = sections.where(q, folder=tmp_path)
    assert where == sections.Location("01_emb.ipynb", "1. Intro", exact=False)
    assert where.link() == "[01_emb.ipynb](01_emb.ipynb) § 1. Intro"  # no anchor: the words are the bank's
    assert sections.where(small_banks["din.q0"], folder=tmp_path).link() == "1. Intro"  # no notebook at all


# ---------------------------------------------------------------- the mixed drill

def test_review_is_balanced_across_chapters_and_deterministic():
    drill = review(n=20, seed=6)
    assert len(drill) == 20 and len(set(drill.ids)) == 20
    assert sorted(q.chapter for q in drill) == [c for c in COURSE_CHAPTERS for _ in range(4)]
    assert drill.ids == review(n=20, seed=6).ids
    assert drill.ids != review(n=20, seed=7).ids
    assert [q.chapter for q in drill] != sorted(q.chapter for q in drill)  # shuffled, not chapter by chapter
    assert repr(drill) == ("Review drill of 20 questions (chapter 1: 4, chapter 2: 4, chapter 3: 4, chapter 4: 4, "
                           "chapter 5: 4)")
    assert drill[0].id == drill.ids[0] and list(drill) == list(drill.questions)


def test_review_filters_by_chapter_and_tag():
    drill = review(n=7, seed=0, chapters=["din", 4], tag="interview")
    assert sorted(q.chapter for q in drill) == [2, 2, 2, 2, 4, 4, 4]  # 7 = 4 + 3: the first chapter gets the extra
    assert all("interview" in q.tags for q in drill)


def test_review_takes_more_from_chapters_that_have_more(small_banks):
    drill = review(n=4, seed=1)  # chapter 1 runs out after one question: chapter 2 fills the rest
    assert "emb.q0" in drill.ids and sum(q.chapter == 2 for q in drill) == 3
    assert sorted(review(n=4, seed=1, tag="interview").ids) == ["din.q0", "din.q1", "din.q2", "emb.q0"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), "at least 1"),
    (dict(n=True), "at least 1"),
    (dict(n=999), r"only \d+ questions match \(chapters \[1, 2, 3, 4, 5\]\): ask for n <= \d+"),
    (dict(n=5, chapters=["attention"]), "unknown chapter 'attention'"),
    (dict(n=5, chapters=[6]), r"chapter\(s\) \[6\] have no questions"),
    (dict(n=1, tag="no-such-tag"), r"only 0 questions match"),
])
def test_review_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        review(**kwargs)


def test_show_labels_each_widget_with_its_chapter(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    drill = review(n=3, seed=2, chapters=[1, 2, 3])
    drill.show()
    labels, widgets = shown[0::2], shown[1::2]
    titles = {1: "Embedding & MLP", 2: "DIN", 3: "DIEN"}
    assert [lab["text/plain"] for lab in labels] == [f"Question {i} of 3 · chapter {q.chapter}, {titles[q.chapter]}"
                                                     for i, q in enumerate(drill, 1)]
    assert [w.question for w in widgets] == list(drill)


# ---------------------------------------------------------------- the summary from saved progress

def test_summary_scores_saved_answers_and_points_at_the_sections():
    drill = ["din.no_softmax", "din.unit_input", "din.padding_mask", "emb.gauc_why"]
    record_answer("din.no_softmax", False)       # wrong so far
    record_answer("din.unit_input", False)
    record_answer("din.unit_input", True)        # right after a retry
    record_answer("emb.gauc_why", True)          # right at the first try; din.padding_mask not answered
    s = summary(drill)
    assert [r.status for r in s.rows] == [WRONG, RETRY, NEW, FIRST_TRY]
    assert s.score() == ("Score: 2 of 3 answered questions right (67%), 1 at the first try; "
                         "1 of 4 not answered yet.")
    assert s.chapters() == [dict(chapter=1, title="Embedding & MLP", questions=1, answered=1, correct=1, first_try=1),
                            dict(chapter=2, title="DIN", questions=3, answered=2, correct=1, first_try=0)]
    softmax = sections.Location("02_din.ipynb", "3. No softmax: keeping the intensity")
    unit = sections.Location("02_din.ipynb", "2. The local activation unit")
    assert s.revisit() == [(softmax, ["din.no_softmax"]), (unit, ["din.unit_input"])]
    md = s._repr_markdown_()
    assert f"- {softmax.link()}: `din.no_softmax`" in md
    assert ("| 4 | 1 Embedding & MLP | `emb.gauc_why` | right at the first try | "
            "[01_embedding_mlp.ipynb § 5. Metrics: logloss, AUC, GAUC and RelaImpr]"
            "(01_embedding_mlp.ipynb#5.-Metrics:-logloss,-AUC,-GAUC-and-RelaImpr) |") in md
    assert "| 2 DIN | 3 | 2 | 1 | 0 |" in md
    text = repr(s)
    assert "02_din.ipynb § 3. No softmax: keeping the intensity: din.no_softmax" in text
    assert re.search(r"3\. din\.padding_mask +not answered +02_din\.ipynb § 2\. The local activation unit", text)


def test_summary_without_answers_and_of_a_whole_review(monkeypatch):
    drill = review(n=20, seed=6)
    s = summary(drill)
    assert [r.question for r in s.rows] == list(drill) and {r.status for r in s.rows} == {NEW}
    assert s.score().startswith("No answers saved yet for these 20 questions")
    assert "- nothing yet" in s._repr_markdown_() and "  nothing yet" in repr(s)
    assert len(summary().rows) == len(bank.load_banks())  # default: every question of every bank
    with pytest.raises(KeyError, match="no question 'din.nope'"):
        summary(["din.nope"])


# ---------------------------------------------------------------- which questions a notebook shows

def test_asked_in_counts_asks_and_review_drills(tmp_path):
    nb = notebook(tmp_path / "x.ipynb", ("code", 'ask("emb.gauc_why")'), ("markdown", 'review(n=1, seed=0)'),
                  ("code", "%matplotlib inline\ndrill = review(3, seed=4, chapters=['dcn'])\ndrill.show()"))
    assert asked_in(nb) == ["emb.gauc_why", *review(3, seed=4, chapters=["dcn"]).ids]
    notebook(nb, ("code", "seed = 3\nreview(n=20, seed=seed)"))
    with pytest.raises(ValueError, match="x.ipynb, cell 0: review.* literal arguments"):
        asked_in(nb)
    notebook(nb, ("code", "review(n=20)"))
    with pytest.raises(ValueError, match="needs a fixed seed"):
        asked_in(nb)


# ---------------------------------------------------------------- the review notebook

def test_review_notebook_drills_at_least_20_questions_from_every_chapter_without_answers():
    asked = asked_in(REVIEW_NOTEBOOK)
    questions = bank.load_banks()
    assert len(asked) >= 20 and len(set(asked)) == len(asked)
    assert {questions[q].chapter for q in asked} == set(COURSE_CHAPTERS)
    source = " ".join(" ".join("".join(c["source"]) for c in sections.cells(REVIEW_NOTEBOOK)).lower().split())
    for qid in asked:
        texts = [o.text for o in questions[qid].options if o.correct] + [o.feedback for o in questions[qid].options]
        leaked = [t for t in texts if len(t) >= 25 and " ".join(t.lower().split()) in source]
        assert not leaked, f"06_review.ipynb spells out an answer of {qid}"


def test_review_notebook_links_point_at_existing_files():
    text = " ".join("".join(c["source"]) for c in sections.cells(REVIEW_NOTEBOOK) if c["cell_type"] == "markdown")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    cheat_sheets = {f"../docs/cheatsheets/{name}.md" for name in ("embedding_mlp", "din", "dien", "dcn", "mmoe")}
    assert cheat_sheets | {"../docs/glossary.md", "01_embedding_mlp.ipynb", "05_mmoe.ipynb"} <= set(links)
    missing = [link for link in links if not (REVIEW_NOTEBOOK.parent / link).exists()]
    assert not missing


# ---------------------------------------------------------------- the terminal interview drill

@pytest.mark.parametrize("chapter", COURSE_CHAPTERS)
def test_every_chapter_has_at_least_3_interview_questions(chapter):
    tagged = [q.id for q in bank.load_banks().values() if q.chapter == chapter and "interview" in q.tags]
    assert len(tagged) >= 3, f"chapter {chapter} has {len(tagged)} interview-tagged questions: {tagged}"


def test_the_interview_drill_asks_questions_of_every_chapter(tmp_path):
    interview = {q.id: q for q in bank.load_banks().values() if "interview" in q.tags}
    env = {**os.environ, "COURSE_LIB_DATA_DIR": str(tmp_path), "COLUMNS": "100"}
    run = subprocess.run([sys.executable, "-m", "course_lib.quiz", "--tag", "interview", "--seed", "0"],
                         input="A\n" * len(interview), capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    asked = re.findall(r"^Question \d+/(\d+)\s+\[([\w.]+),", run.stdout, re.M)
    assert {total for total, _ in asked} == {str(len(interview))}
    assert sorted(qid for _, qid in asked) == sorted(interview)  # every interview question, once
    assert {interview[qid].chapter for _, qid in asked} == set(COURSE_CHAPTERS)
    right = sum(0 in q.answer and len(q.answer) == 1 for q in interview.values())  # "A" is exactly right
    assert f"Score: {right}/{len(interview)}" in run.stdout
    saved = json.loads((tmp_path / "progress.json").read_text())["questions"]
    assert sorted(saved) == sorted(interview)
