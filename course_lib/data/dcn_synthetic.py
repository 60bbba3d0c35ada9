"""Targets of the DCN-V2 synthetic study (Wang et al., "DCN V2", WWW 2021, arXiv 2008.13535): can a cross
network or a ReLU network learn a known polynomial of x ~ U[-1, 1]^d?

    f1(x) = x1^2 + x1 x2 + x3 x1 + x4 x1                       d = 4
    f2(x) = x1^2 + 0.1 x1 x2 + x2 x3 + 0.1 x3^2                 d = 3
    f3(x) = sum_{(i, j) in S} w_ij x_i x_j,  |S| = 100          d = 100
    homogeneous polynomial of order k: sum of m monomials x_{i1} ... x_{ik} with weights w

The paper does not publish how S, w and the monomials are drawn; here S holds 100 distinct pairs i < j,
w ~ N(0, 1), and the monomials' indices are uniform (repeats allowed, so x1^2 x3 can occur).
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

Target = Callable[[Tensor], Tensor]  # x (N, d) -> y (N,)


def sample_inputs(n: int, d: int, seed: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """x (n, d) uniform on [-1, 1], reproducible by ``seed``."""
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=g, dtype=dtype) * 2 - 1)


def f1(x: Tensor) -> Tensor:
    x1, x2, x3, x4 = x.unbind(-1)
    return x1 ** 2 + x1 * x2 + x3 * x1 + x4 * x1


def f2(x: Tensor) -> Tensor:
    x1, x2, x3 = x.unbind(-1)
    return x1 ** 2 + 0.1 * x1 * x2 + x2 * x3 + 0.1 * x3 ** 2


def make_f3(d: int = 100, n_pairs: int = 100, seed: int = 0) -> Target:
    """f3: a weighted sum of ``n_pairs`` distinct crosses x_i x_j (i < j) of x in R^d."""
    g = torch.Generator().manual_seed(seed)
    i, j = torch.triu_indices(d, d, offset=1)  # every pair i < j
    pick = torch.randperm(len(i), generator=g)[:n_pairs]
    i, j, w = i[pick], j[pick], torch.randn(n_pairs, generator=g, dtype=torch.float64)
    return lambda x: (x[:, i] * x[:, j] * w.to(x.dtype)).sum(-1)  # (N,)


def make_homogeneous(d: int, order: int, n_terms: int, seed: int = 0) -> Target:
    """A homogeneous polynomial of degree ``order``: ``n_terms`` monomials with N(0, 1) weights."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, d, (n_terms, order), generator=g)  # (m, k) variable of each factor
    w = torch.randn(n_terms, generator=g, dtype=torch.float64)
    return lambda x: (x[:, idx].prod(-1) * w.to(x.dtype)).sum(-1)  # (N, m, k) -> (N,)
