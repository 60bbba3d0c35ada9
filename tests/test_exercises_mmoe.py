"""Chapter 5 exercises: references agree with course_lib.models.mmoe, probes name the overflow and the row sums."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.exercises import mmoe as ex
from course_lib.exercises import registry
from course_lib.models import mmoe


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def test_registry_has_both_exercises():
    assert registry()["mmoe.softmax_gate"] is ex.softmax_gate
    assert registry()["mmoe.mix_experts"] is ex.mix_experts


def test_references_match_course_lib_on_every_case():
    for case in ex.softmax_gate.cases():
        assert_close(ex.softmax_gate.reference(*case.args), mmoe.softmax_gate(*case.args))
    for case in ex.mix_experts.cases():
        assert_close(ex.mix_experts.reference(*case.args), mmoe.mix_experts(*case.args))


def test_gate_reference_by_hand():
    x, w = torch.tensor([[1.0, 1.0]]), torch.tensor([[1.0, 0.0], [1.0, 1.0]])  # logits (1, 2)
    e = torch.e
    assert_close(ex.softmax_gate.reference(x, w), torch.tensor([[e / (e + e ** 2), e ** 2 / (e + e ** 2)]]))


def test_naive_softmax_overflow_is_named():
    def naive(x, w):
        logits = x @ w.T
        return logits.exp() / logits.exp().sum(-1, keepdim=True)
    assert ex.softmax_gate.check(naive).message.startswith("large logits gave inf or NaN: exp overflowed")


def test_rows_that_do_not_sum_to_one_are_named():
    def halves(x, w):
        return torch.softmax(x @ w.T, -1) / 2
    assert ex.softmax_gate.check(halves).message.startswith("the rows of your gate do not sum to 1")


def test_einsum_solution_passes():
    assert ex.mix_experts.check(lambda g, e: torch.einsum("kbe,beh->kbh", g, e))
    assert ex.softmax_gate.check(lambda x, w: torch.softmax(torch.einsum("bd,ed->be", x, w), dim=1))
