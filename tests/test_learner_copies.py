"""The learner's copy of the chapters (tools/learner_copies.py, run by `make lab`): blank exercises, no answer
in any output, and a learner's work never overwritten."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import learner_copies  # noqa: E402  (tools/ is a folder of scripts, not a package)

CHAPTERS = learner_copies.chapters(ROOT / "notebooks")


def solution_lines(cell) -> list[str]:
    """The lines between ### BEGIN SOLUTION and ### END SOLUTION."""
    lines = cell.source.splitlines()
    begin = next(i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line)
    end = next(i for i, line in enumerate(lines) if "### END SOLUTION" in line)
    return [line.strip() for line in lines[begin + 1:end] if line.strip() and not line.strip().startswith("#")]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("learner") / "my-notebooks"
    learner_copies.sync(ROOT / "notebooks", out)
    return out


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_copy_has_blank_exercises_and_no_answer_in_its_outputs(chapter, copies):
    original = nbformat.read(chapter, as_version=4)
    copy = nbformat.read(copies / chapter.name, as_version=4)
    assert [c.get("id") for c in copy.cells] == [c.get("id") for c in original.cells]
    assert "widgets" not in copy.metadata
    for before, after in zip(original.cells, copy.cells):
        text = json.dumps(after.get("outputs", []), ensure_ascii=False)
        assert "✅" not in text and "Correct!" not in text and "The answer:" not in text, after.source[:80]
        if before.get("metadata", {}).get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in after.source and not after.outputs
            for line in solution_lines(before):
                assert line not in after.source, f"{chapter.name}: solution line {line!r} is in the learner's copy"
        elif after.cell_type == "code" and not learner_copies.is_exercise(after):
            assert after.outputs == before.outputs  # explanations keep their outputs


@pytest.mark.parametrize("chapter", [p for p in CHAPTERS if "review" not in p.name], ids=lambda p: p.stem)
def test_every_check_says_not_done_yet_while_the_stub_is_unfilled(chapter, copies, monkeypatch, tmp_path):
    """Run each blank exercise cell and its check cell exactly as the learner would, right after `make lab`."""
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_LIB_GRADING", raising=False)
    copy = nbformat.read(copies / chapter.name, as_version=4)
    setup = copy.cells[next(i for i, c in enumerate(copy.cells) if c.cell_type == "code")].source
    namespace: dict = {}
    exec(re.search(r"^from course_lib\.exercises import \w+ as ex$", setup, re.M).group(0), namespace)
    exec("import torch\nimport numpy as np\nfrom sklearn.metrics import roc_auc_score", namespace)
    checks = [c for c in copy.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    stubs = [c for c in copy.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert len(checks) == len(stubs) > 0
    for stub, check in zip(stubs, checks):
        exec(stub.source, namespace)  # defining the blank function works
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = eval(check.source, namespace)  # the check cell is one expression
        assert not result
        assert "Not done yet" in printed.getvalue() and "Traceback" not in printed.getvalue(), printed.getvalue()


def test_a_learners_work_survives_make_lab_again_and_refresh_keeps_a_backup(tmp_path, capsys):
    sources = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", sources, ignore=shutil.ignore_patterns("zh"))
    out = tmp_path / "my-notebooks"
    made = learner_copies.sync(sources, out)
    assert len(made) == len(CHAPTERS) and (out / "figures").is_dir()

    mine = out / CHAPTERS[0].name
    work = nbformat.read(mine, as_version=4)
    work.cells[0].source += "\n\nMy own note."
    nbformat.write(work, mine)
    saved = mine.read_bytes()

    assert learner_copies.sync(sources, out) == []  # a second `make lab`: nothing to do, nothing touched
    assert mine.read_bytes() == saved

    course = nbformat.read(sources / CHAPTERS[0].name, as_version=4)  # the course changes the chapter
    course.cells[0].source += "\n\nA new paragraph."
    nbformat.write(course, sources / CHAPTERS[0].name)
    (notice,) = learner_copies.sync(sources, out)
    assert "has changed" in notice and f"make refresh CHAPTER={CHAPTERS[0].name[:2]}" in notice
    assert mine.read_bytes() == saved  # told, never overwritten

    report = learner_copies.sync(sources, out, refresh=(CHAPTERS[0].name[:2],))
    (backup,) = (out / "backups").glob(f"{CHAPTERS[0].stem}-*.ipynb")
    assert backup.read_bytes() == saved and any("kept your copy" in line for line in report)
    assert "A new paragraph." in nbformat.read(mine, as_version=4).cells[0].source

    learner_copies.sync(sources, out, refresh=(CHAPTERS[0].name[:2],))  # a second refresh the same day
    assert len(list((out / "backups").glob(f"{CHAPTERS[0].stem}-*.ipynb"))) == 2

    with pytest.raises(ValueError, match="no chapter '99'"):
        learner_copies.sync(sources, out, refresh=("99",))
