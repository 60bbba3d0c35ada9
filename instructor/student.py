"""Student versions of the notebooks with nbgrader, and autograding (``make student`` runs ``build``).

    python instructor/student.py build [NOTEBOOK ...] [--course build/nbgrader] [--out build/student]
    python instructor/student.py autograde ASSIGNMENT [--course build/nbgrader]

``build`` makes an nbgrader course folder (``source/<name>/<name>.ipynb`` for every notebook with solution
cells, one assignment per chapter, plus ``nbgrader_config.py``), runs ``nbgrader generate_assignment`` on
them (grade ids written with ``-`` for ``.``, as nbgrader requires), and copies the released notebooks to ``<out>/notebooks/`` beside an empty ``<out>/figures/`` (the
notebooks save figures to ``../figures``). Solution regions become ``# YOUR CODE HERE`` /
``raise NotImplementedError()``, outputs are cleared, check cells are locked. Offline; the gradebook is a
local sqlite file in the course folder.

``autograde`` grades the submissions in ``<course>/submitted/<student>/<name>/<name>.ipynb`` and prints
each student's score (one point per passed ``ex.<name>.check(fn)`` cell).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def has_solutions(notebook: Path) -> bool:
    """Whether a notebook has a cell marked as an nbgrader solution cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(c.get("metadata", {}).get("nbgrader", {}).get("solution") for c in cells)


def nbgrader_id(item_id: str) -> str:
    """nbgrader allows only letters, digits, ``_`` and ``-`` in a grade_id: ``din.attention`` -> ``din-attention``."""
    return item_id.replace(".", "-")


def prepare(notebook: Path, target: Path) -> None:
    """Copy a notebook into the course's source folder, writing its grade ids in nbgrader's alphabet."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and "grade_id" in meta:
            meta["grade_id"] = nbgrader_id(meta["grade_id"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run nbgrader in the course folder with this Python's bin folder first on PATH: nbgrader creates its
    gradebook by calling the ``alembic`` executable, which fails outside an activated environment."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n{run.stdout}\n{run.stderr}")
    return run


def build(notebooks: list[Path], course: Path, out: Path) -> list[Path]:
    """Student versions of ``notebooks`` in ``out/notebooks``; returns their paths.

    ``course/source`` is rebuilt from the notebooks each time; the gradebook and submissions are kept."""
    shutil.rmtree(course / "source", ignore_errors=True)
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    for notebook in notebooks:
        prepare(notebook, course / "source" / notebook.stem / notebook.name)
    if notebooks:
        nbgrader(course, "generate_assignment", "*", "--force")  # every assignment of source/ in one run
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    released = []
    for notebook in notebooks:
        released.append(out / "notebooks" / notebook.name)
        shutil.copy(course / "release" / notebook.stem / notebook.name, released[-1])
    return released


def scores(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """(score, max score) per student of an autograded assignment, read from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: (s.score, s.max_score) for s in gb.find_assignment(assignment).submissions}


def autograde(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    nbgrader(course, "autograde", assignment, "--force")
    return scores(course, assignment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student versions of the notebooks with solution cells")
    b.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb with solution cells")
    b.add_argument("--course", type=Path, default=ROOT / "build" / "nbgrader")
    b.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    a = sub.add_parser("autograde", help="grade <course>/submitted/*/ASSIGNMENT and print the scores")
    a.add_argument("assignment")
    a.add_argument("--course", type=Path, default=ROOT / "build" / "nbgrader")
    args = parser.parse_args(argv)

    if args.command == "build":
        notebooks = args.notebooks or [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if has_solutions(p)]
        for path in build(notebooks, args.course.resolve(), args.out.resolve()):
            print(f"wrote {path}")
        if not notebooks:
            print("no notebook has solution cells yet")
    else:
        for student, (score, top) in sorted(autograde(args.course.resolve(), args.assignment).items()):
            print(f"{student}: {score:g} / {top:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
