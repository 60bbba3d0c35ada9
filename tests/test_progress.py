"""The progress file: what an answer, a check or a grade records, atomic writes, one versioned schema (unknown
keys kept, version 1 upgraded), damaged files repaired with a backup and a warning, a folder that cannot be
written never breaking a learner's cell, and no lost update when several processes write at once."""
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from course_lib import progress_file
from course_lib.exercises.core import Case, Exercise
from course_lib.progress_file import load, path, record_answer, record_exercise, record_grade, shown_path
from course_lib.quiz import ask


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(progress_file, "_unsaved_warned", False)
    return tmp_path / "data"


EMPTY = {"version": 2, "questions": {}, "exercises": {}, "open": {}, "schedule": {}, "settings": {}}


def test_the_data_dir_comes_from_the_environment(data_dir):
    assert path() == data_dir / "progress.json"
    assert load() == EMPTY  # nothing saved yet
    assert not data_dir.exists()  # reading creates nothing


def test_messages_show_the_home_folder_as_a_tilde(monkeypatch, tmp_path, data_dir):
    assert shown_path() == str(path())  # the test's data dir is outside the home folder: shown in full
    monkeypatch.setenv("HOME", str(tmp_path))
    assert shown_path() == str(Path("~") / "data" / "progress.json")


def test_answers_checks_and_grades_are_counted():
    record_answer("din.a", False, [2])
    record_answer("din.a", True, [0])
    record_answer("din.a", False, [1])  # once right, it stays right
    record_answer("din.b", True)
    record_exercise("din.pool", False)
    record_exercise("din.pool", True)
    record_grade("din.open", 1, "my answer")
    record_grade("din.open", 2, "a better one")
    state = json.loads(path().read_text())
    a, b, pool, graded = (state["questions"]["din.a"], state["questions"]["din.b"], state["exercises"]["din.pool"],
                          state["open"]["din.open"])
    assert (a["attempts"], a["correct"], a["first_try"], a["chosen"]) == (3, True, False, [1])
    assert (b["attempts"], b["correct"], b["first_try"]) == (1, True, True)
    assert (pool["attempts"], pool["passed"]) == (2, True)
    assert (graded["grades"], graded["answer"]) == ([1, 2], "a better one")
    assert set(state["schedule"]) == {"din.a", "din.b", "din.open"}  # every answer and grade is scheduled
    assert load() == state
    with pytest.raises(ValueError, match="a self-grade is 0, 1 or 2"):
        record_grade("din.open", 3)


def test_writes_are_atomic_and_leave_no_temp_file(data_dir, monkeypatch):
    for i in range(5):
        record_answer(f"emb.q{i}", i % 2 == 0)
    assert sorted(p.name for p in data_dir.iterdir()) == ["progress.json", "progress.json.lock"]
    before = path().read_text()

    def broken_dump(*args, **kwargs):  # the disk fills up half-way through a write
        args[1].write('{"version": 2, "questi')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.warns(UserWarning, match=r"cannot be saved .* \(No space left on device\)"):
        assert record_answer("emb.q9", True) is None  # warned, never raised into the learner's cell
    assert path().read_text() == before  # the old file is untouched...
    assert sorted(p.name for p in data_dir.iterdir()) == ["progress.json", "progress.json.lock"]  # ...no debris


