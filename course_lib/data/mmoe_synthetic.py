"""Two regression tasks with a controllable correlation (MMoE paper, Section 3.2).

Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018:

    u1, u2 in R^d orthonormal
    w1 = c u1,   w2 = c (p u1 + sqrt(1 - p^2) u2)                   so cos(w1, w2) = p
    x ~ N(0, I_d)
    y_k = w_k^T x + sum_{i=1..m} sin(alpha_i w_k^T x + beta_i) + eps_k,   eps_k ~ N(0, 0.01)

The sines make the tasks non-linear, so the label correlation is not exactly p (it is for the linear part
alone) but falls as p falls. The paper does not state c, m, alpha_i, beta_i. This course uses

    c = 3, m = 10, alpha_i, beta_i ~ N(0, 1) drawn ONCE from a fixed generator (seed 2018): the same
    sinusoids for every call and both tasks; eps_k with variance 0.01 (std 0.1).

With c = 1 the sinusoids vary slowly over the range of w^T x and every model fits both tasks within a few
hundred steps, whatever p; c = 3 makes the tasks hard enough for the models to differ in a short run.

``seed`` draws the directions u1, u2, the inputs and the noise, so repeated runs see new data of the
same family, as in the paper's repeated experiments.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from ..errors import InputError

SHAPE_SEED = 2018  # the alpha_i, beta_i of the sinusoids, fixed across calls


class SyntheticTasks(NamedTuple):
    x: Tensor  # (N, d) inputs
    y: Tensor  # (N, 2) labels of task 1 and task 2
    w: Tensor  # (2, d) the task weight vectors w1, w2; cos(w1, w2) = p
    alpha: Tensor  # (m,)
    beta: Tensor  # (m,)


def sinusoid_params(m: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The fixed alpha_i, beta_i (i = 1..m) shared by both tasks and every call."""
    rng = np.random.default_rng(SHAPE_SEED)
    return rng.normal(size=m), rng.normal(size=m)


def task_weights(dim: int, p: float, c: float, rng: np.random.Generator) -> np.ndarray:
    """(2, dim): w1 = c u1, w2 = c (p u1 + sqrt(1 - p^2) u2) with u1, u2 random orthonormal."""
    q, _ = np.linalg.qr(rng.normal(size=(dim, 2)))  # (dim, 2) orthonormal columns
    u1, u2 = q[:, 0], q[:, 1]
    return np.stack([c * u1, c * (p * u1 + np.sqrt(1 - p ** 2) * u2)])


def mmoe_synthetic(n: int, dim: int = 100, p: float = 0.5, seed: int = 0, *, c: float = 3.0, m: int = 10,
                   noise_std: float = 0.1) -> SyntheticTasks:
    """``n`` examples of the paper's two regression tasks whose weight vectors have cosine ``p``."""
    if not -1 <= p <= 1:
        raise InputError(f"the task correlation p is a cosine in [-1, 1], got {p}")
    if dim < 2:
        raise InputError(f"need dim >= 2 for two orthogonal directions, got {dim}")
    rng = np.random.default_rng([seed, 5])
    w = task_weights(dim, p, c, rng)  # (2, d)
    alpha, beta = sinusoid_params(m)
    x = rng.normal(size=(n, dim))  # (N, d)
    z = x @ w.T  # (N, 2): w_k^T x
    y = z + np.sin(alpha * z[..., None] + beta).sum(-1) + noise_std * rng.normal(size=(n, 2))  # (N, 2)
    f = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    return SyntheticTasks(f(x), f(y), f(w), f(alpha), f(beta))
