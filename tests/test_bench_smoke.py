"""The benchmark script end to end on tiny data, course_lib only (the peers are an optional extra)."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| course_lib \| (\w+) \| ([\d.]+) ± [\d.]+ \| ([\d.]+) ± [\d.]+ \| (\d+) \| (-?[\d.]+) \| "
                 r"([\d.]+) \| ([\d.]+) \|$")


def test_smoke_run_writes_one_table_per_model(tmp_path):
    out = tmp_path / "bench.md"
    (tmp_path / "bench.md").write_text("# Prose before\n")
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_peers.py"), "--smoke", "--peers", "none",
                          "--out", str(out)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COURSE_LIB_QUIET": "1"})
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert text.startswith("# Prose before\n")  # the prose around the results block is kept
    assert [m for m in re.findall(r"^### (\w+)$", text, re.M)] == ["DIN", "DIEN", "DCN", "MMoE"]
    rows = [ROW.match(line) for line in text.splitlines() if line.startswith("| course_lib")]
    assert all(rows) and [r[1] for r in rows] == ["click"] * 4 + ["conversion"]  # MMoE: both tasks
    for r in rows:
        auc, gauc, throughput = float(r[2]), float(r[3]), int(r[4])
        assert 0 < auc < 1 and 0 < gauc < 1 and throughput > 0
        assert float(r[6]) == 1.0  # course_lib against itself
    assert "torch.set_num_threads(1)" in text and "| course_lib | click |" in run.stdout


def test_unknown_peer_is_a_clear_error(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_peers.py"), "--smoke",
                          "--peers", "tensorflow", "--out", str(tmp_path / "b.md")], capture_output=True, text=True)
    assert run.returncode != 0 and "unknown peer or model ['tensorflow']" in run.stderr
    assert not (tmp_path / "b.md").exists()
