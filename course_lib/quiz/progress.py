"""Saved progress: quiz answers and exercise results in one JSON file that is never lost or corrupted.

Location: ``progress.json`` in ``settings.data_dir()`` ($COURSE_LIB_DATA_DIR if set, else the user data
folder of platformdirs, e.g. ~/.local/share/ctr-course). Writes are atomic (temp file + rename) under a file lock,
so two notebooks saving at once cannot interleave; an unreadable file is kept as a backup and reset.

Import the functions (``from course_lib.quiz.progress import load``): the name ``course_lib.quiz.progress``
itself is the function that prints the summary table, so ``from course_lib.quiz import progress`` gets that.
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

from .. import settings

VERSION = 1


def path() -> Path:
    return settings.data_dir() / "progress.json"


def shown_path() -> str:
    """The progress file for messages, with the home folder as "~" (no user name in shared outputs)."""
    return settings.shown(path())


def _empty() -> dict:
    return {"version": VERSION, "questions": {}, "exercises": {}}


def _valid(state) -> bool:
    return (isinstance(state, dict) and state.get("version") == VERSION
            and all(isinstance(state.get(k, {}), dict) and all(isinstance(v, dict) for v in state.get(k, {}).values())
                    for k in ("questions", "exercises")))


def _set_aside(p: Path, err: Exception) -> None:
    """Rename an unreadable progress file to a unique progress.json.corrupt-<time>[-n] and warn."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        backup = p.with_name(f"{p.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))
        if not backup.exists():
            break
    try:
        p.rename(backup)
    except FileNotFoundError:  # another process set it aside first
        return
    warnings.warn(f"progress file {p} was unreadable ({err}); kept it as {backup.name} and started afresh",
                  stacklevel=4)


def _lock() -> FileLock:
    return FileLock(str(path()) + ".lock")


def _read() -> tuple[dict, Exception | None]:
    """The saved state (empty if there is no file), or the empty state and why the file is unreadable."""
    try:
        state = json.loads(path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty(), None
    except (ValueError, UnicodeDecodeError) as err:
        return _empty(), err
    if not _valid(state):
        return _empty(), ValueError("not a version-1 progress layout")
    return {**_empty(), **state}, None


def load() -> dict:
    """The saved progress; a corrupted file is renamed to progress.json.corrupt-<time> with a warning."""
    state, err = _read()
    if err is not None:
        path().parent.mkdir(parents=True, exist_ok=True)
        with _lock():  # look again under the lock: a writer may have replaced the file meanwhile
            state, err = _read()
            if err is not None:
                _set_aside(path(), err)
    return state


def _update(change: Callable[[dict], None]) -> dict:
    """Read, change and write the progress under the lock; the file is replaced in one step (atomic)."""
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with _lock():
        state, err = _read()
        if err is not None:
            _set_aside(p, err)
        change(state)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".progress-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return state


def record_answer(question_id: str, correct: bool) -> dict:
    """Count an attempt; ``first_try`` stays True only if the first attempt was right."""
    def change(state: dict) -> None:
        q = state["questions"].setdefault(question_id, {})
        q["attempts"] = q.get("attempts", 0) + 1
        q["correct"] = bool(q.get("correct")) or bool(correct)
        q.setdefault("first_try", None)
        if q["first_try"] is None:
            q["first_try"] = bool(correct)
        q["last"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return _update(change)


def record_exercise(exercise_id: str, passed: bool) -> dict:
    """Count a check of an exercise; ``passed`` stays True once it passed."""
    def change(state: dict) -> None:
        e = state["exercises"].setdefault(exercise_id, {})
        e["attempts"] = e.get("attempts", 0) + 1
        e["passed"] = bool(e.get("passed")) or bool(passed)
        e["last"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return _update(change)
