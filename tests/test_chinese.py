"""The Chinese edition stays in step with the English one.

The chapters: every markdown cell has a current translation (tools/zh_notebooks.py --check), the committed
Chinese chapters are what the generator makes from the English ones (same code cells, one added line that
switches to Chinese), and they were executed. The banks: every question's Chinese translates its current
English. course_lib's messages: every one has its Chinese, with the same placeholders. The glossary: the
Chinese chapters use its Chinese terms and never a rendering it rejects. And the Chinese a learner sees: the
widgets, the exercise checks, the progress table and the terminal drill.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

import course_lib
from course_lib import chapters, i18n
from course_lib.glossary import entries as glossary_entries
from course_lib.glossary import glossary
from course_lib.exercises import din as din_exercises
from course_lib.quiz import QuizWidget, bank, progress
from course_lib.quiz.interview import OpenWidget
from course_lib.quiz.render import md

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import learner_copies  # noqa: E402  (tools/ is a folder of scripts)
import zh_notebooks  # noqa: E402

CHAPTERS = zh_notebooks.chapters()
CHEAT_SHEETS = sorted((ROOT / "docs" / "cheatsheets").glob("*.md"))
CHINESE_FILES = [*zh_notebooks.CHINESE.glob("*.ipynb"), *(ROOT / "docs" / "cheatsheets" / "zh").glob("*.md"),
                 ROOT / "README.zh-CN.md"]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation


@pytest.fixture
def chinese(monkeypatch):
    """The course in Chinese, as a Chinese chapter's first cell sets it."""
    monkeypatch.setenv("COURSE_LIB_LANG", "en")  # restored after the test, whatever use_language does
    course_lib.use_language("zh")


# ---------------------------------------------------------------- the chapters


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_markdown_cell_has_a_current_translation(chapter):
    assert zh_notebooks.problems(chapter) == [], (
        "translate the changed English cells in translations/zh/notebooks/ (set en_sha to the hash shown), then "
        "run `python tools/zh_notebooks.py`")


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path, monkeypatch):
    chapter = CHAPTERS[0]
    notebook = nbformat.read(chapter, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "markdown")
    cell.source += "\nOne more sentence."
    nbformat.write(notebook, tmp_path / chapter.name)  # the translations are found by the chapter's name
    assert zh_notebooks.problems(tmp_path / chapter.name) == [
        f"{chapter.name}: cell {cell.id} changed in English since it was translated (en_sha "
        f"{zh_notebooks.translations(chapter)[cell.id]['en_sha']}, now {i18n.en_sha(cell.source)})"]
    monkeypatch.setattr(zh_notebooks, "TRANSLATIONS", tmp_path)  # no translation file at all
    assert all("has no translation" in p for p in zh_notebooks.problems(tmp_path / chapter.name))


