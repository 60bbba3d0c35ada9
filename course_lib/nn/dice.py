"""Dice, the data-adaptive activation of DIN (Zhou et al., "Deep Interest Network for Click-Through Rate
Prediction", KDD 2018, section 5.2, Eq. (9)).

    f(s) = p(s) * s + (1 - p(s)) * alpha * s,      p(s) = sigmoid((s - E[s]) / sqrt(Var[s] + eps))   Eq. (9)

Per neuron: E[s] and Var[s] are the mini-batch mean and (biased) variance in training and moving averages
of them at inference; alpha is a learned slope. PReLU is the special case whose switch p(s) = 1[s > 0]
sits at a fixed point 0; Dice moves the switch to where the neuron's inputs actually lie and softens it.
With E[s] = 0 and Var[s] -> 0, p(s) -> 1[s > 0] and Dice becomes PReLU.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def switch(s: Tensor, z: Tensor, alpha: Tensor) -> Tensor:
    """f(s) of Eq. (9) given the standardized input z = (s - E[s]) / sqrt(Var[s] + eps)."""
    p = torch.sigmoid(z)  # the soft switch: weight of the identity slope
    return s * (alpha + (1 - alpha) * p)  # = p s + (1 - p) alpha s, with one product fewer


def dice(x: Tensor, mean: Tensor, var: Tensor, alpha: Tensor, eps: float = 1e-8) -> Tensor:
    """Eq. (9) for x (..., H) with per-neuron mean, var and alpha (H,)."""
    return switch(x, (x - mean) / torch.sqrt(var + eps), alpha)


class Dice(nn.Module):
    """Dice over the last dimension of x (..., H); statistics are taken over all other dimensions.

    The moving averages are kept as ``nn.BatchNorm1d`` keeps them: ``momentum`` weighs the newest batch, and
    the variance's average takes the unbiased estimate (N / (N - 1) times the one Eq. (9) standardizes
    with). ``alpha`` starts at 0.25, the slope the course's PReLU starts from, so Dice and PReLU differ
    only in the switch p(s).
    """

    def __init__(self, num_features: int, eps: float = 1e-8, momentum: float = 0.1, alpha_init: float = 0.25):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.alpha = nn.Parameter(torch.full((num_features,), alpha_init))  # (H,) one slope per neuron
        self.register_buffer("running_mean", torch.zeros(num_features))  # (H,)
        self.register_buffer("running_var", torch.ones(num_features))  # (H,)

    def forward(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, x.shape[-1])  # (N, H) every leading position is one sample of each neuron
        if self.training and len(flat) < 2:
            # No spread to estimate: a lone row is its own mean, so p = 1/2. The averages stay as they are.
            return dice(x, x, torch.zeros_like(x), self.alpha, self.eps)
        # (s - E[s]) / sqrt(Var[s] + eps) is batch normalization without scale and shift, which is how the
        # authors' code computes p(s). One fused kernel, forward and backward (about 3x faster on CPU than
        # the formula written out), standardizes with the batch's statistics in training and updates the
        # moving averages, or standardizes with the moving averages at inference.
        z = F.batch_norm(flat, self.running_mean, self.running_var, training=self.training,
                         momentum=self.momentum, eps=self.eps)
        return switch(x, z.view_as(x), self.alpha)

    def extra_repr(self) -> str:
        return f"{self.alpha.shape[0]}, eps={self.eps}, momentum={self.momentum}"
