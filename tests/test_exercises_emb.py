"""Chapter 1 exercises: references agree with course_lib, every known mistake is named, progress is saved."""
import warnings

import pytest
import torch

from course_lib import metrics
from course_lib.exercises import emb as ex
from course_lib.exercises import registry
from course_lib.progress_file import load


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def verdict(exercise, fn, capsys) -> str:
    """What check(fn) prints (it must fail)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns about one-class users in the wrong functions
        assert not exercise.check(fn)
    return capsys.readouterr().out


def test_registry_has_both_exercises():
    assert registry()["emb.masked_mean"] is ex.masked_mean
    assert registry()["emb.gauc"] is ex.gauc


def test_masked_mean_reference_by_hand():
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [50.0, -50.0]],
                      [[5.0, 6.0], [70.0, 70.0], [80.0, 80.0]],
                      [[9.0, 9.0], [9.0, 9.0], [9.0, 9.0]]])  # (B=3, T=3, D=2), padding holds junk
    hist_len = torch.tensor([2, 1, 0])
    expected = torch.tensor([[2.0, 3.0], [5.0, 6.0], [0.0, 0.0]])  # an empty history pools to zeros
    torch.testing.assert_close(ex.masked_mean.reference(x, hist_len), expected)


def test_gauc_reference_matches_course_lib_metrics_on_every_case():
    for case in ex.gauc.cases():
        assert ex.gauc.reference(*case.args) == pytest.approx(metrics.gauc(*case.args), abs=1e-12), case.note


def test_gauc_cases_hold_what_their_notes_say():
    random, single_class, ties, one_user = (c.args for c in ex.gauc.cases())
    y, _, user = single_class
    assert y[user == 42].eq(1).all() and y[user == 43].eq(0).all()
    _, score, _ = ties
    assert len(torch.unique(score)) < len(score) // 4
    assert len(torch.unique(one_user[2])) == 1
    y, score, user = random
    assert metrics.auc(y, score) != pytest.approx(metrics.gauc(y, score, user), abs=1e-3)  # user bias shows


@pytest.mark.parametrize("exercise", [ex.masked_mean, ex.gauc], ids=lambda e: e.id)
def test_reference_passes_its_own_check_and_records_progress(exercise, exercise_progress):
    assert exercise.check(exercise.reference)
    saved = load()["exercises"][exercise.id]
    assert saved["attempts"] == 1 and saved["passed"] is True
    assert (exercise_progress / "progress.json").exists()


def test_a_failed_check_is_recorded_and_a_later_pass_sticks(capsys):
    verdict(ex.masked_mean, lambda x, hist_len: x.mean(1), capsys)
    saved = load()["exercises"]["emb.masked_mean"]
    assert saved["attempts"] == 1 and saved["passed"] is False
    ex.masked_mean.check(ex.masked_mean.reference)
    verdict(ex.masked_mean, lambda x, hist_len: x.mean(1), capsys)
    saved = load()["exercises"]["emb.masked_mean"]
    assert saved["attempts"] == 3 and saved["passed"] is True


@pytest.mark.parametrize("exercise", [ex.masked_mean, ex.gauc], ids=lambda e: e.id)
def test_every_known_mistake_is_named(exercise, capsys):
    for mistake in exercise.mistakes:
        assert mistake.message in verdict(exercise, mistake.wrong, capsys), mistake.message


def test_masked_mean_padding_that_is_not_zero_is_named(capsys):
    def counts_nonzero_rows(x, hist_len):  # trusts padding to be zero instead of using hist_len
        count = (x != 0).any(-1).sum(1).clamp(min=1)  # (B,)
        return x.sum(1) / count.unsqueeze(-1)
    assert ex.PADDING_MESSAGE in verdict(ex.masked_mean, counts_nonzero_rows, capsys)


def test_masked_mean_division_by_zero_is_named(capsys):
    def unclamped(x, hist_len):
        mask = torch.arange(x.shape[1]) < hist_len.unsqueeze(1)  # (B, T)
        return (x * mask.unsqueeze(-1)).sum(1) / hist_len.unsqueeze(1)
    assert ex.EMPTY_MESSAGE in verdict(ex.masked_mean, unclamped, capsys)


def test_masked_mean_loop_solution_passes():
    def loop(x, hist_len):
        out = torch.zeros(x.shape[0], x.shape[2])
        for b, n in enumerate(hist_len.tolist()):
            if n:
                out[b] = x[b, :n].mean(0)
        return out
    assert ex.masked_mean.check(loop)


def _sklearn_gauc(skip: bool):
    from sklearn.metrics import roc_auc_score

    def fn(y, score, user):
        num = den = 0.0
        for u in torch.unique(user):
            mine = user == u
            if skip and y[mine].min() == y[mine].max():
                continue
            num += int(mine.sum()) * roc_auc_score(y[mine], score[mine])
            den += int(mine.sum())
        return num / den
    return fn


def test_gauc_learner_solution_with_sklearn_passes():
    assert ex.gauc.check(_sklearn_gauc(skip=True))


def test_gauc_sklearn_nan_for_one_class_users_is_named(capsys):
    assert "your GAUC is NaN" in verdict(ex.gauc, _sklearn_gauc(skip=False), capsys)


def test_gauc_tensor_result_is_named(capsys):
    out = verdict(ex.gauc, lambda y, s, u: torch.tensor(ex.gauc.reference(y, s, u)), capsys)
    assert "return a Python float" in out


def test_gauc_single_class_users_counted_as_one_are_named(capsys):
    def as_one(y, score, user):
        num = den = 0.0
        for u in torch.unique(user):
            mine = user == u
            n = int(mine.sum())
            num += n * (metrics.auc(y[mine], score[mine]) if 0 < y[mine].sum() < n else 1.0)
            den += n
        return num / den
    assert "adding a user with only clicks changed your GAUC" in verdict(ex.gauc, as_one, capsys)


def test_checks_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.masked_mean.check(ex.masked_mean.reference)
    ex.gauc.check(ex.gauc.reference)
    torch.testing.assert_close(torch.rand(3), expected)
