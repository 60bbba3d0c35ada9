"""Chapter 3 exercises: references agree with course_lib's DIEN code, and typical mistakes are named."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from course_lib.exercises import dien as ex
from course_lib.exercises import registry
from course_lib.models.dien import auxiliary_loss
from course_lib.nn import masked_softmax
from course_lib.data import history_mask
from course_lib.nn import AUGRUCell

EXERCISES = [ex.aux_loss, ex.masked_softmax, ex.augru_step]


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def test_registry_has_the_three_exercises():
    for e in EXERCISES:
        assert registry()[e.id] is e


def test_aux_loss_reference_matches_course_lib_and_a_hand_computation():
    for case in ex.aux_loss.cases():
        h, e, e_neg, n = case.args
        pairs = history_mask(n, h.shape[1])[:, 1:]
        assert_close(ex.aux_loss.reference(*case.args), auxiliary_loss(h[:, :-1], e[:, 1:], e_neg[:, 1:], pairs))
    h = torch.tensor([[[1.0], [2.0], [5.0]]])  # B = 1, T = 3, H = 1, hist_len 2: one pair (h_0, e_1)
    e, e_neg = torch.tensor([[[0.0], [3.0], [0.0]]]), torch.tensor([[[0.0], [-1.0], [0.0]]])
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    by_hand = -(math.log(sig(3.0)) + math.log(1 - sig(-1.0)))
    assert_close(ex.aux_loss.reference(h, e, e_neg, torch.tensor([2])), torch.tensor(by_hand))


def test_masked_softmax_reference_matches_course_lib():
    for case in ex.masked_softmax.cases():
        scores, n = case.args
        assert_close(ex.masked_softmax.reference(scores, n), masked_softmax(scores, history_mask(n, scores.shape[1])))


def test_augru_step_reference_matches_the_cell():
    torch.manual_seed(0)
    cell = AUGRUCell(3, 4)
    x, h, a = torch.randn(5, 3), torch.randn(5, 4), torch.rand(5)
    with torch.no_grad():
        assert_close(ex.augru_step.reference(x, h, a, cell.weight_ih, cell.weight_hh, cell.bias), cell(x, h, a))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_reference_passes(exercise):
    assert exercise.check(exercise.reference)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_known_mistake_is_named(exercise):
    for mistake in exercise.mistakes:
        result = exercise.check(mistake.wrong)
        assert not result and result.message.startswith(mistake.message), (mistake.message, result.message)


def test_naive_logs_are_told_to_use_logsigmoid():
    def naive(h, e, e_neg, n):
        pairs = history_mask(n, h.shape[1])[:, 1:]
        p_pos = torch.sigmoid((h[:, :-1] * e[:, 1:]).sum(-1))
        p_neg = torch.sigmoid((h[:, :-1] * e_neg[:, 1:]).sum(-1))
        loss = -(torch.log(p_pos) + torch.log(1 - p_neg))
        return (loss * pairs).sum() / pairs.sum().clamp(min=1)
    result = ex.aux_loss.check(naive)
    assert not result and "logsigmoid" in result.message


def test_an_unguarded_empty_batch_is_told_about_0_over_0():
    def no_clamp(h, e, e_neg, n):
        pairs = history_mask(n, h.shape[1])[:, 1:]
        loss = -(F.logsigmoid((h[:, :-1] * e[:, 1:]).sum(-1)) + F.logsigmoid(-(h[:, :-1] * e_neg[:, 1:]).sum(-1)))
        return (loss * pairs).sum() / pairs.sum()
    result = ex.aux_loss.check(no_clamp)
    assert not result and "0 / 0" in result.message


def test_softmax_by_hand_without_max_shift_is_told_about_overflow():
    def by_hand(scores, n):
        mask = history_mask(n, scores.shape[1])
        ex_ = torch.exp(scores) * mask
        return ex_ / ex_.sum(-1, keepdim=True).clamp(min=1e-30)
    result = ex.masked_softmax.check(by_hand)
    assert not result and "overflow" in result.message


def test_other_correct_solutions_pass():
    def where_softmax(scores, n):
        mask = history_mask(n, scores.shape[1])
        return torch.softmax(scores.masked_fill(~mask, -1e9), -1) * mask
    assert ex.masked_softmax.check(where_softmax)

    def lerp_step(x, h, a, W, U, b):
        H = h.shape[1]
        gx, gh = x @ W.T + b, h @ U.T
        u = torch.sigmoid(gx[:, :H] + gh[:, :H])
        r = torch.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
        cand = torch.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
        return torch.lerp(h, cand, a[:, None] * u)
    assert ex.augru_step.check(lerp_step)
