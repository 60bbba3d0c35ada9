"""The instructor build (``make student``): nbgrader turns every notebook with solution cells into a student
version without solution code, every exercise has an autograded check cell, and autograding gives a solved
copy full marks, an untouched student copy zero, and a copy with one known mistake one point less.

Autograding runs whole notebooks, so it is exercised here on the small fixture notebook
(tests/fixtures/exercise_notebook.ipynb); the chapter notebooks get the build and the metadata checks."""
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.exercises import registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "exercise_notebook.ipynb"

spec = importlib.util.spec_from_file_location("instructor_student", ROOT / "instructor" / "student.py")
student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student)

CHAPTERS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if student.has_solutions(p)]
NOTEBOOKS = [FIXTURE, *CHAPTERS]


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_lines(cell: dict) -> list[str]:
    """The code between ### BEGIN SOLUTION and ### END SOLUTION (blank lines and comments left out)."""
    text = source(cell)
    inside = text[text.index("### BEGIN SOLUTION") + len("### BEGIN SOLUTION"):text.index("### END SOLUTION")]
    return [line.strip() for line in inside.splitlines() if line.strip() and not line.strip().startswith("#")]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """``instructor/student.py build`` (what ``make student`` runs) on every notebook, in a temporary course."""
    tmp = tmp_path_factory.mktemp("instructor")
    run = subprocess.run([sys.executable, str(ROOT / "instructor" / "student.py"), "build", *map(str, NOTEBOOKS),
                          "--course", str(tmp / "course"), "--out", str(tmp / "student")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return tmp


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_version_has_no_solution_code(notebook, course):
    released = cells(course / "student" / "notebooks" / notebook.name)
    originals = cells(notebook)
    assert [source(c) for c in released if not meta(c)] == [source(c) for c in originals if not meta(c)]
    assert (course / "student" / "figures").is_dir()  # the notebooks save to ../figures
    text = "\n".join(source(c) for c in released)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert not any(c.get("outputs") for c in released)
    solutions = [c for c in originals if meta(c).get("solution")]
    stubs = [c for c in released if meta(c).get("solution")]
    assert len(stubs) == len(solutions) >= 1
    for original, stub in zip(solutions, stubs):
        assert "# YOUR CODE HERE\n" in source(stub) and "raise NotImplementedError()" in source(stub)
        leaked = [line for line in solution_lines(original) if line in text]
        assert not leaked, f"{meta(original)['grade_id']}: solution lines left in the student version: {leaked}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_solution_cell_is_followed_by_an_autograded_check_cell(notebook):
    code = [c for c in cells(notebook) if c["cell_type"] == "code"]
    for i, cell in enumerate(code):
        m = meta(cell)
        if not m.get("solution"):
            continue
        assert m == {"grade": False, "grade_id": m["grade_id"], "locked": False, "schema_version": 3,
                     "solution": True, "task": False}
        check = code[i + 1] if i + 1 < len(code) else {}
        assert meta(check) == {"grade": True, "grade_id": "check_" + m["grade_id"], "locked": True, "points": 1,
                               "schema_version": 3, "solution": False, "task": False}, \
            f"the cell after {m['grade_id']} is not its check cell"
        assert ".check(" in source(check)
        if notebook in CHAPTERS:  # the fixture defines its exercises inline
            assert m["grade_id"] in registry(), f"{m['grade_id']} is not an exercise id"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_other_cell_uses_a_learners_function(notebook):
    # in the student version it raises NotImplementedError until written: the notebook must still run through
    code = [source(c) for c in cells(notebook) if c["cell_type"] == "code"]
    for i, cell in enumerate(c for c in cells(notebook) if c["cell_type"] == "code"):
        if meta(cell).get("solution"):
            for name in re.findall(r"^def (\w+)", source(cell), flags=re.M):
                users = [j for j, text in enumerate(code) if j not in (i, i + 1) and re.search(rf"\b{name}\b", text)]
                assert not users, f"{meta(cell)['grade_id']}: {name}() is used in other code cells {users}"


def test_grade_ids_are_written_in_nbgraders_alphabet(course):
    # notebooks use the exercise ids (emb.masked_mean); nbgrader allows only letters, digits, _ and -
    source_ids = [meta(c)["grade_id"] for c in cells(FIXTURE) if meta(c)]
    built_ids = [meta(c)["grade_id"] for c in cells(course / "course" / "source" / FIXTURE.stem / FIXTURE.name)
                 if meta(c)]
    assert source_ids == ["emb.fixture_masked_sum", "check_emb.fixture_masked_sum", "emb.fixture_logit",
                          "check_emb.fixture_logit"]
    assert built_ids == [student.nbgrader_id(i) for i in source_ids] == [
        "emb-fixture_masked_sum", "check_emb-fixture_masked_sum", "emb-fixture_logit", "check_emb-fixture_logit"]


def submit(course: Path, name: str, fill: dict[str, str]) -> None:
    """A student's copy of the released fixture with some solution cells filled in."""
    nb = json.loads((course / "release" / FIXTURE.stem / FIXTURE.name).read_text())
    for cell in nb["cells"]:
        if meta(cell).get("grade_id") in fill:
            cell["source"] = fill[meta(cell)["grade_id"]]
    folder = course / "submitted" / name / FIXTURE.stem
    folder.mkdir(parents=True)
    (folder / FIXTURE.name).write_text(json.dumps(nb))


def test_autograding_scores_one_point_per_passed_check(course):
    solved = {student.nbgrader_id(meta(c)["grade_id"]): source(c) for c in cells(FIXTURE) if meta(c).get("solution")}
    submit(course / "course", "solved", solved)
    submit(course / "course", "untouched", {})
    submit(course / "course", "one_mistake", {**solved, "emb-fixture_masked_sum":
                                              "def my_masked_sum(x, mask):\n    return x.sum(dim=1)  # ignores the mask"})
    scores = student.autograde(course / "course", FIXTURE.stem)
    assert scores == {"solved": (2.0, 2.0), "untouched": (0.0, 2.0), "one_mistake": (1.0, 2.0)}
    graded = cells(course / "course" / "autograded" / "one_mistake" / FIXTURE.stem / FIXTURE.name)
    outputs = json.dumps([c["outputs"] for c in graded if c["cell_type"] == "code"])
    assert "padding positions changed the output: apply the mask" in outputs  # the named mistake, as feedback
    # the checks of the graded runs went to the course's own progress folder, not the instructor's
    assert (course / "course" / ".grading-progress" / "progress.json").exists()
