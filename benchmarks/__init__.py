"""course_lib against DeepCTR-Torch and torch-rechub, and the course's own speed budgets (docs/benchmarks.md).

Run every script as a module from the repository root, for example ``python -m benchmarks.compare_peers``
(accuracy, speed and memory against the peers), ``python -m benchmarks.scale`` (ShopSim and one DIN epoch at
the DIN paper's Amazon size) or ``python -m benchmarks.notebook_times`` (seconds per chapter notebook); the
Makefile's bench targets do so. ``settings`` holds what every library shares, ``workload`` the data,
``harness`` one run, ``course``, ``deepctr`` and ``rechub`` one adapter per library, and ``report`` writes
each script's block into docs/benchmarks.md. The studies of speed alone (where a training step's time goes,
Adam's implementations, course_lib's models rewritten for speed) are in ``benchmarks.perf``. The peers are an
optional extra (the "bench" extra of pyproject.toml); the course never imports this package.
"""
