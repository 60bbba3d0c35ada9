"""Test-wide settings: quiet progress bars and a throwaway progress folder (also for nbval's kernels)."""
import os
import tempfile

os.environ["COURSE_LIB_QUIET"] = "1"
os.environ["COURSE_LIB_DATA_DIR"] = tempfile.mkdtemp(prefix="course-lib-progress-")
