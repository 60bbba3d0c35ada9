"""The glossary: docs/glossary.md generated from the data, lookups in English and Chinese, clear errors."""
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import course_lib
from course_lib.glossary import Entry, GlossaryError, UnknownTerm, entries, glossary, markdown, notebook_chapters
from course_lib.glossary import _load
from course_lib.glossary.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def test_docs_glossary_is_generated_from_the_data():
    on_disk = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert on_disk == markdown(), ("docs/glossary.md is out of date: run "
                                   "`.venv/bin/python -m course_lib.glossary --markdown > docs/glossary.md`")


def test_every_entry_is_complete_and_every_chapter_has_terms():
    assert len(entries()) >= 40
    for e in entries():
        assert e.term and e.zh and e.definition and e.notebooks, e
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e.zh), f"{e.term}: zh {e.zh!r} has no Chinese character"
        assert 40 <= len(e.definition) <= 260, f"{e.term}: keep the definition to one or two short sentences"
    assert {e.notebooks[0] for e in entries()} == set(notebook_chapters())  # every chapter has a section


@pytest.fixture(scope="module")
def notebook_text():
    def text(stem):
        cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells).casefold()
    return {stem: text(stem) for stem in notebook_chapters()}


def test_each_term_appears_in_the_notebooks_it_names(notebook_text):
    for e in entries():
        english = [n for n in (e.term, *e.aka) if n.isascii()]
        for stem in e.notebooks:
            assert any(n.casefold() in notebook_text[stem] for n in english), \
                f"{e.term!r} (or one of {english}) does not occur in notebooks/{stem}.ipynb"


@pytest.mark.parametrize("query, term", [("AUGRU", "AUGRU"), ("augru", "AUGRU"), ("辅助损失", "Auxiliary loss"),
                                         ("负迁移", "Negative transfer"), ("点击率预估", "CTR prediction"),
                                         ("MBA", "Mini-batch aware regularization"), ("shared bottom", "Shared-Bottom"),
                                         ("  multi task learning ", "Multi-task learning"), ("门控", "Gate")])
def test_lookup_in_english_or_chinese(query, term):
    entry = glossary(query)
    assert entry.term == term
    assert course_lib.glossary(query) is entry  # the package-level function is the same lookup


def test_entry_shows_both_languages_and_its_chapter():
    entry = course_lib.glossary("AUGRU")
    assert isinstance(entry, Entry)
    assert str(entry).startswith("AUGRU · 带注意力更新门的GRU") and "Ch. 3 DIEN" in str(entry)
    assert repr(entry) == str(entry)
    assert "**AUGRU** · 带注意力更新门的GRU" in entry._repr_markdown_()
    assert str(glossary("Cross layer")).endswith("where: Ch. 4 DCN and DCN-V2")  # the title of the chapter's bank


@pytest.mark.parametrize("query, suggestion", [("AUGUR", "AUGRU (带注意力更新门的GRU)"),
                                               ("兴趣演变", "Interest evolution (兴趣演化)"),
                                               ("auxilary loss", "Auxiliary loss (辅助损失)")])
def test_unknown_term_lists_close_matches(query, suggestion):
    with pytest.raises(UnknownTerm, match="did you mean") as err:
        glossary(query)
    assert repr(query) in str(err.value) and suggestion in str(err.value)


def test_unknown_term_without_close_match_points_to_the_list():
    with pytest.raises(UnknownTerm, match="nothing close.*docs/glossary.md"):
        glossary("xyzzy")


def test_command_line(capsys):
    assert main(["辅助损失"]) == 0
    assert capsys.readouterr().out.startswith("Auxiliary loss · 辅助损失")
    assert main(["AUGUR"]) == 1
    assert "did you mean AUGRU" in capsys.readouterr().err
    assert main(["--markdown"]) == 0
    assert capsys.readouterr().out == markdown()
    assert main([]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(entries())


def test_import_course_lib_stays_light():
    code = "import sys, course_lib; assert course_lib.glossary('DIN').zh; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("text, message", [
    ("- term: X\n  zh: 中\n  aka: []\n  definition: d\n", r"entry 1 \('X'\): needs exactly the keys"),
    ("- term: X\n  zh: 中\n  aka: []\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [07_review]\n", "unknown: \\['07_review'\\]"),
    ("- term: X\n  zh: 中\n  aka: []\n  definition: d\n  zh_definition: 释义\n  avoid: 乙\n  notebooks: [02_din]\n", "avoid must be a list"),
    ("- term: X\n  zh: 中\n  aka: []\n  definition: d\n  zh_definition: ''\n  avoid: []\n  notebooks: [02_din]\n",
     "zh_definition must be a non-empty text"),
    ("- term: X\n  zh: 中\n  aka: Y\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [02_din]\n", "aka must be a list"),
    ("- term: X\n  zh: ''\n  aka: []\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [02_din]\n", "zh must be a non-empty text"),
    ("- term: X\n  zh: 中\n  aka: [Y]\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [02_din]\n"
     "- term: Z\n  zh: 文\n  aka: [y]\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [02_din]\n", "'y' of 'Z' is also a name of 'X'"),
    ("- term: X-1\n  zh: 中\n  aka: [x 1]\n  definition: d\n  zh_definition: 释义\n  avoid: []\n  notebooks: [02_din]\n", "lists a name twice"),
    ("- term: [unclosed\n", "(?s)not valid YAML.*line 1"),
])
def test_a_broken_data_file_is_named_with_what_to_fix(text, message, tmp_path, monkeypatch):
    path = tmp_path / "terms.yaml"
    path.write_text(text, encoding="utf-8")
    # the module itself: the attribute course_lib.glossary is the lookup function
    monkeypatch.setattr(importlib.import_module("course_lib.glossary"), "TERMS", path)
    _load.cache_clear()
    try:
        with pytest.raises(GlossaryError, match=message):
            entries()
    finally:
        _load.cache_clear()


def test_cheat_sheets_link_to_what_exists_and_notebooks_link_to_them(notebook_text):
    """Every relative link and image in docs/ resolves, every test a cheat sheet names exists, and each chapter's
    interview summary links its sheet and the glossary."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    sheets = sorted((ROOT / "docs" / "cheatsheets").glob("*.md"))
    for md in [*sheets, ROOT / "docs" / "glossary.md"]:
        text = md.read_text(encoding="utf-8")
        for target in re.findall(r'\]\(([^)#\s]+)\)|src="([^"]+)"', text):
            target = target[0] or target[1]
            assert (md.parent / target).exists(), f"{md.relative_to(ROOT)} links to missing {target}"
        for name in re.findall(r"`(test_\w+)`", text):
            assert f"def {name}(" in tests, f"{md.relative_to(ROOT)} names a test that does not exist: {name}"
    for stem in notebook_chapters():
        sheet = stem[3:]  # 02_din -> din.md
        assert (ROOT / "docs" / "cheatsheets" / f"{sheet}.md") in sheets
        assert f"../docs/cheatsheets/{sheet}.md" in notebook_text[stem] and "../docs/glossary.md" in notebook_text[stem]
