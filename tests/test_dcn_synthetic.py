"""Targets of the DCN-V2 synthetic study: values by hand, homogeneity, reproducibility."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.data.dcn_synthetic import f1, f2, make_f3, make_homogeneous, sample_inputs


def test_f1_and_f2_by_hand():
    x = torch.tensor([[1.0, 2.0, 3.0, -1.0]], dtype=torch.float64)
    assert_close(f1(x), torch.tensor([1 + 2 + 3 - 1], dtype=torch.float64))  # x1^2 + x1x2 + x3x1 + x4x1
    x = torch.tensor([[2.0, -1.0, 3.0]], dtype=torch.float64)
    assert_close(f2(x), torch.tensor([4 - 0.2 - 3 + 0.9], dtype=torch.float64))  # x1^2 + .1x1x2 + x2x3 + .1x3^2


def test_inputs_are_uniform_on_the_cube_and_reproducible():
    x = sample_inputs(5000, 3, seed=0)
    assert x.dtype == torch.float64 and x.min() >= -1 and x.max() <= 1
    assert abs(x.mean().item()) < 0.03 and abs(x.var().item() - 1 / 3) < 0.02  # U[-1, 1]: mean 0, variance 1/3
    assert torch.equal(x, sample_inputs(5000, 3, seed=0))


@pytest.mark.parametrize("make,degree", [(lambda: make_f3(d=100, n_pairs=100, seed=0), 2),
                                         (lambda: make_homogeneous(d=4, order=3, n_terms=5, seed=0), 3),
                                         (lambda: make_homogeneous(d=6, order=4, n_terms=7, seed=1), 4)])
def test_targets_are_homogeneous_of_their_degree(make, degree):
    f = make()
    d = 100 if degree == 2 else (4 if degree == 3 else 6)
    x = sample_inputs(10, d, seed=3)
    assert_close(f(1.7 * x), 1.7 ** degree * f(x))
    assert f(x).abs().max() > 0


def test_f3_uses_distinct_pairs_of_distinct_variables():
    f = make_f3(d=6, n_pairs=15, seed=0)  # all 15 pairs i < j of 6 variables
    x = torch.zeros(1, 6, dtype=torch.float64)
    x[0, 0] = 1.0
    assert_close(f(x), torch.zeros(1, dtype=torch.float64))  # no square terms: x_i alone gives 0
    assert_close(make_f3(d=6, n_pairs=15, seed=0)(sample_inputs(3, 6, 1)), f(sample_inputs(3, 6, 1)))
