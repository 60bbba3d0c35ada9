"""The progress file: what a learner answered, checked, graded and chose, kept safe in one JSON file.

Location: ``progress.json`` in ``settings.data_dir()``. One versioned schema, extended by later versions:

    version    2
    questions  id -> {attempts: int, correct: bool, first_try: bool | null, last: time, chosen: [int]}
               (``chosen``: the options picked at the last attempt, as positions in the bank, never letters)
    exercises  id -> {attempts: int, passed: bool, last: time}
    open       id -> {grades: [0 | 1 | 2, ...], answer: text, last: time}   open questions, graded by the learner
    schedule   id -> {box: 1..5, due: date, seen: time}          spaced repetition (``next_review``)
    settings   option_seed: int, language: str                   the learner's option order and language

Nothing is ever lost: writes are atomic (temp file + rename) under a file lock; keys a newer version wrote are
kept; a version-1 file is upgraded in place; a file that is not JSON, or that holds values of the wrong type,
is kept as ``progress.json.corrupt-<time>`` with a warning while what was valid in it carries on. When the
folder cannot be written (read-only, full disk, a file where the folder should be), the learner's result still
shows and one warning says where progress could not be saved.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from filelock import FileLock

from . import settings
from .errors import InputError

VERSION = 2
SECTIONS = ("questions", "exercises", "open", "schedule")
INT_LIST = "list of whole numbers"
# Per section, each field's allowed types; a record holding another type is dropped (the file is kept as a backup).
FIELDS = {
    "questions": {"attempts": int, "correct": bool, "first_try": (bool, type(None)), "last": str, "chosen": INT_LIST},
    "exercises": {"attempts": int, "passed": bool, "last": str},
    "open": {"grades": INT_LIST, "answer": str, "last": str},
    "schedule": {"box": int, "due": str, "seen": str},
    "settings": {"option_seed": int, "language": str},
}
_unsaved_warned = False  # warn once per session that progress cannot be saved
_session_seed: int | None = None  # the option seed of a session whose progress cannot be saved


def path() -> Path:
    return settings.data_dir() / "progress.json"


def shown_path() -> str:
    """The progress file for messages, with the home folder as "~" (no user name in shared outputs)."""
    return settings.shown(path())


def _empty() -> dict:
    return {"version": VERSION, **{s: {} for s in SECTIONS}, "settings": {}}


def _is(value, kinds) -> bool:
    """isinstance, except that JSON's true/false are not numbers here, and INT_LIST means a list of ints."""
    if kinds == INT_LIST:
        return isinstance(value, list) and all(_is(v, int) for v in value)
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))


def _clean(raw) -> tuple[dict, list[str]]:
    """The state ``raw`` holds in the current schema, and the entries that had to be dropped from it.

    Unknown keys (from a newer version of the course) are kept; so is a newer version number."""
    if not isinstance(raw, dict) or not _is(raw.get("version"), int) or raw["version"] < 1:
        return _empty(), ["the whole file (not a course progress file)"]
    state, dropped = {**raw, **_empty(), "version": max(raw["version"], VERSION)}, []
    for section in (*SECTIONS, "settings"):
        records = raw.get(section, {})
        if not isinstance(records, dict):
            dropped.append(f"{section!r} (not a mapping)")
            continue
        for key, value in records.items():
            if section == "settings":
                ok = key not in FIELDS["settings"] or _is(value, FIELDS["settings"][key])
            else:
                ok = isinstance(value, dict) and all(_is(value[f], t) for f, t in FIELDS[section].items() if f in value)
            if ok:
                state[section][key] = value
            else:
                dropped.append(f"{section}/{key}")
    return state, dropped


