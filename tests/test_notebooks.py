"""The committed notebooks as files: what nbval compares (tests/README.md), and how the chapters are set up."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
IGNORE = "nbval-ignore-output"


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_nbval_compares_most_outputs(notebook):
    """Only code cells skip nbval's comparison, by a metadata tag (never a marker a learner reads), and most
    outputs stay compared: a notebook whose stable outputs change still fails."""
    code = [c for c in cells(notebook) if c["cell_type"] == "code" and c.get("outputs")]
    ignored = [c for c in code if IGNORE in c["metadata"].get("tags", [])]
    for c in cells(notebook):
        source = "".join(c["source"])
        assert "NBVAL" not in source, f"{notebook.name}: use cell tags, not NBVAL markers in the source: {source[:80]!r}"
        if c["cell_type"] != "code":
            assert IGNORE not in c.get("metadata", {}).get("tags", []), f"{notebook.name}: a {c['cell_type']} cell is tagged"
    assert len(ignored) <= len(code) / 2, (f"{notebook.name}: {len(ignored)} of {len(code)} cells with outputs are "
                                          f"not compared; print training results at a precision that holds instead")


@pytest.mark.parametrize("notebook", [p for p in CHAPTERS if "review" not in p.name], ids=lambda p: p.stem)
def test_chapters_set_up_and_save_figures_through_settings(notebook):
    """Threads and seeds come from one call, figures go where COURSE_LIB_FIGURES says (never a path in the
    checkout), so `make test` can change the thread count and never writes a tracked file."""
    sources = ["".join(c["source"]) for c in cells(notebook) if c["cell_type"] == "code"]
    assert "setup_notebook(" in sources[0], f"{notebook.name}: the first code cell must call setup_notebook()"
    every = "\n".join(sources)
    assert "set_num_threads" not in every, f"{notebook.name}: threads come from setup_notebook / one_thread"
    for source in sources:
        if "savefig(" in source:
            assert "savefig(figure_path(" in source, f"{notebook.name}: save figures with figure_path(...): {source[:80]!r}"


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_first_cell_says_how_to_get_course_lib_where_it_is_missing(notebook):
    """Opened in an editor whose kernel lacks course_lib (VS Code, Colab), the first cell stops with a message
    that says what to do, not a bare ModuleNotFoundError from the middle of the imports."""
    first = next("".join(c["source"]) for c in cells(notebook) if c["cell_type"] == "code")
    program = f"import sys\nsys.modules['course_lib'] = None  # as if it were not installed\nexec({first!r})"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: course_lib is not installed in this kernel"), last
    assert "make lab" in last and "'VS Code and Colab'" in last and "VS Code and Colab" in (ROOT / "README.md").read_text()
