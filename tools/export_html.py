"""Static HTML pages of the chapters, to read offline or share: ``make html`` writes build/html/.

    python tools/export_html.py                 # every chapter -> build/html/<chapter>.html and index.html
    python tools/export_html.py --out DIR 02    # one chapter

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


def index(names: list[str]) -> str:
    items = "".join(f'<li><a href="{html.escape(n)}.html">{html.escape(n)}</a></li>' for n in names)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>CTR ranking course</title></head>"
            f"<body><h1>CTR ranking course: the chapters</h1><ol>{items}</ol></body></html>")


def export(out: Path = OUT, only: tuple[str, ...] = ()) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in chapters(SOURCES) if not only or any(p.stem.startswith(o) for o in only)]
    if not chosen:
        raise SystemExit(f"no chapter matches {list(only)}; the chapters are {[p.stem for p in chapters(SOURCES)]}")
    written = []
    for source in chosen:
        target = out / f"{source.stem}.html"
        target.write_text(page(source), encoding="utf-8")
        written.append(target)
    (out / "index.html").write_text(index([p.stem for p in chapters(SOURCES)]), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter prefixes such as 02 (default: every chapter)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder of the pages (default: {OUT})")
    args = parser.parse_args(argv)
    for path in export(args.out, tuple(args.chapters)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
