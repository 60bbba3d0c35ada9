"""Chapter 2 exercises: references agree with course_lib's DIN code, and typical mistakes are named."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.exercises import din as ex
from course_lib.exercises import registry
from course_lib.data import history_mask
from course_lib.nn import Dice, attention_pool
from course_lib.nn import unit_input as lib_unit_input


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def test_registry_has_the_three_exercises():
    for name in ("unit_input", "dice", "weighted_pool"):
        assert registry()[f"din.{name}"] is getattr(ex, name)


def test_unit_input_reference_matches_course_lib():
    torch.manual_seed(0)
    q, k = torch.randn(3, 4), torch.randn(3, 5, 4)
    assert_close(ex.unit_input.reference(q, k), lib_unit_input(q.unsqueeze(1).expand(3, 5, 4), k))


def test_dice_reference_matches_the_module_in_training_mode():
    torch.manual_seed(1)
    x, layer = torch.randn(10, 6) * 2 + 1, Dice(6).train()
    assert_close(ex.dice.reference(x, layer.alpha.detach()), layer(x))


def test_weighted_pool_reference_by_hand_and_against_attention_pool():
    scores = torch.tensor([[2.0, -1.0, 7.0]])
    keys = torch.tensor([[[1.0, 0.0], [1.0, 1.0], [9.0, 9.0]]])
    assert_close(ex.weighted_pool.reference(scores, keys, torch.tensor([2])), torch.tensor([[1.0, -1.0]]))
    torch.manual_seed(2)
    scores, keys, lengths = torch.randn(4, 6), torch.randn(4, 6, 3), torch.tensor([6, 2, 0, 4])
    lookup = lambda q, k: scores[history_mask(lengths, 6)]  # noqa: E731  the scores in attention_pool's order
    pooled, _ = attention_pool(torch.zeros(4, 3), keys, history_mask(lengths, 6), lookup, "none")
    assert_close(ex.weighted_pool.reference(scores, keys, lengths), pooled)


def test_dice_without_eps_is_told_about_the_zero_variance(capsys):
    def no_eps(x, alpha, eps=1e-8):
        p = torch.sigmoid((x - x.mean(0)) / x.std(0, unbiased=False))
        return p * x + (1 - p) * alpha * x
    result = ex.dice.check(no_eps)
    assert not result and result.message.startswith("a neuron with the same value in every row gave NaN")


def test_a_mask_built_from_nonzero_keys_is_caught(capsys):
    def nonzero_mask(scores, keys, hist_len):  # relies on padding keys being zero vectors
        mask = keys.abs().sum(-1) > 0
        return ((scores * mask).unsqueeze(-1) * keys).sum(1)
    result = ex.weighted_pool.check(nonzero_mask)
    assert not result and "padding" in result.message
