"""Speed studies, not needed to read the comparison: ``step_phases`` times each phase of one training step
(batch, forward, backward, Adam) per library and per Adam implementation (``--adams``), and ``floor`` is
course_lib's DCN and MMoE rewritten for speed alone, timed by ``step_phases --libraries floor,...``.
docs/benchmarks.md, "Speed studies (benchmarks/perf/)", shows their tables.

    python -m benchmarks.perf.step_phases --models DCN,MMoE,DIN
"""
