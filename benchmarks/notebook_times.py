"""How long each chapter notebook takes to run top to bottom, against the course's speed budgets: each
notebook under 90 s and the whole course under 6 minutes on a 2-core CPU.

    python -m benchmarks.notebook_times              # every notebook; writes its table into docs/benchmarks.md
    python -m benchmarks.notebook_times --notebooks notebooks/02_din.ipynb --out /tmp/t.md

Each notebook runs in a fresh kernel and in memory (the committed file and its outputs are not touched),
as `make figures` runs them: COURSE_LIB_QUIET=1 and a throwaway COURSE_LIB_DATA_DIR, so no progress a
learner saved is read or written. The slowest cell of each notebook is named, since that is where a
speed-up would pay.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

from benchmarks.report import DOC, ROOT, publish

NOTEBOOK_BUDGET, COURSE_BUDGET = 90, 360  # seconds
BEGIN, END = "<!-- notebook times: written by benchmarks/notebook_times.py -->", "<!-- end of notebook times -->"


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    """Wall time of one executed code cell, from the timestamps the executor records in its metadata."""
    t = cell.metadata["execution"]
    start, end = (datetime.fromisoformat(t[key]) for key in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def run(path: Path) -> tuple[float, int, str, float]:
    """Execute ``path``; return its wall time, and the number, first line and seconds of its slowest code cell."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    ExecutePreprocessor(timeout=300, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(path.parent)}})
    total = time.perf_counter() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    seconds = [cell_seconds(c) for c in code]
    slowest = max(range(len(code)), key=seconds.__getitem__)
    return total, slowest + 1, code[slowest].source.strip().splitlines()[0], seconds[slowest]


def verdict(seconds: float, budget: int) -> str:
    return f"{budget} s: {'within' if seconds <= budget else 'OVER'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, nargs="+", default=sorted((ROOT / "notebooks").glob("0*.ipynb")))
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    os.environ["COURSE_LIB_QUIET"] = "1"  # the kernels inherit this process's environment
    load = os.getloadavg()[0]
    rows, course = [], 0.0
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as figures:
        os.environ["COURSE_LIB_DATA_DIR"], os.environ["COURSE_LIB_FIGURES"] = data_dir, figures  # nothing tracked
        for path in args.notebooks:
            total, number, first_line, slowest = run(path.resolve())
            course += total
            print(f"{path.name}: {total:.1f} s (slowest: code cell {number}, {slowest:.1f} s)", flush=True)
            code = first_line[:60].replace("|", "\\|")  # a pipe would end the table cell
            rows.append(f"| {path.name} | {total:.1f} | {number}: `{code}` | {slowest:.1f} | "
                        f"{verdict(total, NOTEBOOK_BUDGET)} |")
    text = "\n".join([
        f"Run of {date.today()} on {os.cpu_count()} cores (load average {load:.1f} at the start); one fresh kernel "
        f"per notebook.", "",
        "| notebook | seconds | slowest code cell | its seconds | budget |", "|---|---|---|---|---|", *rows,
        f"| all {len(rows)} | {course:.1f} | | | {verdict(course, COURSE_BUDGET)} |"])
    publish(args.out, text, BEGIN, END)


if __name__ == "__main__":
    main()
