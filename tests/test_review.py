"""The review: where each question is taught (an index written from the notebooks), the mixed drill, spaced
repetition, the score summary from saved progress, the review notebook, and the terminal interview drill."""
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from course_lib import chapters, progress_file
from course_lib.progress_file import record_answer, record_grade
from course_lib.quiz import bank, due, grading, progress, progress_table, review, sections, summary
from course_lib.quiz.summary import FIRST_TRY, NEW, PARTLY, RETRY, WRONG

from notebook_questions import asked_in  # tests/notebook_questions.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import section_index  # noqa: E402  (tools/ is a folder of scripts)

REVIEW_NOTEBOOK = ROOT / "notebooks" / "07_review.ipynb"
COURSE_CHAPTERS = [c.number for c in chapters.CHAPTERS if c.key != "review"]


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
    zh:
      en_sha: 0123456789ab
      section: "1. 引言"
      question: 问题 {qid}？
      options:
        - {{text: 对, feedback: 因为}}
        - {{text: 错, feedback: 不是这个}}
      hint: 想一想
""" for qid, tags in questions)
    return f"chapter: {chapter}\nquestions:{items}"


@pytest.fixture
def small_banks(tmp_path, monkeypatch):
    """Chapter 1 with one question (emb.q0), chapter 2 with five (din.q0..q4, the last two untagged)."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "01_embedding_mlp.yaml").write_text(bank_file(1, [("emb.q0", "[interview]")]))
    (folder / "02_din.yaml").write_text(bank_file(2, [(f"din.q{i}", "[interview]" if i < 3 else "[]")
                                                      for i in range(5)]))
    monkeypatch.setattr(bank, "BANKS", folder)
    bank._load.cache_clear()
    return bank.load_banks()


# ---------------------------------------------------------------- where each question is taught

def test_the_shipped_section_index_is_up_to_date():
    assert section_index.main(["--check"]) == 0, "run: python tools/section_index.py"


@pytest.mark.parametrize("language", section_index.EDITIONS)
def test_every_bank_question_is_taught_once_in_its_chapter_notebook_under_its_bank_section(language, monkeypatch):
    monkeypatch.setenv("COURSE_LIB_LANG", language)  # the Chinese bank's sections are the Chinese chapters' headings
    for qid, q in bank.load_banks().items():
        notebook = section_index.EDITIONS[language] / f"{chapters.BY_NUMBER[q.chapter].notebook}.ipynb"
        assert qid in sections.index(), f"{qid}: no ask({qid!r}) in {notebook.name}"
        where = sections.where(q)
        assert where.notebook == notebook.name and where.exact
        # the bank's `section:` words (widget and drill say "Revisit: ...") begin the real heading
        assert where.heading.startswith(q.section), f"{qid}: bank says {q.section!r}, notebook {where!r}"
        assert [a for a in section_index.asks(notebook) if a[0] == qid] == [(qid, where.heading)], \
            f"{qid} is asked more than once in {notebook.name}"


def test_every_chapter_notebook_exists():
    for c in chapters.CHAPTERS:
        assert (ROOT / "notebooks" / f"{c.notebook}.ipynb").is_file(), c


