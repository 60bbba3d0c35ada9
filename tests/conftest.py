"""Fixtures shared by the quiz tests."""
import pytest

from course_lib.quiz import bank


@pytest.fixture
def fresh_quiz_state(monkeypatch, tmp_path):
    """A throwaway progress folder, and the bank cache cleared around the test."""
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path / "data"))
    bank._load.cache_clear()
    yield
    bank._load.cache_clear()
