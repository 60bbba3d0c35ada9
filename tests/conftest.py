"""Fixtures shared by the quiz and exercise tests, and the settings of the property tests."""
import tempfile

import hypothesis
import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from course_lib.quiz import bank


@pytest.fixture
def fresh_quiz_state(monkeypatch, tmp_path):
    """A throwaway progress folder, and the bank cache cleared around the test."""
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path / "data"))
    bank._load.cache_clear()
    yield
    bank._load.cache_clear()


@pytest.fixture
def exercise_progress(tmp_path, monkeypatch):
    """An exercise check as a learner runs it: progress in a throwaway folder, and failed checks print their
    message instead of raising (COURSE_LIB_GRADING unset, as outside nbgrader). Returns the folder."""
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_LIB_GRADING", raising=False)
    return tmp_path


# Property tests (test_properties.py) draw the same examples on every run, and hypothesis keeps its files in a
# temporary folder, not in the checkout: a failure in CI is the failure a learner or a reviewer reproduces.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="course-lib-hypothesis-"))
hypothesis.settings.register_profile("course", derandomize=True, database=None)
hypothesis.settings.load_profile("course")
