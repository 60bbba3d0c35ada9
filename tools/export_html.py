"""Static HTML pages of the chapters, to read offline or share: ``make html`` writes build/html/.

    python tools/export_html.py                 # every chapter -> build/html/<chapter>.html and index.html,
                                                #   the Chinese chapters -> build/html/zh/
    python tools/export_html.py --out DIR 02    # one chapter (in both languages)
    python tools/export_html.py --lang zh       # the Chinese chapters only

Each page is made from the learner's copy (tools/learner_copies.py: exercise solutions blank, no saved widget
state) with the outputs of the committed run, so every figure is there. A self-check is a live widget only in
a running kernel; a page has none, so it shows the self-check's static form instead: the question and its
options, in the order of the committed run (`make figures` draws them with COURSE_LIB_OPTION_SEED=0), with no
answer, hint or feedback. Formulas are typeset by MathJax when the page can load it from its CDN; offline
they show as their TeX source.
"""
from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from nbconvert import HTMLExporter

from learner_copies import SOURCES, chapters, learner_version  # tools/ is a folder of scripts

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "html"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def page(source: Path) -> str:
    """One chapter as a standalone HTML page, every widget replaced by its static form."""
    notebook = learner_version(source)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)  # else nbconvert draws an empty widget box
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook, resources={"metadata": {
        "name": source.stem}})
    return body


# language -> (its chapters, its pages' folder inside --out, the index's title, a link to the other language)
EDITIONS = {
    "en": (SOURCES, ".", "CTR ranking course: the chapters", '<p><a href="zh/index.html">中文版</a></p>'),
    "zh": (SOURCES / "zh", "zh", "CTR 排序课程：各章", '<p><a href="../index.html">English</a></p>'),
}


def index(names: list[str], language: str = "en") -> str:
    _, _, title, other = EDITIONS[language]
    items = "".join(f'<li><a href="{html.escape(n)}.html">{html.escape(n)}</a></li>' for n in names)
    return (f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><ol>{items}</ol>{other}</body></html>")


def export(out: Path = OUT, only: tuple[str, ...] = (), languages: tuple[str, ...] = tuple(EDITIONS)) -> list[Path]:
    written = []
    for language in languages:
        sources, folder, _, _ = EDITIONS[language]
        chosen = [p for p in chapters(sources) if not only or any(p.stem.startswith(o) for o in only)]
        if not chosen:
            raise SystemExit(f"no chapter matches {list(only)}; the chapters are {[p.stem for p in chapters(sources)]}")
        (out / folder).mkdir(parents=True, exist_ok=True)
        for source in chosen:
            target = out / folder / f"{source.stem}.html"
            target.write_text(page(source), encoding="utf-8")
            written.append(target)
        (out / folder / "index.html").write_text(index([p.stem for p in chapters(sources)], language),
                                                 encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter prefixes such as 02 (default: every chapter)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder of the pages (default: {OUT})")
    parser.add_argument("--lang", choices=tuple(EDITIONS), help="one language only (default: both)")
    args = parser.parse_args(argv)
    for path in export(args.out, tuple(args.chapters), (args.lang,) if args.lang else tuple(EDITIONS)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