def _read() -> tuple[dict, str | None]:
    """The saved state (empty if there is no file), and why (part of) the file could not be used, if so."""
    try:
        raw = json.loads(path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty(), None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:  # RecursionError: absurdly nested JSON
        return _empty(), f"no valid JSON ({type(err).__name__})"
    except OSError as err:  # a folder where the file should be, or no permission to read
        return _empty(), f"no readable file ({err.strerror or err})"
    state, dropped = _clean(raw)
    return state, (f"wrong values in {', '.join(dropped[:4])}" + (", ..." if len(dropped) > 4 else "")
                   if dropped else None)


def _repair(state: dict, why: str) -> None:
    """Keep a damaged progress file as progress.json.corrupt-<time>[-n], write what was valid in it, and warn."""
    p = path()
    if not p.is_file():
        raise IsADirectoryError(f"{p} is not a file")
    stamp, n = time.strftime("%Y%m%d-%H%M%S"), 0
    while (backup := p.with_name(f"{p.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))).exists():
        n += 1
    p.rename(backup)
    _write(state)
    warnings.warn(f"progress file {p} had {why}; kept it as {backup.name} and carried on with what was valid",
                  stacklevel=4)


def load() -> dict:
    """The saved progress; a damaged file is repaired (with a warning and a backup). Never raises."""
    state, why = _read()
    if why is None:
        return state
    try:
        with _lock():  # look again under the lock: a writer may have replaced the file meanwhile
            state, why = _read()
            if why is not None:
                _repair(state, why)
    except OSError as err:
        _cannot_save(err)
    return state


def _lock() -> FileLock:
    path().parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path()) + ".lock")


def _write(state: dict) -> None:
    p = path()
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".progress-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update(change: Callable[[dict], None]) -> dict | None:
    """Read, change and write the progress under the lock, the file replaced in one step (atomic).

    Returns the new state, or None (with one warning per session) when it could not be saved."""
    try:
        with _lock():
            state, why = _read()
            if why is not None:
                _repair(state, why)
            change(state)  # a version-1 file is written back as version 2: upgraded in place
            _write(state)
        return state
    except OSError as err:
        _cannot_save(err)
        return None


def _cannot_save(err: OSError) -> None:
    global _unsaved_warned
    if not _unsaved_warned:
        _unsaved_warned = True
        warnings.warn(f"your progress cannot be saved in {settings.shown(path().parent)} ({err.strerror or err}). "
                      f"Set COURSE_LIB_DATA_DIR to a folder you can write to (for example "
                      f"%env COURSE_LIB_DATA_DIR=~/ctr-course-progress) to keep it.", stacklevel=4)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


# Spaced repetition, a Leitner schedule: a question answered wrong goes back to box 1 and returns the next day;
# each right answer moves it up a box, and a higher box waits longer. A self-grade of 1 keeps its box.
INTERVALS = {1: 1, 2: 3, 3: 7, 4: 16, 5: 35}  # box -> days until it is due again
RIGHT, KEEP, WRONG = "right", "keep", "wrong"


def next_review(entry: dict | None, outcome: str, today: date) -> dict:
    """The schedule entry of a question after an answer whose ``outcome`` is RIGHT, KEEP or WRONG."""
    box = (entry or {}).get("box", 1)  # a question seen for the first time starts in box 1
    box = {RIGHT: min(box + 1, max(INTERVALS)), KEEP: box, WRONG: 1}[outcome]
    return {"box": box, "due": (today + timedelta(days=INTERVALS[box])).isoformat(), "seen": now()}


def record_answer(question_id: str, correct: bool, chosen: list[int] | tuple[int, ...] = (),
                  today: date | None = None) -> dict | None:
    """Count an attempt of a multiple-choice question (``first_try`` stays True only if the first attempt was
    right) and schedule its next review."""
    def change(state: dict) -> None:
        q = state["questions"].setdefault(question_id, {})
        q["attempts"] = q.get("attempts", 0) + 1
        q["correct"] = bool(q.get("correct")) or bool(correct)
        if q.get("first_try") is None:
            q["first_try"] = bool(correct)
        q["chosen"], q["last"] = sorted(int(i) for i in chosen), now()
        schedule = state["schedule"]
        schedule[question_id] = next_review(schedule.get(question_id), RIGHT if correct else WRONG,
                                            today or date.today())
    return update(change)


def record_grade(question_id: str, grade: int, answer: str = "", today: date | None = None) -> dict | None:
    """Keep the learner's grade (0, 1 or 2 against the rubric) of an open question and what they wrote, and
    schedule its next review (0 counts as wrong, 2 as right, 1 keeps its place)."""
    if grade not in (0, 1, 2) or isinstance(grade, bool):
        raise InputError(f"a self-grade is 0, 1 or 2 (as the rubric says), got {grade!r}")

    def change(state: dict) -> None:
        o = state["open"].setdefault(question_id, {})
        o["grades"] = [*o.get("grades", []), grade]
        o["answer"], o["last"] = answer, now()
        schedule = state["schedule"]
        schedule[question_id] = next_review(schedule.get(question_id), (WRONG, KEEP, RIGHT)[grade],
                                            today or date.today())
    return update(change)


def record_exercise(exercise_id: str, passed: bool) -> dict | None:
    """Count a check of an exercise; ``passed`` stays True once it passed."""
    def change(state: dict) -> None:
        e = state["exercises"].setdefault(exercise_id, {})
        e["attempts"] = e.get("attempts", 0) + 1
        e["passed"] = bool(e.get("passed")) or bool(passed)
        e["last"] = now()
    return update(change)


def option_seed() -> int:
    """The seed of this learner's option order: COURSE_LIB_OPTION_SEED if set, else the one kept in the progress
    file, drawn at random on first use (if it cannot be saved, this session keeps one of its own)."""
    fixed = settings.option_seed()
    if fixed is not None:
        return fixed
    global _session_seed
    saved = load()["settings"].get("option_seed")
    if saved is not None:
        return saved
    drawn = secrets.randbelow(2**31)
    state = update(lambda state: state["settings"].setdefault("option_seed", drawn))
    if state is None:  # not saved: keep one seed for the whole session, so the letters stay put
        _session_seed = drawn if _session_seed is None else _session_seed
        return _session_seed
    return state["settings"]["option_seed"]
