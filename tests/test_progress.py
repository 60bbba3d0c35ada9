"""The progress store: what an answer or a check records, atomic writes, a corrupted file set aside with a
warning, no lost update when several processes write at once, and the per-chapter table."""
import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import course_lib.exercises
import course_lib.quiz as quiz
from course_lib.quiz import bank
from course_lib.quiz.progress import load, path, record_answer, record_exercise, shown_path

FIXTURE_BANKS = Path(__file__).resolve().parent / "fixtures" / "banks"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_data_dir_comes_from_the_environment(data_dir):
    assert path() == data_dir / "progress.json"
    assert load() == {"version": 1, "questions": {}, "exercises": {}}  # nothing saved yet
    assert not data_dir.exists()  # reading creates nothing


def test_messages_show_the_home_folder_as_a_tilde(monkeypatch, tmp_path, data_dir):
    assert shown_path() == str(path())  # the test's data dir is outside the home folder: shown in full
    monkeypatch.setenv("HOME", str(tmp_path))
    assert shown_path() == str(Path("~") / "data" / "progress.json")


def test_answers_and_checks_are_counted():
    record_answer("din.a", False)
    record_answer("din.a", True)
    record_answer("din.a", False)  # once right, it stays right
    record_answer("din.b", True)
    record_exercise("din.pool", False)
    record_exercise("din.pool", True)
    state = json.loads(path().read_text())
    a, b, pool = state["questions"]["din.a"], state["questions"]["din.b"], state["exercises"]["din.pool"]
    assert (a["attempts"], a["correct"], a["first_try"]) == (3, True, False)
    assert (b["attempts"], b["correct"], b["first_try"]) == (1, True, True)
    assert (pool["attempts"], pool["passed"]) == (2, True)
    assert load() == state


def test_writes_are_atomic_and_leave_no_temp_file(data_dir, monkeypatch):
    for i in range(5):
        record_answer(f"emb.q{i}", i % 2 == 0)
    assert sorted(p.name for p in data_dir.iterdir()) == ["progress.json", "progress.json.lock"]
    before = path().read_text()

    def broken_dump(*args, **kwargs):  # the disk fills up half-way through a write
        args[1].write('{"version": 1, "questi')
        raise OSError("No space left on device")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(OSError, match="No space left"):
        record_answer("emb.q9", True)
    assert path().read_text() == before  # the old file is untouched...
    assert sorted(p.name for p in data_dir.iterdir()) == ["progress.json", "progress.json.lock"]  # ...no debris


@pytest.mark.parametrize("content", ['{"version": 1, "questions": {"emb.a": {"attem', "[1, 2]",
                                     '{"version": 1, "questions": []}', '{"version": 99}'],
                         ids=["truncated", "a list", "questions not a mapping", "unknown version"])
def test_a_corrupted_file_is_set_aside_with_a_warning(content, data_dir):
    data_dir.mkdir()
    path().write_text(content)
    with pytest.warns(UserWarning, match="was unreadable .* kept it as progress.json.corrupt-"):
        assert load()["questions"] == {}
    (backup,) = data_dir.glob("progress.json.corrupt-*")
    assert backup.read_text() == content and not path().exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing more to warn about: a fresh start
        record_answer("emb.a", True)
        assert load()["questions"]["emb.a"]["correct"] is True


def test_a_corrupted_file_is_set_aside_when_recording_and_backups_never_overwrite(data_dir):
    data_dir.mkdir()
    for junk in ("first junk", "second junk"):  # two corruptions within the same second
        path().write_text(junk)
        with pytest.warns(UserWarning, match="unreadable"):
            record_exercise("emb.pool", True)
    assert sorted(p.read_text() for p in data_dir.glob("progress.json.corrupt-*")) == ["first junk", "second junk"]
    assert load()["exercises"]["emb.pool"]["attempts"] == 1


def test_concurrent_writers_lose_nothing(data_dir):
    writer = textwrap.dedent("""
        import sys
        from course_lib.quiz.progress import record_answer, record_exercise
        k = int(sys.argv[1])
        for i in range(20):
            record_answer(f"emb.p{k}_{i}", i % 2 == 0)
            record_exercise("emb.shared", i == 19)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(k)]) for k in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    state = load()
    assert len(state["questions"]) == 80 and all(q["attempts"] == 1 for q in state["questions"].values())
    assert sum(q["correct"] for q in state["questions"].values()) == 40
    assert state["exercises"]["emb.shared"] == {**state["exercises"]["emb.shared"], "attempts": 80, "passed": True}
    assert sorted(p.name for p in data_dir.iterdir()) == ["progress.json", "progress.json.lock"]


def test_progress_table_counts(monkeypatch, capsys):
    monkeypatch.setattr(bank, "BANKS", FIXTURE_BANKS)  # emb.fixture_pooling, emb.fixture_metrics
    bank._load.cache_clear()
    monkeypatch.setattr(course_lib.exercises, "registry",
                        lambda: dict.fromkeys(["emb.pool", "emb.logit", "din.attention"]))
    try:
        record_answer("emb.fixture_pooling", True)
        record_answer("emb.fixture_metrics", False)
        record_answer("emb.fixture_metrics", True)
        record_exercise("emb.pool", True)
        record_exercise("emb.logit", False)
        record_exercise("din.attention", False)
        record_answer("din.not_in_a_bank", True)  # an answer to a removed question is not counted
        emb = dict(chapter=1, questions=2, answered=2, correct=2, first_try=1, exercises=2, passed=1)
        din = dict(chapter=2, questions=0, answered=0, correct=0, first_try=0, exercises=1, passed=0)
        assert quiz.progress_table() == [emb, din]
        assert quiz.progress_table(chapter=2) == [din]
        assert quiz.progress_table(chapter=4) == [dict(chapter=4, questions=0, answered=0, correct=0, first_try=0,
                                                       exercises=0, passed=0)]
        quiz.progress(chapter=1)
        out = capsys.readouterr().out
        assert "1 emb" in out and "2 / 2" in out and "1 / 2" in out and f"(saved in {path()})" in out
    finally:
        bank._load.cache_clear()
