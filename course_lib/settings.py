"""How the course runs on this machine: every setting read from the environment, in one place.

    COURSE_LIB_THREADS    torch's CPU threads in the notebooks (default 2; the tests use 1 on one pass)
    COURSE_LIB_FIGURES    folder the notebooks save their figures in (default: <user data folder>/figures;
                          ``make figures`` writes the repository's figures/, ``make lab`` the learner's own)
    COURSE_LIB_DATA_DIR   folder of the saved progress (default: the user data folder of platformdirs)
    COURSE_LIB_DATASETS   folder of the papers' raw datasets (default: <user data folder>/datasets)
    COURSE_LIB_QUIET      1: no progress bars (the tests and ``make figures``)
    COURSE_LIB_GRADING    1: a failed exercise check raises (nbgrader's autograder)
    COURSE_LIB_OPTION_SEED  the order of every self-check's options (default: the learner's own seed, kept in
                          the progress file); the tests and the committed notebooks use 0
    COURSE_LIB_LANG       en or zh: the language of the self-checks, exercises and tables (default en); a
                          Chinese chapter sets it in its first cell (``course_lib.use_language("zh")``)

A leading ``~`` in a folder is the home folder, as in a shell. Reading a setting imports nothing heavy (the
progress store and the glossary read them); ``course_lib.runtime`` applies them in a notebook.
"""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from .errors import InputError

APP = "ctr-course"
DEFAULT_THREADS = 2


def _folder(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else default


def user_dir() -> Path:
    """The course's folder in the user data folder (for example ~/.local/share/ctr-course)."""
    return Path(user_data_dir(APP, appauthor=False))


def data_dir() -> Path:
    return _folder("COURSE_LIB_DATA_DIR", user_dir())


def datasets_dir() -> Path:
    return _folder("COURSE_LIB_DATASETS", user_dir() / "datasets")


def figures_dir() -> Path:
    return _folder("COURSE_LIB_FIGURES", user_dir() / "figures")


def threads() -> int:
    value = os.environ.get("COURSE_LIB_THREADS", "").strip() or str(DEFAULT_THREADS)
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"COURSE_LIB_THREADS={value!r}: set it to a whole number of threads, at least 1")
    return int(value)


def quiet() -> bool:
    return os.environ.get("COURSE_LIB_QUIET") == "1"


def grading() -> bool:
    return os.environ.get("COURSE_LIB_GRADING") == "1"


def option_seed() -> int | None:
    """The option-order seed the environment fixes, or None (then each learner has their own)."""
    value = os.environ.get("COURSE_LIB_OPTION_SEED", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"COURSE_LIB_OPTION_SEED={value!r}: set it to a whole number, or unset it")
    return int(value)


LANGUAGES = ("en", "zh")


def language() -> str:
    value = os.environ.get("COURSE_LIB_LANG", "").strip().lower() or "en"
    if value not in LANGUAGES:
        raise InputError(f"COURSE_LIB_LANG={value!r}: the course is written in {' and '.join(LANGUAGES)}; "
                         "set it to one of them, or unset it for English")
    return value


def shown(path: Path) -> str:
    """A path for messages, with the home folder as "~" (no user name in shared notebook outputs)."""
    home = Path.home()
    return str(Path("~") / path.relative_to(home)) if path.is_relative_to(home) else str(path)