@pytest.mark.parametrize("language", section_index.EDITIONS)
def test_the_heading_is_a_real_level_2_heading_of_the_notebook(language):
    for qid, where in sections.index(language).items():
        folder = section_index.EDITIONS[language]
        text = "\n".join("".join(c["source"]) for c in section_index.cells(folder / where.notebook)
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
    assert section_index.asks(nb) == [("emb.intro", ""), ("emb.a", "1. The CTR problem"),
                                      ("emb.b", "1. The CTR problem"), ("emb.c", "1. The CTR problem"),
                                      ("emb.e", "2. Pooling")]


def test_the_index_counts_only_the_notebook_of_the_question_s_chapter(tmp_path):
    notebook(tmp_path / "01_embedding_mlp.ipynb", ("markdown", "## 1. Intro"),
             ("code", 'ask("din.recap")\nask("emb.a")'), ("markdown", "## 2. Later"), ("code", 'ask("emb.a")'))
    notebook(tmp_path / "02_din.ipynb", ("markdown", "## 3. Attention"), ("code", 'ask("din.recap")'))
    notebook(tmp_path / "07_review.ipynb", ("markdown", "## Drill"), ("code", 'ask("emb.a")'))
    notebook(tmp_path / "scratch.ipynb", ("markdown", "## Notes"), ("code", 'ask("emb.b")'))
    assert section_index.build(tmp_path) == {"din.recap": {"notebook": "02_din.ipynb", "heading": "3. Attention"},
                                             "emb.a": {"notebook": "01_embedding_mlp.ipynb", "heading": "1. Intro"}}


def test_broken_notebook_is_named(tmp_path):
    (tmp_path / "01_embedding_mlp.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match="01_embedding_mlp.ipynb is not a readable Jupyter notebook"):
        section_index.build(tmp_path)


def test_links_use_jupyterlab_heading_ids():
    where = sections.Location("02_din.ipynb", "3. No softmax: keeping the intensity")
    assert where.anchor == "3.-No-softmax:-keeping-the-intensity"  # JupyterLab: spaces become dashes
    assert where.link() == ("[02_din.ipynb § 3. No softmax: keeping the intensity]"
                            "(02_din.ipynb#3.-No-softmax:-keeping-the-intensity)")
    assert str(where) == "02_din.ipynb § 3. No softmax: keeping the intensity"
    # characters that would end a Markdown link are escaped
    assert sections.Location("x.ipynb", "5. Metrics (AUC)").anchor == "5.-Metrics-%28AUC%29"
    assert sections.Location("x.ipynb", "").link() == "[x.ipynb](x.ipynb)"


def test_a_question_no_notebook_asks_falls_back_to_its_chapter_notebook_and_bank_section(small_banks):
    where = sections.where(small_banks["emb.q0"])
    assert where == sections.Location("01_embedding_mlp.ipynb", "1. Intro", exact=False)
    assert where.link() == "[01_embedding_mlp.ipynb](01_embedding_mlp.ipynb) § 1. Intro"  # no anchor: bank's words


def test_a_cross_chapter_open_question_names_its_chapters():
    cross = bank.load_open()["review.ranking_stack"]
    assert sections.where(cross).notebook is None and sections.where(cross).link() == cross.section


# ---------------------------------------------------------------- the mixed drill

def test_review_is_balanced_across_chapters_and_deterministic():
    n = 4 * len(COURSE_CHAPTERS)
    drill = review(n=n, seed=6)
    assert len(drill) == n and len(set(drill.ids)) == n
    assert sorted(q.chapter for q in drill) == [c for c in COURSE_CHAPTERS for _ in range(4)]
    assert drill.ids == review(n=n, seed=6).ids
    assert drill.ids != review(n=n, seed=7).ids
    assert [q.chapter for q in drill] != sorted(q.chapter for q in drill)  # shuffled, not chapter by chapter
    per_chapter = ", ".join(f"chapter {c}: 4" for c in COURSE_CHAPTERS)
    assert repr(drill) == f"Review drill of {n} questions ({per_chapter})"
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
    (dict(n=0), r"n=0: give a whole number >= 1"),
    (dict(n=True), r"n=True: give a whole number >= 1"),
    (dict(n=999), r"only \d+ self-check questions match \(chapters " + re.escape(str(COURSE_CHAPTERS))
     + r"\): ask for n <= \d+"),
    (dict(n=5, chapters=["attention"]), "unknown chapter 'attention'"),
    (dict(n=5, chapters=[7]), r"chapter\(s\) \[7\] have no self-check questions"),
    (dict(n=1, tag="no-such-tag"), r"only 0 self-check questions match"),
    (dict(n=1, kind="quiz"), "kind must be one of"),
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
    drill = ["din.no_softmax", "din.unit_input", "din.padding_mask", "emb.gauc_why", "din.vs_transformer"]
    record_answer("din.no_softmax", False)       # wrong so far
    record_answer("din.unit_input", False)
    record_answer("din.unit_input", True)        # right after a retry
    record_answer("emb.gauc_why", True)          # right at the first try; din.padding_mask not answered
    record_grade("din.vs_transformer", 1)        # an open question, graded 1 by the learner
    s = summary(drill)
    assert [r.status for r in s.rows] == [WRONG, RETRY, NEW, FIRST_TRY, PARTLY]
    assert s.score() == ("Score: 2 of 4 answered questions right (50%), 1 at the first try; "
                         "1 of 5 not answered yet.")
    softmax = sections.Location("02_din.ipynb", "3. No softmax: keeping the intensity")
    unit = sections.Location("02_din.ipynb", "2. The local activation unit")
    assert s.revisit()[:2] == [(softmax, ["din.no_softmax"]), (unit, ["din.unit_input"])]
    assert s.revisit()[2][1] == ["din.vs_transformer"]  # graded below 2: worth another look
    md = s._repr_markdown_()
    assert f"| {softmax.link()} | din.no_softmax |" in md
    assert ("| 4 | emb.gauc_why | right at the first try | "
            "[01_embedding_mlp.ipynb § 8. Metrics: logloss, AUC, GAUC and RelaImpr]"
            "(01_embedding_mlp.ipynb#8.-Metrics:-logloss,-AUC,-GAUC-and-RelaImpr) |") in md
    assert "| 1 Embedding & MLP | 1 | 1 | 1 | 1 |" in md and "| 2 DIN | 4 | 3 | 1 | 0 |" in md
    text = repr(s)
    assert re.search(r"02_din\.ipynb § 3\. No softmax: keeping the intensity +din\.no_softmax", text)
    assert re.search(r"3 +din\.padding_mask +not answered +02_din\.ipynb § 2\. The local activation unit", text)


def test_summary_without_answers_and_of_a_whole_review(monkeypatch):
    drill = review(n=20, seed=6)
    s = summary(drill)
    assert [r.question for r in s.rows] == list(drill) and {r.status for r in s.rows} == {NEW}
    assert s.score().startswith("No answers saved yet for these 20 questions")
    assert "| nothing yet |" in s._repr_markdown_() and "nothing yet" in repr(s)
    assert len(summary().rows) == len(bank.load_banks())  # default: every self-check of every chapter
    with pytest.raises(KeyError, match="no question 'din.nope'"):
        summary(["din.nope"])


def test_progress_counts_self_checks_open_questions_and_exercises():
    record_answer("din.no_softmax", True)
    record_grade("din.vs_transformer", 2)
    progress_file.record_exercise("din.unit_input", True)
    (din,) = progress_table("din")
    assert din["chapter"] == 2 and (din["answered"], din["right"], din["first_try"]) == (1, 1, 1)
    assert (din["graded"], din["passed"]) == (1, 1) and din["open"] >= 6 and din["exercises"] >= 2
    assert [row["chapter"] for row in progress_table()] == [c.number for c in chapters.CHAPTERS]
    shown = progress()
    assert "| 2 DIN | 1 / " in shown._repr_markdown_() and "(saved in " in repr(shown)
    with pytest.raises(ValueError, match="unknown chapter 99"):
        progress_table(99)


# ---------------------------------------------------------------- spaced repetition, on a fake clock

def test_wrong_answers_come_back_sooner_and_right_ones_later():
    day = date(2026, 1, 1)
    entry = progress_file.next_review(None, progress_file.WRONG, day)
    assert (entry["box"], entry["due"]) == (1, "2026-01-02")  # wrong: tomorrow
    entry = progress_file.next_review(None, progress_file.RIGHT, day)
    assert (entry["box"], entry["due"]) == (2, "2026-01-04")  # right: in 3 days
    entry = progress_file.next_review(entry, progress_file.RIGHT, day)
    assert (entry["box"], entry["due"]) == (3, "2026-01-08")  # right twice: a week
    assert progress_file.next_review(entry, progress_file.KEEP, day)["box"] == 3  # a self-grade of 1 keeps it
    assert progress_file.next_review(entry, progress_file.WRONG, day)["box"] == 1  # wrong: back to the start
    top = {"box": max(progress_file.INTERVALS)}
    assert progress_file.next_review(top, progress_file.RIGHT, day)["box"] == max(progress_file.INTERVALS)


def test_due_lists_what_is_due_today_across_chapters_and_kinds():
    day = date(2026, 3, 10)
    record_answer("din.no_softmax", False, today=day)        # due 3-11
    record_answer("emb.gauc_why", True, today=day)           # due 3-13
    record_grade("dcn.fm_deepfm_xdeepfm", 0, today=day)      # open, graded 0: due 3-11
    record_grade("mmoe.sharing_spectrum", 2, today=day)      # open, graded 2: due 3-13
    assert due(today=day).ids == []
    assert sorted(due(today=day + timedelta(days=1)).ids) == ["dcn.fm_deepfm_xdeepfm", "din.no_softmax"]
    assert len(due(today=day + timedelta(days=3))) == 4
    record_answer("din.no_softmax", True, today=day + timedelta(days=1))  # answered again: due later
    assert due(today=day + timedelta(days=1)).ids == ["dcn.fm_deepfm_xdeepfm"]
    assert repr(due(today=day)) == "Nothing to review here."


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

def test_review_notebook_drills_every_chapter_and_open_questions_without_answers():
    asked = asked_in(REVIEW_NOTEBOOK)
    choice, open_ = bank.load_banks(), bank.load_open()
    assert len(set(asked)) == len(asked) and set(asked) <= set(choice) | set(open_)
    drilled = [choice[q] for q in asked if q in choice]
    assert len(drilled) >= 20 and {q.chapter for q in drilled} == set(COURSE_CHAPTERS)
    assert sum(q in open_ for q in asked) >= 5  # the open interview questions of section 3
    source = " ".join(" ".join("".join(c["source"]) for c in section_index.cells(REVIEW_NOTEBOOK)).lower().split())
    for qid in asked:
        q = choice.get(qid) or open_[qid]
        texts = ([o.text for o in q.options if o.correct] + [o.feedback for o in q.options] if qid in choice
                 else [*q.answer, *(f.answer for f in q.follow_ups)])
        leaked = [t for t in texts if len(t) >= 25 and " ".join(t.lower().split()) in source]
        assert not leaked, f"07_review.ipynb spells out an answer of {qid}"


def test_review_notebook_links_point_at_existing_files():
    text = " ".join("".join(c["source"]) for c in section_index.cells(REVIEW_NOTEBOOK) if c["cell_type"] == "markdown")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    cheat_sheets = {f"../docs/cheatsheets/{name}.md" for name in ("embedding_mlp", "din", "dien", "dcn", "mmoe", "ple_esmm")}
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
    right = sum(q.answer == {grading.order(q, 0)[0]} for q in interview.values())  # "A" is exactly right
    assert f"Score: {right}/{len(interview)}" in run.stdout
    saved = json.loads((tmp_path / "progress.json").read_text())["questions"]
    assert sorted(saved) == sorted(interview)