def test_a_version_1_file_is_upgraded_in_place_and_unknown_keys_are_kept(data_dir):
    data_dir.mkdir()
    path().write_text(json.dumps({"version": 1, "questions": {"emb.a": {"attempts": 1, "correct": True,
                                                                         "first_try": True, "last": "x"}},
                                  "exercises": {}}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid old file is no reason to warn
        assert load()["questions"]["emb.a"]["correct"] is True
        record_answer("emb.b", True)
    state = json.loads(path().read_text())
    assert state["version"] == 2 and set(state["questions"]) == {"emb.a", "emb.b"}

    state["badges"] = ["first chapter"]  # written by a newer version of the course
    state["questions"]["emb.a"]["confidence"] = 0.9
    state["version"] = 3
    path().write_text(json.dumps(state))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record_exercise("emb.pool", True)
    kept = json.loads(path().read_text())
    assert kept["badges"] == ["first chapter"] and kept["questions"]["emb.a"]["confidence"] == 0.9
    assert kept["version"] == 3 and not list(data_dir.glob("*.corrupt-*"))


@pytest.mark.parametrize("content", ['{"version": 2, "questions": {"emb.a": {"attem', "[1, 2]", "null",
                                     '{"version": "two"}', "\xff\xfe garbage", "[" * 100_000 + "]" * 100_000],
                         ids=["truncated", "a list", "null", "version not a number", "not text", "deeply nested"])
def test_an_unreadable_file_is_kept_aside_with_a_warning(content, data_dir):
    data_dir.mkdir()
    path().write_bytes(content.encode("utf-8", "surrogateescape") if content.startswith("\xff") else content.encode())
    with pytest.warns(UserWarning, match="kept it as progress.json.corrupt-"):
        assert load() == EMPTY
    (backup,) = data_dir.glob("progress.json.corrupt-*")
    assert backup.read_bytes()[:20] == path().with_name(backup.name).read_bytes()[:20]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing more to warn about: a fresh start
        record_answer("emb.a", True)
        assert load()["questions"]["emb.a"]["correct"] is True


@pytest.mark.parametrize("record", [{"attempts": "many"}, {"attempts": None}, {"correct": "no"}, {"attempts": True},
                                    {"chosen": ["B"]}, "not a record"],
                         ids=["attempts as text", "attempts null", "passed as text", "bool as count",
                              "letters chosen", "a string"])
def test_values_of_the_wrong_type_are_set_aside_and_the_rest_carries_on(record, data_dir):
    data_dir.mkdir()
    good = {"attempts": 2, "correct": True, "first_try": False, "last": "t", "chosen": [1]}
    path().write_text(json.dumps({"version": 2, "questions": {"emb.good": good, "emb.bad": record},
                                  "exercises": {"emb.pool": {"attempts": 1, "passed": True, "last": "t"}},
                                  "settings": {"option_seed": 7}}))
    with pytest.warns(UserWarning, match="wrong values in questions/emb.bad"):
        state = load()
    assert state["questions"] == {"emb.good": good} and state["exercises"]["emb.pool"]["passed"] is True
    assert state["settings"]["option_seed"] == 7
    (backup,) = data_dir.glob("progress.json.corrupt-*")
    assert "emb.bad" in backup.read_text()  # nothing is lost: the original is kept
    assert load() == state  # repaired once, for good
    record_answer("emb.good", True)  # and "no" never counted as a pass
    assert load()["questions"]["emb.good"]["attempts"] == 3


def test_backups_never_overwrite_each_other(data_dir):
    data_dir.mkdir()
    for junk in ("first junk", "second junk"):  # two corruptions within the same second
        path().write_text(junk)
        with pytest.warns(UserWarning, match="no valid JSON"):
            record_exercise("emb.pool", True)
    assert sorted(p.read_text() for p in data_dir.glob("progress.json.corrupt-*")) == ["first junk", "second junk"]
    assert load()["exercises"]["emb.pool"]["attempts"] == 1


EXERCISE = Exercise(id="emb.identity", title="Identity", reference=lambda x: x, hint_text="return x",
                    cases=lambda: [Case((1.0,), "one")])


@pytest.mark.parametrize("blocker", ["read-only folder", "a file in the folder's place", "progress.json a folder"])
def test_a_folder_that_cannot_be_written_shows_the_verdict_then_warns_once(blocker, data_dir, capsys, monkeypatch):
    if blocker == "read-only folder":
        if os.geteuid() == 0:  # root writes anywhere: make the lock fail as it does for a learner
            def denied():
                raise PermissionError(13, "Permission denied")
            monkeypatch.setattr(progress_file, "_lock", denied)
        else:
            data_dir.mkdir()
            data_dir.chmod(0o500)
    elif blocker == "a file in the folder's place":
        data_dir.write_text("not a folder")
    else:
        path().mkdir(parents=True)
    with pytest.warns(UserWarning, match="cannot be saved in .*COURSE_LIB_DATA_DIR") as caught:
        assert EXERCISE.check(lambda x: x)  # the verdict still shows...
        quiz = ask("emb.gauc_why")
        quiz.choose(set(quiz.question.answer))
        assert quiz.check() and "Correct!" in quiz.feedback.value
    assert "✅ Correct" in capsys.readouterr().out
    assert len([w for w in caught if "cannot be saved" in str(w.message)]) == 1  # ...and one warning, not one per save
    assert isinstance(load(), dict)  # reading never raises either


def test_concurrent_writers_lose_nothing(data_dir):
    writer = textwrap.dedent("""
        import sys
        from course_lib.progress_file import record_answer, record_exercise
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


def test_the_option_seed_is_drawn_once_and_kept(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_OPTION_SEED")
    seed = progress_file.option_seed()
    assert load()["settings"]["option_seed"] == seed == progress_file.option_seed()
    monkeypatch.setenv("COURSE_LIB_OPTION_SEED", "3")
    assert progress_file.option_seed() == 3  # the tests' and the committed notebooks' fixed order
    monkeypatch.setenv("COURSE_LIB_OPTION_SEED", "three")
    with pytest.raises(ValueError, match="COURSE_LIB_OPTION_SEED='three'"):
        progress_file.option_seed()
