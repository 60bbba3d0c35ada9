"""The exercise checker: a right function passes, a known mistake is named, an exception or a wrong shape is
reported (never raised), the verdict is reproducible and leaves the notebook's RNG alone, progress is saved,
grading mode raises; and every chapter's exercises pass their own reference and name their own mistakes."""
import importlib
import json
import os
from pathlib import Path

import pytest
import torch

from course_lib.exercises import Case, CheckResult, Exercise, Mistake, registry
from course_lib.exercises.core import NOT_DONE
from course_lib.progress_file import load
from course_lib.chapters import BY_KEY


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_LIB_GRADING", raising=False)
    return tmp_path


def masked_sum(x, mask):
    """x (B, T, D), mask (B, T) bool -> (B, D)."""
    return torch.einsum("btd,bt->bd", x, mask.float())


def cases():
    x = torch.randn(4, 5, 3)  # under the checker's fixed seed
    return [Case((x, torch.rand(4, 5) > 0.4), "a random batch"),
            Case((x[:1], torch.zeros(1, 5, dtype=torch.bool)), "an empty history")]


def padding_probe(fn):
    x, mask = torch.ones(1, 2, 1), torch.tensor([[True, False]])
    return "padding positions changed the output: apply the mask" if fn(x, mask).sum() != 1 else None


EX = Exercise(
    id="emb.test_masked_sum", title="Masked sum", reference=masked_sum, cases=cases,
    hint_text="Zero the padding rows, then sum over T.",
    mistakes=(Mistake("you averaged instead of summing", lambda x, m: masked_sum(x, m) / 5),),
    probes=(padding_probe,))


def test_a_right_function_passes_and_is_recorded(capsys, data_dir):
    result = EX.check(lambda x, mask: (x * mask.unsqueeze(-1)).sum(dim=1))
    assert result and isinstance(result, CheckResult) and result.message is None and EX.passed
    assert "✅ Correct: Masked sum matches the reference" in capsys.readouterr().out
    saved = json.loads((data_dir / "progress.json").read_text())["exercises"]["emb.test_masked_sum"]
    assert (saved["attempts"], saved["passed"]) == (1, True)


def verdict(fn, capsys) -> str:
    result = EX.check(fn)
    assert not result and not EX.passed
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet: ") and "Call .hint(); stuck? .solution()" in out
    assert result.message in out
    return result.message


def test_a_known_mistake_is_named(capsys):
    message = verdict(lambda x, mask: (x * mask.unsqueeze(-1)).mean(dim=1), capsys)
    assert message == "you averaged instead of summing (input: a random batch)"


def test_a_mistake_that_changes_the_shape_is_named_before_the_shape():
    ex = Exercise(id="emb.test_keepdim", title="Sum", reference=lambda x: x.sum(1), cases=lambda: [
        Case((torch.ones(2, 3),), "ones")], hint_text="",
        mistakes=(Mistake("keepdim=True leaves a dimension of size 1: drop it", lambda x: x.sum(1, keepdim=True)),))
    assert ex.check(lambda x: x.sum(1, keepdim=True)).message.startswith("keepdim=True leaves")


def test_an_exception_is_reported_not_raised(capsys):
    def raises(x, mask):
        raise KeyError("hist_len")
    assert verdict(raises, capsys) == "your function raised KeyError: 'hist_len' (input: a random batch)"
    assert verdict(lambda x, mask: x @ mask, capsys).startswith("your function raised RuntimeError")


def test_the_blank_stub_is_not_done_yet_and_not_an_attempt(capsys, monkeypatch):
    def stub(x, mask):
        raise NotImplementedError()  # what the learner's copy and nbgrader's student version contain
    result = EX.check(stub)
    assert not result and result.message == NOT_DONE
    assert capsys.readouterr().out == f"⏳ Not done yet: {NOT_DONE}\n"
    assert EX.id not in load()["exercises"]  # nothing recorded: the learner has not tried yet
    monkeypatch.setenv("COURSE_LIB_GRADING", "1")
    with pytest.raises(AssertionError, match="not done"):  # nbgrader scores an unfilled exercise 0
        EX.check(stub)


def test_a_wrong_shape_or_type_is_named(capsys):
    assert verdict(lambda x, mask: (x * mask.unsqueeze(-1)).sum(dim=1, keepdim=True), capsys) == \
        "returned shape (4, 1, 3), expected (4, 3) (input: a random batch)"
    assert verdict(lambda x, mask: None, capsys).startswith("your function returned None: did you forget `return`?")
    assert verdict(lambda x, mask: [[0.0]], capsys).startswith("returned a list of 1, expected a tensor of shape (4, 3)")


