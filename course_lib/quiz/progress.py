"""Saved progress: quiz answers and exercise results in one JSON file that is never lost or corrupted.

Location: ``$COURSE_LIB_DATA_DIR/progress.json`` if that variable is set, else the user data folder of
platformdirs (e.g. ~/.local/share/ctr-course). Writes are atomic (temp file + rename) under a file lock,
so two notebooks saving at once cannot interleave; an unreadable file is kept as a backup and reset.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock
from platformdirs import user_data_dir

VERSION = 1


def data_dir() -> Path:
    return Path(os.environ.get("COURSE_LIB_DATA_DIR") or user_data_dir("ctr-course", appauthor=False))


def path() -> Path:
    return data_dir() / "progress.json"


def _empty() -> dict:
    return {"version": VERSION, "questions": {}, "exercises": {}}


def load() -> dict:
    """The saved progress; a corrupted file is renamed to progress.json.corrupt-<time> with a warning."""
    p = path()
    if not p.exists():
        return _empty()
    try:
        state = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or state.get("version") != VERSION:
            raise ValueError("unknown layout")
        return {**_empty(), **state}
    except (ValueError, UnicodeDecodeError) as err:
        backup = p.with_name(f"{p.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        p.replace(backup)
        warnings.warn(f"progress file {p} was unreadable ({err}); kept it as {backup} and started afresh",
                      stacklevel=2)
        return _empty()


def _update(change: Callable[[dict], None]) -> dict:
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(p) + ".lock"):
        state = load()
        change(state)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".progress-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    return state


def record_answer(question_id: str, correct: bool) -> dict:
    """Count an attempt; ``first_try`` stays True only if the first attempt was right."""
    def change(state: dict) -> None:
        q = state["questions"].setdefault(question_id, {"attempts": 0, "correct": False, "first_try": None})
        q["attempts"] += 1
        q["correct"] = q["correct"] or correct
        if q["first_try"] is None:
            q["first_try"] = correct
        q["last"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return _update(change)


def record_exercise(exercise_id: str, passed: bool) -> dict:
    def change(state: dict) -> None:
        e = state["exercises"].setdefault(exercise_id, {"attempts": 0, "passed": False})
        e["attempts"] += 1
        e["passed"] = e["passed"] or passed
        e["last"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return _update(change)
