"""nbgrader settings of the course; instructor/student.py copies this file into the nbgrader course folder.

Solution code sits between ``### BEGIN SOLUTION`` / ``### END SOLUTION`` in cells marked as solution
cells; each ``ex.<name>.check(fn)`` cell after one is an autograded test cell worth 1 point (metadata in
README, "Teaching with it").
"""
import os

c = get_config()  # noqa: F821 (defined by nbgrader when it loads this file)

c.CourseDirectory.course_id = "ctr-course"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 300  # seconds per cell: chapter notebooks train small models

# Autograding runs the notebooks in kernels started by this process, which inherit these variables:
# a failed ex.<name>.check(fn) raises (so nbgrader scores the check cell 0) instead of only printing,
# and the checks' progress goes to a folder of the course, not to the instructor's own progress file.
os.environ["COURSE_LIB_GRADING"] = "1"
os.environ["COURSE_LIB_QUIET"] = "1"
os.environ["COURSE_LIB_DATA_DIR"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".grading-progress")