def test_a_probe_names_the_mistake_when_no_known_one_matches(capsys):
    assert verdict(lambda x, mask: x.sum(dim=1), capsys) == "padding positions changed the output: apply the mask"


def test_other_wrong_values_show_where(capsys):
    def off_by_one(x, mask):
        out = masked_sum(x, mask)
        out[2, 1] += 1
        return out
    message = verdict(off_by_one, capsys)
    assert message.startswith("wrong values on a random batch: largest difference at index (2, 1): expected ")


def test_tuples_of_tensors_are_compared_elementwise():
    ex = Exercise(id="emb.test_pair", title="Pair", reference=lambda x: (x + 1, x.sum()), hint_text="",
                  cases=lambda: [Case((torch.arange(3.0),), "a range")])
    assert ex.check(lambda x: (x + 1, x.sum()))
    assert ex.check(lambda x: (x + 1, x.sum() + 1)).message == \
        "wrong values on a range: output 1: largest difference: expected 3, got 4"
    assert ex.check(lambda x: (x + 1,)).message.startswith("returned a tuple of 1, expected a tuple of 2")


def test_the_verdict_is_reproducible_and_leaves_the_rng_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = EX.check(lambda x, mask: x.sum(dim=1) + 0.5)
    second = EX.check(lambda x, mask: x.sum(dim=1) + 0.5)
    assert first.message == second.message  # same inputs each time
    assert torch.equal(torch.rand(3), expected_next)  # the caller's random stream did not move


def test_progress_counts_attempts_and_keeps_a_pass(data_dir):
    EX.check(lambda x, mask: x)
    EX.check(masked_sum)
    EX.check(lambda x, mask: x)
    saved = json.loads((data_dir / "progress.json").read_text())["exercises"]["emb.test_masked_sum"]
    assert (saved["attempts"], saved["passed"]) == (3, True)


def test_grading_mode_raises_on_failure_only(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LIB_GRADING", "1")
    assert EX.check(masked_sum)
    with pytest.raises(AssertionError, match="emb.test_masked_sum: you averaged instead of summing"):
        EX.check(lambda x, mask: masked_sum(x, mask) / 5)
    assert "❌ Not yet: you averaged" in capsys.readouterr().out  # the learner-facing message is printed too


def test_hint_and_solution(capsys):
    EX.hint()
    EX.solution()
    out = capsys.readouterr().out
    assert "💡 Hint: Zero the padding rows" in out
    assert 'def masked_sum(x, mask):\n    """x (B, T, D)' in out and "einsum" in out


def test_a_check_shows_no_stray_value_in_a_notebook():
    result = EX.check(masked_sum)
    assert result._ipython_display_() is None  # IPython calls this instead of printing `True`


# ---------------------------------------------------------------- the chapters' exercises

def test_exercise_ids_name_their_chapter_module():
    for eid, ex in registry().items():
        key, _, name = eid.partition(".")
        assert key in BY_KEY and name, eid
        module = importlib.import_module(f"course_lib.exercises.{key}")  # emb.masked_mean lives in emb.py
        assert any(v is ex for v in vars(module).values()), eid


@pytest.mark.parametrize("key", ["emb", "din", "dien", "dcn", "mmoe", "ple"])
def test_each_chapter_has_at_least_2_exercises(key):
    n = sum(eid.startswith(key + ".") for eid in registry())
    assert n >= 2, f"course_lib/exercises/{key}.py defines {n} exercises, needs at least 2"


def test_every_exercise_passes_its_reference_and_names_each_of_its_mistakes(capsys):
    problems = []
    for eid, ex in registry().items():
        if not ex.check(ex.reference):
            problems.append(f"{eid}: its own reference fails")
        for mistake in ex.mistakes:
            message = ex.check(mistake.wrong).message or ""
            if not message.startswith(mistake.message):
                problems.append(f"{eid}: the mistake {mistake.message[:40]!r}... is reported as {message[:60]!r}")
        if not ex.hint_text.strip():
            problems.append(f"{eid}: no hint")
    capsys.readouterr()
    assert not problems
    assert os.environ["COURSE_LIB_DATA_DIR"]  # all those checks went to the throwaway folder
