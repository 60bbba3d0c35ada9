"""Chapter 4 exercises: references agree with course_lib.nn.cross, every known mistake is named."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.exercises import dcn as ex
from course_lib.exercises import registry
from course_lib.nn import cross_layer_low_rank, cross_layer_v1, cross_layer_v2

EXERCISES = [ex.cross_layer_v1, ex.cross_layer_v2, ex.low_rank_cross]


pytestmark = pytest.mark.usefixtures("exercise_progress")  # tests/conftest.py


def test_registry_has_the_three_exercises():
    for e in EXERCISES:
        assert registry()[e.id] is e


def test_references_match_course_lib_on_every_case():
    for case in ex.cross_layer_v1.cases():
        assert_close(ex.cross_layer_v1.reference(*case.args), cross_layer_v1(*case.args))
    for case in ex.cross_layer_v2.cases():
        assert_close(ex.cross_layer_v2.reference(*case.args), cross_layer_v2(*case.args))
    for case in ex.low_rank_cross.cases():
        x0, xl, U, V, b = case.args
        assert_close(ex.low_rank_cross.reference(*case.args), cross_layer_low_rank(x0, xl, U, V, b))


def test_v1_reference_by_hand():
    x0, xl = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, -1.0]])
    out = ex.cross_layer_v1.reference(x0, xl, torch.tensor([0.5, 2.0]), torch.tensor([0.1, -0.2]))
    assert_close(out, torch.tensor([[2.6, -2.2]]))  # x_l^T w = -0.5: [-0.5, -1] + b + x_l


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_reference_passes(exercise):
    assert exercise.check(exercise.reference)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_known_mistake_is_named(exercise):
    for mistake in exercise.mistakes:
        result = exercise.check(mistake.wrong)
        assert not result and result.message.startswith(mistake.message), (mistake.message, result.message)


def test_mistakes_are_caught_by_a_case_where_x0_differs_from_xl():
    # swapping x_0 and x_l is invisible in the first layer: the cases must include a deeper layer
    for e in EXERCISES:
        assert any(not torch.equal(c.args[0], c.args[1]) for c in e.cases())


def test_mixing_the_batch_is_named():
    def batch_sum(x0, xl, w, b):
        return x0 * (xl @ w).sum() + b + xl  # one scalar for the whole batch
    result = ex.cross_layer_v1.check(batch_sum)
    assert not result and "the examples of the batch interact" in result.message


def test_other_correct_solutions_pass():
    assert ex.cross_layer_v1.check(lambda x0, xl, w, b: torch.einsum("bi,bj,j->bi", x0, xl, w) + b + xl)
    assert ex.cross_layer_v2.check(lambda x0, xl, W, b: x0 * (W @ xl.T).T + x0 * b + xl)
    assert ex.low_rank_cross.check(lambda x0, xl, U, V, b: x0 * (xl @ (U @ V.T).T + b) + xl)
