"""`make html`: each chapter as a page that reads without a kernel. Every self-check shows its static form
(question and options in the committed run's order, COURSE_LIB_OPTION_SEED=0) and no answer; exercise
solutions are blank; every figure of the committed run is embedded. The Chinese chapters likewise, in zh/, with
the Chinese question and options. (tests/test_browser.py opens a page in Chromium with the network cut off.)"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from course_lib.quiz import bank, grading
from course_lib.quiz.render import md
from notebook_questions import asked_in  # tests/notebook_questions.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_html  # noqa: E402  (tools/ is a folder of scripts)

CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
BOTH = [*CHAPTERS, *sorted((ROOT / "notebooks" / "zh").glob("0*.ipynb"))]  # each page's name: its path in the output


def name(notebook: Path) -> str:
    return f"zh/{notebook.stem}" if notebook.parent.name == "zh" else notebook.stem


def text(markup: str, glue: str = " ") -> str:
    """What a reader sees of some HTML: tags dropped (``glue`` in their place: "" inside highlighted code, whose
    tokens are spans), entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", glue, markup)).split())


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("html")
    export_html.export(out)
    return {str(p.relative_to(out).with_suffix("")): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


def test_every_chapter_and_an_index_are_exported(pages):
    assert set(pages) == {name(p) for p in BOTH} | {"index", "zh/index"}
    assert all(f'href="{p.stem}.html"' in pages["index"] and f'href="{p.stem}.html"' in pages["zh/index"]
               for p in CHAPTERS)
    assert 'href="zh/index.html"' in pages["index"] and 'href="../index.html"' in pages["zh/index"]


@pytest.mark.parametrize("notebook", BOTH, ids=name)
def test_self_checks_show_question_and_options_but_no_answer(pages, notebook):
    page = pages[name(notebook)]
    assert "application/vnd.jupyter.widget-view+json" not in page and "widget-state+json" not in page
    seen = text(page)
    choice = bank.load_banks("zh" if notebook.parent.name == "zh" else "en")
    for qid in (q for q in asked_in(notebook) if q in choice):
        q = choice[qid]
        static = re.search(rf"<code>{re.escape(qid)}</code>(.*?)</ol>", page, re.S)
        assert static, f"{notebook.stem}: no static form of {qid} (its widget view would show an empty box)"
        assert text(md(q.question))[:30] in text(static.group(0)), f"{name(notebook)}: {qid} not in its language"
        options = [text(m) for m in re.findall(r"<li>(.*?)</li>", static.group(1), re.S)]
        assert options == [text(md(q.options[i].text)) for i in grading.order(q, 0)], (
            f"{notebook.stem}: the options of {qid} are not the committed order: re-run `make figures`")
        for secret in [o.feedback for o in q.options] + [q.hint]:
            shown = text(md(secret))
            assert len(shown) < 25 or shown not in seen, f"{notebook.stem} gives away {qid}: {shown[:60]!r}"


@pytest.mark.parametrize("notebook", BOTH, ids=name)
def test_every_figure_is_embedded_and_no_solution_is(pages, notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    figures = sum("image/png" in o.get("data", {}) for c in cells if c["cell_type"] == "code"
                  for o in c.get("outputs", []))
    assert pages[name(notebook)].count('src="data:image/png;base64,') >= figures
    # the code a reader sees in the page's input areas (outputs may print course_lib's own code: that is lesson)
    inputs = " ".join(text(cell.split("jp-OutputArea")[0], glue="") for cell in pages[name(notebook)].split('<div class="jp-Cell '))
    solutions = ["".join(c["source"]) for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert inputs.count("raise NotImplementedError()") >= len(solutions), f"{notebook.stem}: an exercise is not blank"
    for source in solutions:
        inside = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S)
        for line in (" ".join(ln.split()) for block in inside for ln in block.splitlines()):
            assert len(line) < 20 or line not in inputs, f"{notebook.stem}: an exercise solution is in the page: {line!r}"