def test_every_hash_is_quoted_text():
    """A hash of digits only (042745212660) is read by YAML as a number, an octal one if it can: quote it."""
    files = [*zh_notebooks.TRANSLATIONS.glob("*.yaml"), *bank.BANKS.glob("*.yaml"), *bank.BANKS.glob("open/*.yaml")]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if (m := re.match(r"\s*en_sha: (\S+)$", line)) and m.group(1).isdigit():
                pytest.fail(f"{path.name}: {line.strip()}: write en_sha: \"{m.group(1)}\"")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_chinese_chapter_is_generated_from_the_english_one(chapter):
    english = nbformat.read(chapter, as_version=4)
    committed = nbformat.read(zh_notebooks.CHINESE / chapter.name, as_version=4)
    fresh = zh_notebooks.chinese(chapter)
    assert [(c.cell_type, c.id, c.source) for c in committed.cells] == \
           [(c.cell_type, c.id, c.source) for c in fresh.cells], \
        f"notebooks/zh/{chapter.name} is out of date: run `python tools/zh_notebooks.py`, then `make figures`"
    assert committed.metadata["course_language"] == "zh"
    code = [(c.source, c.metadata.get("tags", [])) for c in english.cells if c.cell_type == "code"]
    code_zh = [(c.source, c.metadata.get("tags", [])) for c in committed.cells if c.cell_type == "code"]
    first, first_zh = code[0][0], code_zh[0][0]
    assert first_zh.replace(zh_notebooks.LANGUAGE_LINE, "", 1) == first and first_zh.count("use_language") == 1
    assert code_zh[1:] == code[1:], "a Chinese chapter's code is its English chapter's, character for character"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_chinese_chapter_was_executed_and_shows_chinese(chapter):
    committed = nbformat.read(zh_notebooks.CHINESE / chapter.name, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"run `make figures`: notebooks/zh/{chapter.name} has unrun cells"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    texts = ["".join(o.get("text", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
             for c in code for o in c.outputs]
    assert any(CJK.search(t) for t in texts), "no Chinese in the outputs: the chapter ran in English"


# ---------------------------------------------------------------- the banks


def _english(entry: dict) -> str:
    return json.dumps({k: v for k, v in entry.items() if k != "zh"}, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("path", [*sorted(bank.BANKS.glob("*.yaml")), *sorted(bank.BANKS.glob("open/*.yaml"))],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_question_translates_its_current_english(path):
    stale = [f"{q['id']}: en_sha {q['zh']['en_sha']}, the English now hashes to {i18n.en_sha(_english(q))}"
             for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
             if str(q["zh"]["en_sha"]) != i18n.en_sha(_english(q))]
    assert not stale, f"{path.name}: translate the changed questions again:\n" + "\n".join(stale)


def test_both_languages_have_every_question_with_the_same_answer_key():
    for load in (bank.load_banks, bank.load_open):
        en, zh = load("en"), load("zh")
        assert en.keys() == zh.keys()
        for qid, q in en.items():
            assert CJK.search(zh[qid].question), qid
            if isinstance(q, bank.Question):
                assert [o.correct for o in zh[qid].options] == [o.correct for o in q.options]
                assert all(CJK.search(o.feedback) for o in zh[qid].options), f"{qid}: every feedback in Chinese"


def test_review_sections_name_chapters_in_chinese():
    for q in bank.load_open("zh").values():
        if chapters.BY_NUMBER[q.chapter].key == "review":
            assert re.fullmatch(r"第 [\d、\-–]+ 章", q.section), q.section


# ---------------------------------------------------------------- course_lib's messages


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node, clean=False)}


def messages() -> dict[str, str]:
    """Every English message course_lib shows, with where it is written: the ``tr("...")`` and ``N_("...")``
    texts, every text of an exercise module (mistakes, hints, titles, test inputs), which ``Exercise``
    translates where it prints them, and the chapter titles."""
    found = {}
    for path in sorted((ROOT / "course_lib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exercise_module = path.parent.name == "exercises" and path.stem not in ("core", "__init__")
        docstrings, where = _docstrings(tree), path.relative_to(ROOT)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.setdefault(node.args[0].value, f"{where}:{node.lineno}")
            elif (exercise_module and isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and " " in node.value and id(node) not in docstrings):
                found.setdefault(node.value, f"{where}:{node.lineno}")
    for c in chapters.CHAPTERS:  # chapter titles, translated where a table or a label shows them
        found.setdefault(c.title, "course_lib/chapters.py")
    return found


def test_every_message_has_its_chinese_and_every_chinese_its_message():
    shown, translated = messages(), i18n.catalogue()
    missing = [f"{where}: {text!r}" for text, where in shown.items() if text not in translated]
    assert not missing, "add these to course_lib/messages_zh.yaml:\n" + "\n".join(missing)
    unused = [text for text in translated if text not in shown]
    assert not unused, "course_lib no longer shows these; remove them from course_lib/messages_zh.yaml:\n" + \
        "\n".join(map(repr, unused))


def test_a_translation_keeps_the_placeholders():
    placeholder = re.compile(r"\{[^{}]*\}")
    for en, zh in i18n.catalogue().items():
        assert sorted(placeholder.findall(en)) == sorted(placeholder.findall(zh)), (en, zh)
        assert CJK.search(zh) or zh == en, (en, zh)


def test_messages_are_found_in_code_and_exercise_modules():
    found = messages()
    assert "Correct!" in found and "Show answer" in found and "Embedding & MLP" in found
    assert din_exercises.unit_input.hint_text in found
    assert all(m.message in found for m in din_exercises.unit_input.mistakes)
    assert all(case.note in found for case in din_exercises.unit_input.cases())


def test_the_language_setting(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_LANG", raising=False)
    assert i18n.tr("Check") == "Check"
    monkeypatch.setenv("COURSE_LIB_LANG", "zh")
    assert i18n.tr("Check") == i18n.catalogue()["Check"] and CJK.search(i18n.tr("Check"))
    assert i18n.tr("attempt {n}", n=3) == i18n.catalogue()["attempt {n}"].format(n=3)
    monkeypatch.setenv("COURSE_LIB_LANG", "fr")
    with pytest.raises(course_lib.errors.InputError, match="COURSE_LIB_LANG='fr'.*en and zh"):
        i18n.tr("Check")
    with pytest.raises(course_lib.errors.InputError, match="use_language"):
        course_lib.use_language("Chinese")


# ---------------------------------------------------------------- the glossary's terms


@pytest.fixture(scope="module")
def chinese_chapters() -> dict[str, str]:
    """Each Chinese chapter's markdown, and each bank's Chinese, by notebook name."""
    text = {}
    for path in sorted(zh_notebooks.CHINESE.glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        text[path.stem] = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for q in [*bank.load_banks("zh").values(), *bank.load_open("zh").values()]:
        text[chapters.BY_NUMBER[q.chapter].notebook] += "\n" + json.dumps(q.__dict__, default=str, ensure_ascii=False)
    return text


def test_each_chinese_chapter_uses_the_glossarys_chinese_for_its_terms(chinese_chapters):
    """Every chapter that uses a term says it with the glossary's Chinese, or by an English name the Chinese
    edition keeps (AUC, MLP, embedding: acronyms and words practitioners leave in English); a Chinese alias
    does not count (one term, one translation) and a rejected rendering fails the next test."""
    def said(name: str, text: str) -> bool:
        return name.casefold().replace(" ", "") in text
    missing = []
    for e in glossary_entries():
        english = [n for n in (e.term, *e.aka) if not CJK.search(n)]
        for nb in e.notebooks:
            text = chinese_chapters[nb].casefold().replace(" ", "")
            if not said(e.zh, text) and not any(said(n, text) for n in english):
                missing.append(f"{nb}: {e.term} -> {e.zh}")
    assert not missing, "the glossary's Chinese term does not appear in these Chinese chapters:\n" + "\n".join(missing)


def test_no_rejected_rendering_appears_anywhere_in_chinese(chinese_chapters):
    rejected = {a: e.term for e in glossary_entries() for a in e.avoid}
    assert rejected, "the glossary names the renderings the course rejects"
    texts = {**chinese_chapters, **{p.name: p.read_text(encoding="utf-8") for p in CHINESE_FILES},
             "course_lib/messages_zh.yaml": "\n".join(i18n.catalogue().values())}
    found = [f"{where}: {a} (for {term}: write {glossary(term).zh})"
             for where, text in texts.items() for a, term in rejected.items() if a in text]
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- cheat sheets and README


@pytest.mark.parametrize("english", [*CHEAT_SHEETS, ROOT / "README.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_cheat_sheets_and_readme_have_a_current_chinese_edition(english):
    chinese = ROOT / "README.zh-CN.md" if english == ROOT / "README.md" else english.parent / "zh" / english.name
    assert chinese.is_file(), f"{chinese.relative_to(ROOT)} is missing"
    text = chinese.read_text(encoding="utf-8")
    marker = re.search(r"<!-- translates \S+ at en_sha (\w+) -->", text)
    assert marker, f"{chinese.relative_to(ROOT)}: its first lines must say <!-- translates {english.name} at en_sha ... -->"
    assert marker.group(1) == i18n.en_sha(english.read_text(encoding="utf-8")), (
        f"{english.relative_to(ROOT)} changed since {chinese.relative_to(ROOT)} was translated: update the "
        f"Chinese and its en_sha ({i18n.en_sha(english.read_text(encoding='utf-8'))})")


def test_the_readmes_link_to_each_other():
    def top(name: str) -> str:
        return "\n".join((ROOT / name).read_text(encoding="utf-8").splitlines()[:3])
    assert "[简体中文](README.zh-CN.md)" in top("README.md") and "[English](README.md)" in top("README.zh-CN.md")


# ---------------------------------------------------------------- what a Chinese-reading learner sees


def test_a_self_check_in_chinese(chinese, exercise_progress):
    q = bank.get("din.no_softmax")
    quiz = QuizWidget(q)
    shown = "".join(child.value for child in quiz.children if hasattr(child, "value") and isinstance(child.value, str))
    assert q.question in shown and CJK.search(q.question)
    assert quiz.check_button.description == i18n.catalogue()["Check"]
    assert all(CJK.search(label) for label in quiz.selector.options)
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    quiz.choose({wrong})
    assert not quiz.check()
    assert i18n.catalogue()["Not quite."] in quiz.feedback.value and q.options[wrong].feedback[:20] in quiz.feedback.value


def test_an_open_question_in_chinese(chinese, exercise_progress):
    q = bank.get("din.vs_transformer")
    widget = OpenWidget(q)
    widget.reveal()
    assert md(q.answer[0])[:20] in widget.model.value and i18n.catalogue()["Grade yourself:"] in widget.model.value


def test_an_exercise_names_the_mistake_in_chinese(chinese, exercise_progress, capsys):
    mistake = din_exercises.unit_input.mistakes[1]
    assert not din_exercises.unit_input.check(mistake.wrong)
    out = capsys.readouterr().out
    assert i18n.catalogue()[mistake.message] in out and mistake.message not in out


def test_the_progress_table_in_chinese(chinese, exercise_progress):
    table = progress()._repr_markdown_()
    assert i18n.catalogue()["Your progress"] in table and i18n.catalogue()["DCN and DCN-V2"] in table


def test_the_terminal_drill_in_chinese(tmp_path):
    env = {"COURSE_LIB_DATA_DIR": str(tmp_path), "COURSE_LIB_OPTION_SEED": "0", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "course_lib.quiz", "din", "--n", "1", "--seed", "0", "--lang", "zh"],
                         input="?\nq\n", capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    q = next(q for q in bank.load_banks("zh").values() if f"[{q.id}," in run.stdout)
    assert q.question[:15] in run.stdout and q.hint[:15] in run.stdout.replace("\n", "")
    assert i18n.catalogue()["Stopped."] in run.stdout


def test_the_learners_chinese_copies_have_blank_exercises_in_chinese(tmp_path):
    made = learner_copies.main(["--out", str(tmp_path), "--lang", "zh"])
    assert made == 0
    copy = nbformat.read(tmp_path / "zh" / CHAPTERS[1].name, as_version=4)
    stubs = [c.source for c in copy.cells if c.cell_type == "code" and "raise NotImplementedError()" in c.source]
    comment = learner_copies.STUBS["zh"].splitlines()[0]
    assert stubs and all(comment in s and "BEGIN SOLUTION" not in s for s in stubs)
    assert copy.metadata["course_language"] == "zh"
