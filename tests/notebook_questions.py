"""Test helper: which questions a notebook shows, read from its source without running it
(tests/test_review.py, tests/test_browser.py)."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager  # magics (%...) become Python

from course_lib.quiz import review

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from section_index import ASK, cells  # noqa: E402  (tools/ is a folder of scripts)

REVIEW_CALL = re.compile(r"\breview\(")  # only such cells are parsed: others need not be valid Python


def review_calls(source: str, where: str) -> list[dict]:
    """The literal arguments of every ``review(...)`` call in a code cell, in source order."""
    calls = [node for node in ast.walk(ast.parse(TransformerManager().transform_cell(source)))
             if isinstance(node, ast.Call) and "review" in (getattr(node.func, "id", None),
                                                             getattr(node.func, "attr", None))]
    found = []
    for node in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            raise ValueError(f"{where}: review(...) must be called with literal arguments (numbers, strings, lists) "
                             "so that its questions are known without running the notebook") from None
        call = dict(zip(("n", "seed", "chapters", "tag", "kind"), args), **kwargs)
        if call.get("seed") is None:
            raise ValueError(f"{where}: review(...) in a notebook needs a fixed seed, e.g. review(n=20, seed=6)")
        found.append(call)
    return found


def asked_in(notebook: Path) -> list[str]:
    """Every question a notebook shows, in order: literal ``ask("...")`` calls and ``review(...)`` drills."""
    ids = []
    for index, cell in enumerate(cells(notebook)):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        ids += ASK.findall(source)
        if REVIEW_CALL.search(source):
            for call in review_calls(source, f"{Path(notebook).name}, cell {index}"):
                ids += review(**call).ids
    return ids
