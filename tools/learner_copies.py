"""The learner's own copy of the chapters: exercises blank, no answer in any output, never overwritten.

    python tools/learner_copies.py                       # make missing copies in my-notebooks/ (`make lab` runs this)
    python tools/learner_copies.py --refresh 02          # take the course's new version of chapter 02
                                                         #   (your copy is first moved to my-notebooks/backups/)
    python tools/learner_copies.py --lang zh             # the Chinese chapters, in my-notebooks/zh/ (`make lab-zh`)

A copy is built from the committed notebook by the instructor build's machinery: nbgrader's ClearSolutions
blanks every solution region (``### BEGIN SOLUTION`` ... ``### END SOLUTION``) to a stub, and the outputs
that would give an exercise away are cleared (the solution cell's and its check's "✅ Correct"). Every other
output stays, so a chapter still reads well before it is run; self-checks show their question and options
only (their answers live in course_lib's banks). The saved widget state is dropped: widgets are drawn afresh,
with the learner's own option order, when their cell runs.

A copy that exists is never touched. ``my-notebooks/.course-copies.json`` records which version of each
chapter a copy was made from; when the course's chapter has changed since, this script says so and how to
refresh it. The folder is ignored by git, so ``git pull`` never touches it either.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import date
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks"
OUT = ROOT / "my-notebooks"
MANIFEST = ".course-copies.json"
STUBS = {  # what a blanked solution region says, in the chapter's language (tools/zh_notebooks.py marks zh ones)
    "en": "# YOUR CODE HERE: replace this line and the next with your solution\nraise NotImplementedError()",
    "zh": "# 在这里写你的代码：把这一行和下一行换成你的解答\nraise NotImplementedError()",
}


def version(notebook: nbformat.NotebookNode) -> str:
    """What a copy was made from: the cells' kinds and sources (re-executing the course changes no version)."""
    cells = [(c.cell_type, c.source) for c in notebook.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()[:16]


def is_exercise(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def learner_version(source: Path) -> nbformat.NotebookNode:
    """The learner's copy of ``source``: solutions blanked, exercise outputs cleared, no saved widget state."""
    notebook = nbformat.read(source, as_version=4)
    stub = STUBS[notebook.metadata.get("course_language", "en")]
    notebook, _ = ClearSolutions(code_stub={"python": stub}).preprocess(notebook, {})
    for cell in notebook.cells:
        if cell.cell_type == "code" and is_exercise(cell):
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop("widgets", None)
    return notebook


def chapters(sources: Path) -> list[Path]:
    return sorted(sources.glob("[0-9][0-9]_*.ipynb"))


def _read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:  # a damaged manifest costs only the "changed since" notices, never a copy
        return {}


def _write(notebook: nbformat.NotebookNode, target: Path) -> None:
    tmp = target.with_suffix(".ipynb.tmp")
    nbformat.write(notebook, tmp)
    tmp.replace(target)  # atomic: an interrupted run never leaves half a notebook


def sync(sources: Path = SOURCES, out: Path = OUT, refresh: tuple[str, ...] = ()) -> list[str]:
    """Make the missing copies (and the refreshed ones); returns what was done and what changed upstream."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    manifest, report = _read_manifest(out), []
    available = chapters(sources)
    wanted = {_match(name, available) for name in refresh}
    for source in available:
        target = out / source.name
        current = version(nbformat.read(source, as_version=4))
        if target.exists() and source in wanted:
            backup = _backup(target, out)
            report.append(f"kept your copy as {backup.relative_to(out.parent)}")
        elif target.exists():
            made_from = manifest.get(source.name, {}).get("version")
            if made_from is not None and made_from != current:
                report.append(f"{source.name} has changed in the course since your copy was made; your copy is "
                              f"kept as it is. To take the new version: make refresh CHAPTER={source.name[:2]} "
                              f"(your copy is first moved to {out.name}/backups/)")
            continue
        _write(learner_version(source), target)
        manifest[source.name] = {"version": current, "made": date.today().isoformat()}
        report.append(f"made {target.relative_to(out.parent)}")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return report


def _match(name: str, available: list[Path]) -> Path:
    """``02``, ``02_din`` or ``02_din.ipynb`` -> the chapter's source; a clear error otherwise."""
    key = Path(name).name.removesuffix(".ipynb")
    found = [p for p in available if p.stem == key or p.stem.split("_")[0] == key]
    if len(found) != 1:
        raise ValueError(f"no chapter {name!r}; choose one of: {', '.join(p.stem for p in available)}")
    return found[0]


def _backup(target: Path, out: Path) -> Path:
    """Move ``target`` to out/backups/<name>-<date>[-n].ipynb, never over an earlier backup."""
    folder = out / "backups"
    folder.mkdir(exist_ok=True)
    stem = f"{target.stem}-{date.today().isoformat()}"
    backup = folder / f"{stem}.ipynb"
    n = 1
    while backup.exists():
        n += 1
        backup = folder / f"{stem}-{n}.ipynb"
    shutil.move(target, backup)
    return backup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the learner's folder (default: my-notebooks/)")
    parser.add_argument("--sources", type=Path, default=SOURCES, help=argparse.SUPPRESS)
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="zh: the Chinese chapters (notebooks/zh/), copied to the folder's zh/")
    parser.add_argument("--refresh", nargs="*", default=(), metavar="CHAPTER",
                        help="replace these copies with the course's current version (yours go to backups/)")
    args = parser.parse_args(argv)
    try:
        chinese = args.lang == "zh"
        report = sync(args.sources / "zh" if chinese else args.sources, args.out / "zh" if chinese else args.out,
                      tuple(args.refresh))
    except ValueError as err:
        parser.error(str(err))
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
