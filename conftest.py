"""Settings for every test run, also `pytest notebooks/X.ipynb` alone (nbval's kernels inherit them): quiet
progress bars, throwaway folders for progress and figures (figures/ is written by `make figures` only), and the
fixed option order the committed notebooks were run with (COURSE_LIB_OPTION_SEED=0, as in `make figures`).

Running the tests must leave the checkout as it was: the session fails if ``git status`` differs at the end.
"""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

os.environ["COURSE_LIB_QUIET"] = "1"
os.environ["COURSE_LIB_DATA_DIR"] = tempfile.mkdtemp(prefix="course-lib-progress-")
os.environ["COURSE_LIB_FIGURES"] = tempfile.mkdtemp(prefix="course-lib-figures-")
os.environ["COURSE_LIB_OPTION_SEED"] = "0"  # self-check options in the order of the committed notebooks

ROOT = Path(__file__).resolve().parent
STATUS = pytest.StashKey[str | None]()  # git status at the start of the session


def git_status() -> str | None:
    """``git status --porcelain`` of the checkout (tracked changes and untracked files), None outside git."""
    try:
        run = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout if run.returncode == 0 else None


def pytest_sessionstart(session):
    session.config.stash[STATUS] = git_status()


def pytest_sessionfinish(session, exitstatus):
    before, after = session.config.stash.get(STATUS, None), git_status()
    if before is None or after is None or before == after:
        return
    changed = sorted(set(after.splitlines()) - set(before.splitlines()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reporter.write_line("FAILED: the tests changed the checkout (they must write only to temporary folders):", red=True)
    for line in changed or after.splitlines():
        reporter.write_line(f"    {line}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

