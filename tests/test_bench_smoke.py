"""The benchmark script end to end on tiny data, course_lib only (the peers are an optional extra)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks.compare_peers import chosen_rates
from benchmarks.harness import prepare, take
from benchmarks.perf import floor
from benchmarks.perf.step_phases import Stepper
from benchmarks.settings import Settings
from benchmarks.workload import make_data

ROOT = Path(__file__).resolve().parent.parent
# The scripts run as modules of the benchmarks package, from the repository root (as the Makefile runs them).
COMPARE = [sys.executable, "-m", "benchmarks.compare_peers"]
STEP_PHASES = [sys.executable, "-m", "benchmarks.perf.step_phases"]
NOTEBOOK_TIMES = [sys.executable, "-m", "benchmarks.notebook_times"]
ROW = re.compile(r"^\| course_lib \| (\w+) \| ([\d.]+) ± [\d.]+ \| ([\d.]+) ± [\d.]+ \| (\d+) \| (-?[\d.]+) \| "
                 r"([\d.]+) \| ([\d.]+) \|$")


def test_smoke_run_writes_one_table_per_model(tmp_path):
    out = tmp_path / "bench.md"
    (tmp_path / "bench.md").write_text("# Prose before\n")
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "none", "--out", str(out)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={**os.environ, "COURSE_LIB_QUIET": "1"})
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert text.startswith("# Prose before\n")  # the prose around the results block is kept
    assert [m for m in re.findall(r"^### (\w+)$", text, re.M)] == ["DIN", "DIEN", "DCN", "MMoE"]
    rows = [ROW.match(line) for line in text.splitlines() if line.startswith("| course_lib")]
    assert all(rows), [line for line in text.splitlines() if line.startswith("| course_lib")]
    assert [r[1] for r in rows] == ["click"] * 4 + ["conversion"]  # MMoE: both tasks
    for r in rows:
        auc, gauc, throughput = float(r[2]), float(r[3]), int(r[4])
        assert 0 < auc < 1 and 0 < gauc < 1 and throughput > 0
        assert float(r[6]) == 1.0  # course_lib against itself
    assert "torch.set_num_threads(1)" in text and "| course_lib | click |" in run.stdout


def test_own_loops_write_their_block_beside_the_results(tmp_path):
    out = tmp_path / "bench.md"
    out.write_text("# Prose\n<!-- results: written by benchmarks/compare_peers.py -->\nkept\n<!-- end of results -->\n")
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "none", "--own-loops", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "COURSE_LIB_QUIET": "1"})
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert "\nkept\n" in text and "<!-- end of own loops -->" in text  # the results block is left alone
    assert "Loops: course_lib: `course_lib.train.fit`." in text
    assert "Adam: `fused=True` in course_lib's `fit`, PyTorch's default in the peers' loops." in text
    rows = re.findall(r"^\| (\w+) \| course_lib \| (\d+) ± \d+ \| ([\d.]+) \|$", text, re.M)
    assert [r[0] for r in rows] == ["DIN", "DIEN", "DCN", "MMoE"]
    assert all(int(r[1]) > 0 and r[2] == "1.00" for r in rows)


def test_fused_adam_for_the_peers_goes_with_the_own_loops_only(tmp_path):
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "none", "--fused-adam", "--out", str(tmp_path / "b.md")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "--fused-adam goes with --own-loops" in run.stderr
    assert not (tmp_path / "b.md").exists()


def test_course_lib_own_loop_is_fit_and_trains_the_model():
    s = Settings.smoke()
    run = prepare("course_lib", "MMoE", 0, s)
    before = [p.detach().clone() for p in run.net.parameters()]
    run.adapter.own_loop(run, "MMoE", 0, s)()
    assert all(not torch.equal(a, b) for a, b in zip(before, run.net.parameters()))  # every tensor was updated


def test_unknown_peer_is_a_clear_error(tmp_path):
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "tensorflow", "--out", str(tmp_path / "b.md")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "unknown peer or model ['tensorflow']" in run.stderr
    assert not (tmp_path / "b.md").exists()


def test_learning_rate_sweep_writes_its_own_block_beside_the_results(tmp_path):
    out = tmp_path / "bench.md"
    out.write_text("# Prose\n<!-- results: written by benchmarks/compare_peers.py -->\nkept\n<!-- end of results -->\n")
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "none", "--models", "DCN", "--lrs", "1e-3,1e-2",
                          "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "COURSE_LIB_QUIET": "1"})
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert "\nkept\n" in text and "<!-- end of sweep -->" in text  # the results block is left alone
    assert re.search(r"^\| library \| task \| lr 0\.001 \| lr 0\.01 \|$", text, re.M)
    row = re.search(r"^\| course_lib \| click \| ([\d.]+) ± [\d.]+ \| ([\d.]+) ± [\d.]+ \|$", text, re.M)
    assert row and all(0 < float(v) < 1 for v in row.groups())
    assert float(row[1]) != float(row[2])  # a different learning rate trains a different model
    assert "(70% train, 10% validation, 20% test)" in text
    chosen = re.search(r"^\| course_lib \| (0\.001|0\.01) \| click \| ([\d.]+) ± [\d.]+ \| ([\d.]+) ± [\d.]+ \|$",
                       text, re.M)
    assert chosen and float(chosen[3]) == float(row[1 if chosen[1] == "0.001" else 2])  # the grid's test AUC


def test_the_rate_is_chosen_on_the_validation_rows_not_the_test_rows():
    def run(lib, lr, seed, valid, test):
        return dict(library=lib, model="DCN", lr=lr, seed=seed, click=dict(auc=test), valid=dict(click=dict(auc=valid)))
    results = [run("course_lib", 1e-3, 0, 0.70, 0.80), run("course_lib", 1e-3, 1, 0.72, 0.82),  # best on test
               run("course_lib", 1e-2, 0, 0.75, 0.60), run("course_lib", 1e-2, 1, 0.77, 0.62)]  # best on validation
    table = chosen_rates(results, ["DCN"], [1e-3, 1e-2])
    assert "| course_lib | 0.01 | click | 0.7600 ± 0.0141 | 0.6100 ± 0.0141 |" in table.splitlines()


def test_validation_rows_come_out_of_training_and_leave_the_test_rows_alone():
    s = Settings.smoke()
    train, valid, test = make_data(s)
    assert valid is None
    train_v, valid_v, test_v = make_data(s.sweep(1e-2))
    assert torch.equal(test_v.features["hist_item"], test.features["hist_item"])
    assert len(valid_v) == round(0.1 * s.n_samples) and len(train_v) + len(valid_v) == len(train)


def test_learning_rates_must_be_numbers(tmp_path):
    run = subprocess.run([*COMPARE, "--smoke", "--peers", "none", "--lrs", "fast", "--out", str(tmp_path / "b.md")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "--lrs takes comma-separated numbers" in run.stderr


def test_step_phases_prints_one_row_per_model_and_library():
    run = subprocess.run([*STEP_PHASES, "--models", "DCN,MMoE", "--libraries", "course_lib", "--rounds", "2",
                          "--steps", "3"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "COURSE_LIB_QUIET": "1"})
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^\| (DCN|MMoE) course_lib \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| "
                      r"([\d.]+) \|$", run.stdout, re.M)
    assert [r[0] for r in rows] == ["DCN", "MMoE"]
    for _, *ms, ratio in rows:
        *parts, total = map(float, ms)
        assert all(p > 0 for p in parts) and abs(total - sum(parts)) <= 0.25 * total  # medians: roughly the sum
        assert ratio == "1.00"  # course_lib against itself, round by round


def test_step_phases_times_each_adam_implementation_and_refuses_an_unknown_one():
    script = [*STEP_PHASES, "--models", "DCN", "--libraries", "course_lib", "--rounds", "2", "--steps", "3"]
    env = {**os.environ, "COURSE_LIB_QUIET": "1"}
    run = subprocess.run([*script, "--adams", "default,fused"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env=env)
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^\| DCN (course_lib(?: \(Adam fused\))?) \|.* \| ([\d.]+) \|$", run.stdout, re.M)
    assert [r[0] for r in rows] == ["course_lib", "course_lib (Adam fused)"] and rows[0][1] == "1.00"
    bad = subprocess.run([*script, "--adams", "sgd"], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert bad.returncode != 0 and "--adams takes default, foreach and fused" in bad.stderr
    for adam in ("foreach", "fused"):  # the row's label names the Adam that really steps
        assert Stepper("course_lib", "DCN", Settings.smoke(), adam).run.optimizer.defaults[adam] is True


def test_the_floor_models_compute_course_libs_function_with_one_table():
    """The floor rewrites course_lib's DCN and MMoE for speed: from the same weights, the same logits and gradients.

    Every weight is redrawn first, padding rows and cross biases included, so a floor that dropped the history
    mask or moved DCN's bias out of the product would differ."""
    s = Settings.smoke()
    rename = {"cross.W": "W", "cross.b": "b"}  # DCN's cross weights sit at the floor model's top level
    for model, rewrite in (("DCN", floor.FloorDCN), ("MMoE", floor.FloorMultiTask)):
        ours = prepare("course_lib", model, 0, s)
        with torch.no_grad():
            for p in ours.net.parameters():
                p.normal_(std=0.1)
        fast = rewrite(ours.net)
        batch = take(ours.x_train, torch.arange(64))
        logits, fast_logits = ours.net(batch), fast(batch)
        torch.testing.assert_close(fast_logits, logits)
        logits.sum().backward()
        fast_logits.sum().backward()
        tables = [ours.net.embed.tables[f].weight.grad for f in fast.fields.fields]
        torch.testing.assert_close(fast.fields.table.grad, torch.cat(tables))  # every field's rows, once
        grads = {rename.get(n, n): p.grad for n, p in ours.net.named_parameters() if not n.startswith("embed.")}
        fast_grads = {n: p.grad for n, p in fast.named_parameters() if n != "fields.table"}
        assert fast_grads.keys() == grads.keys()
        for name, grad in fast_grads.items():
            torch.testing.assert_close(grad, grads[name])
    with pytest.raises(ValueError, match="the floor covers DCN and MMoE"):
        prepare("floor", "DIN", 0, s)


def test_notebook_times_names_each_notebook_its_slowest_cell_and_the_budget(tmp_path):
    out = tmp_path / "times.md"
    run = subprocess.run([*NOTEBOOK_TIMES, "--notebooks",
                          str(ROOT / "tests" / "fixtures" / "exercise_notebook.ipynb"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    row = re.search(r"^\| exercise_notebook\.ipynb \| ([\d.]+) \| (\d+): `[^`]+` \| ([\d.]+) \| 90 s: (within|OVER) \|$",
                    text, re.M)
    assert row and 0 < float(row[3]) <= float(row[1]) and int(row[2]) >= 1  # a cell takes part of the whole
    assert re.search(r"^\| all 1 \| ([\d.]+) \| \| \| 360 s: (within|OVER) \|$", text, re.M)
    assert "<!-- end of notebook times -->" in text


def test_notebook_times_refuses_a_missing_notebook(tmp_path):
    run = subprocess.run([*NOTEBOOK_TIMES, "--notebooks", str(tmp_path / "nope.ipynb"), "--out",
                          str(tmp_path / "t.md")], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "no such notebook" in run.stderr and not (tmp_path / "t.md").exists()
