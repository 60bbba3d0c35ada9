"""The Chinese edition's chapters, generated from the English ones: notebooks/zh/<chapter>.ipynb.

    python tools/zh_notebooks.py            # write notebooks/zh/ (stops if a translation is stale or missing)
    python tools/zh_notebooks.py --check    # list what is stale or missing; exit 1 if anything is

A Chinese chapter is its English chapter with every markdown cell replaced by its translation in
translations/zh/notebooks/<chapter>.yaml, and one line added to the first code cell, which switches course_lib
to Chinese (``LANGUAGE_LINE``); every code cell is otherwise the English one, character for character, and
keeps its outputs until ``make figures`` executes the Chinese chapter. Each translation records ``en_sha``, the
hash of the English it translates, so a changed English cell shows up here as a stale translation until its
Chinese is updated in the same commit. tests/test_chinese.py runs ``problems`` and compares the code cells.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

from course_lib.i18n import en_sha

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = ROOT / "translations" / "zh" / "notebooks"
LANGUAGE_LINE = 'course_lib.use_language("zh")  # 中文版：自测题、练习反馈和进度表都用中文显示\n\n'


def chapters() -> list[Path]:
    return sorted(ENGLISH.glob("[0-9][0-9]_*.ipynb"))


def translations(chapter: Path) -> dict[str, dict]:
    path = TRANSLATIONS / f"{chapter.stem}.yaml"
    if not path.exists():
        return {}
    return {str(k): v for k, v in yaml.safe_load(path.read_text(encoding="utf-8"))["cells"].items()}


def problems(chapter: Path) -> list[str]:
    """What keeps ``chapter`` from having a complete, current Chinese edition."""
    notebook = nbformat.read(chapter, as_version=4)
    zh = translations(chapter)
    markdown = {c.id: c.source for c in notebook.cells if c.cell_type == "markdown"}
    found = [f"{chapter.name}: cell {cid} has no translation" for cid in markdown if cid not in zh]
    found += [f"{chapter.name}: cell {cid} changed in English since it was translated (en_sha "
              f"{zh[cid]['en_sha']}, now {en_sha(src)})" for cid, src in markdown.items()
              if cid in zh and zh[cid]["en_sha"] != en_sha(src)]
    found += [f"{chapter.name}: translation of cell {cid}, which is not a markdown cell of the chapter"
              for cid in zh if cid not in markdown]
    return found


def first_code(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in notebook.cells if c.cell_type == "code")


def chinese(chapter: Path) -> nbformat.NotebookNode:
    """The Chinese chapter: the English notebook with its markdown translated and the language set to zh. Code
    cells keep the outputs of the Chinese chapter already on disk, if it has the same code (else none)."""
    notebook = nbformat.read(chapter, as_version=4)
    zh = translations(chapter)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = zh[cell.id]["zh"].rstrip("\n")
        else:
            cell.outputs, cell.execution_count = [], None
    guard, _, rest = first_code(notebook).source.partition("\n\n")  # after the try/except that imports course_lib
    first_code(notebook).source = f"{guard}\n\n{LANGUAGE_LINE}{rest}"
    old = CHINESE / chapter.name
    if old.exists():
        executed = {c.id: c for c in nbformat.read(old, as_version=4).cells if c.cell_type == "code"}
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell.id in executed and executed[cell.id].source == cell.source:
                cell.outputs, cell.execution_count = executed[cell.id].outputs, executed[cell.id].execution_count
    notebook.metadata["course_language"] = "zh"
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list stale or missing translations")
    args = parser.parse_args(argv)
    found = [p for chapter in chapters() for p in problems(chapter)]
    for line in found:
        print(line)
    if found or args.check:
        return 1 if found else 0
    CHINESE.mkdir(exist_ok=True)
    for chapter in chapters():
        nbformat.write(chinese(chapter), CHINESE / chapter.name)
        print(CHINESE / chapter.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
