"""Settings for every test run, also `pytest notebooks/X.ipynb` alone: quiet progress bars and a throwaway
progress folder (nbval's kernels inherit both)."""
import os
import tempfile

os.environ["COURSE_LIB_QUIET"] = "1"
os.environ["COURSE_LIB_DATA_DIR"] = tempfile.mkdtemp(prefix="course-lib-progress-")
