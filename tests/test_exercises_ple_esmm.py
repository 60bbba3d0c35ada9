"""Chapter 6 exercises: references agree with course_lib.models, and each named mistake is caught."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.exercises import ple as ex
from course_lib.exercises import registry
from course_lib.models import esmm, mmoe
from course_lib.models.ple import CGC


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def test_registry_has_both_exercises():
    assert registry()["ple.cgc_gate"] is ex.cgc_gate
    assert registry()["ple.esmm_loss"] is ex.esmm_loss


def test_references_match_course_lib_on_every_case():
    for case in ex.cgc_gate.cases():
        x, w, own, shared = case.args
        expected = mmoe.mix_experts(mmoe.softmax_gate(x, w), torch.cat([own, shared], 1))
        assert_close(ex.cgc_gate.reference(*case.args), expected)
    for case in ex.esmm_loss.cases():
        assert_close(ex.esmm_loss.reference(*case.args), esmm.esmm_loss(*case.args))


def test_cgc_reference_equals_the_level_of_course_lib():
    torch.manual_seed(0)
    level = CGC(4, n_tasks=2, n_specific=2, n_shared=1, expert_hidden=3)
    x = torch.randn(5, 4)
    own, shared = level.specific[1](x), level.shared(x)
    assert_close(ex.cgc_gate.reference(x, level.W_g[1], own, shared), level([x, x, x])[1])


def test_esmm_reference_by_hand():
    # pCTR 0.5 (logit 0), pCVR 0.5 (logit 0): pCTCVR 0.25; click 1, conversion 1
    loss = ex.esmm_loss.reference(torch.zeros(1), torch.zeros(1), torch.ones(1), torch.ones(1))
    assert_close(loss, -torch.log(torch.tensor(0.5)) - torch.log(torch.tensor(0.25)))


def test_solutions_pass_and_each_mistake_is_named():
    for exercise in (ex.cgc_gate, ex.esmm_loss):
        assert exercise.check(exercise.reference)
        for mistake in exercise.mistakes:
            result = exercise.check(mistake.wrong)
            assert not result and result.message.startswith(mistake.message), (exercise.id, mistake.message)


def test_other_correct_solutions_pass():
    def einsum_gate(x, w, own, shared):
        return torch.einsum("be,beh->bh", torch.softmax(torch.einsum("bd,ed->be", x, w), 1), torch.cat([own, shared], 1))
    assert ex.cgc_gate.check(einsum_gate)

    def with_torch_bce(a, b, y, z):
        p = torch.sigmoid(a) * torch.sigmoid(b)  # torch's BCE clamps log at -100: finite, and equal on the cases
        return torch.nn.functional.binary_cross_entropy(torch.sigmoid(a), y) + torch.nn.functional.binary_cross_entropy(p, y * z)
    assert ex.esmm_loss.check(with_torch_bce)


def test_softmax_overflow_is_named():
    def naive_gate(x, w, own, shared):
        s = (x @ w.T).exp()
        return ((s / s.sum(-1, keepdim=True)).unsqueeze(-1) * torch.cat([own, shared], 1)).sum(1)
    assert ex.cgc_gate.check(naive_gate).message.startswith("large logits gave inf or NaN")

