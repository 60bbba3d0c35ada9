"""The Chinese edition's chapters, generated from the English ones: notebooks/zh/<chapter>.ipynb.

    python tools/zh_notebooks.py            # write notebooks/zh/ (stops if a translation is stale or missing)
    python tools/zh_notebooks.py --check    # list what is stale or missing; exit 1 if anything is

A Chinese chapter is its English chapter with every markdown cell replaced by its translation in
translations/zh/notebooks/<chapter>.yaml; code cells are the English ones, character for character. Each
translation records ``en_sha``, the hash of the English text it translates, so a change to an English cell
shows up here as a stale translation until its Chinese is updated in the same commit.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = ROOT / "translations" / "zh" / "notebooks"


def en_sha(text: str) -> str:
    """The hash a translation records of the English text it translates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


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


def chinese(chapter: Path) -> nbformat.NotebookNode:
    """The Chinese chapter: the English notebook with its markdown cells translated."""
    notebook = nbformat.read(chapter, as_version=4)
    zh = translations(chapter)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = zh[cell.id]["zh"].rstrip("\n")
    notebook.metadata["language_course"] = "zh"
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
