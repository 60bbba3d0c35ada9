"""Write course_lib/quiz/sections.json: where each question is taught, read from the chapter notebooks.

    python tools/section_index.py            # after changing a notebook's headings or ask(...) calls
    python tools/section_index.py --check    # exit 1 if the shipped index is out of date (tests/test_review.py)

A chapter notebook asks a question in a code cell calling ``ask("din.no_softmax")``; the section teaching it is
the nearest level-2 Markdown heading (``## 3. No softmax: ...``) above that cell. Only the first ask of a
question in its own chapter's notebook counts (a recap in another chapter, or the review drill, does not).
The index holds both editions: "en" read from notebooks/, "zh" from the Chinese chapters in notebooks/zh/.
The index ships inside course_lib, so the installed package never reads the repository's notebooks.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from course_lib import chapters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EDITIONS = {"en": NOTEBOOKS, "zh": NOTEBOOKS / "zh"}  # language -> its chapters
INDEX = ROOT / "course_lib" / "quiz" / "sections.json"
ASK = re.compile(r"""\bask\(\s*["']([\w.\-]+)["']\s*\)""")
SECTION = re.compile(r"^##\s+(.+?)\s*#*\s*$")  # level 2 only: "### Exercise 1" stays inside its section
FENCE = re.compile(r"^\s*(```|~~~)")


def cells(notebook: Path) -> list[dict]:
    """The cells of a notebook file; ValueError naming the file if it is not a notebook."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{notebook} is not a readable Jupyter notebook ({err!r}); restore it with "
                         f"`git checkout -- {Path(notebook).name}`") from err


def plain(heading: str) -> str:
    """The heading as JupyterLab renders its text: no backticks or bold markers."""
    return heading.replace("`", "").replace("**", "").strip()


def asks(notebook: Path) -> list[tuple[str, str]]:
    """``(question id, section heading)`` for every literal ``ask("...")`` call, in notebook order.

    The heading is "" for a call above the first level-2 heading."""
    found, heading = [], ""
    for cell in cells(notebook):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            in_code = False
            for line in source.splitlines():
                if FENCE.match(line):
                    in_code = not in_code
                elif not in_code and (m := SECTION.match(line)):
                    heading = plain(m.group(1))
        elif cell["cell_type"] == "code":
            found += [(qid, heading) for qid in ASK.findall(source)]
    return found


def build(folder: Path = NOTEBOOKS) -> dict[str, dict[str, str]]:
    """Question id -> {notebook, heading}: the first ask of it in the notebook of its own chapter."""
    index: dict[str, dict[str, str]] = {}
    for chapter in chapters.CHAPTERS:
        notebook = Path(folder) / f"{chapter.notebook}.ipynb"
        for qid, heading in asks(notebook) if notebook.exists() else ():
            if qid.partition(".")[0] == chapter.key:
                index.setdefault(qid, {"notebook": notebook.name, "heading": heading})
    return dict(sorted(index.items()))


def text(index: dict) -> str:
    return json.dumps(index, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped index is up to date")
    args = parser.parse_args(argv)
    fresh = text({language: build(folder) for language, folder in EDITIONS.items()})
    if args.check:
        if INDEX.read_text(encoding="utf-8") != fresh:
            print(f"{INDEX.relative_to(ROOT)} is out of date: run python tools/section_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(fresh, encoding="utf-8")
    print(f"wrote {INDEX.relative_to(ROOT)} ({fresh.count('notebook')} questions in {len(EDITIONS)} languages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
