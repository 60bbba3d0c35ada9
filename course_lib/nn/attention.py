"""DIN's local activation unit and attention pooling (Zhou et al., "Deep Interest Network for Click-Through
Rate Prediction", KDD 2018, section 4.3, Eq. (3) and Fig. 2).

    v_U(A) = f(v_A, e_1, ..., e_H) = sum_{j=1..H} a(e_j, v_A) e_j = sum_j w_j e_j         Eq. (3)

a(.) is the local activation unit, a small feed-forward net scoring one behaviour e_j against the candidate
ad v_A. The paper feeds it the two embeddings and their out product; the authors' released code (and every
popular library) feeds [q, k, q - k, q * k] (q = v_A, k = e_j, * element-wise), which this course follows.

Weights, over real behaviours only (padding positions get weight exactly 0):
    normalize="none"     w_j = a(e_j, v_A)                          the paper: the sum of w is NOT fixed to 1,
                                                                   so v_U keeps the intensity of an interest
    normalize="softmax"  w_j = softmax_j(a(e_j, v_A) / sqrt(width of e_j))   the authors' released code
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from ..errors import InputError
from .mlp import MLP

ScoreFn = Callable[[Tensor, Tensor], Tensor]  # (N, D) queries, (N, D) keys -> (N,) scores
NORMALIZE = ("none", "softmax")


def check_normalize(normalize: str) -> str:
    """``normalize`` if it is "none" (the paper) or "softmax" (the authors' code), else a ValueError."""
    if normalize not in NORMALIZE:
        raise InputError(f"normalize must be 'none' (paper) or 'softmax' (authors' code), got {normalize!r}")
    return normalize


def masked_softmax(scores: Tensor, mask: Tensor) -> Tensor:
    """Softmax over the last axis where mask is True; exactly 0 elsewhere (and a row of 0 if none is True)."""
    scores = scores.masked_fill(~mask, -1e9)  # exp(-1e9 - max) underflows to exactly 0
    return torch.softmax(scores, -1) * mask


def unit_input(query: Tensor, keys: Tensor) -> Tensor:
    """[q, k, q - k, q * k] along the last dimension: (..., D), (..., D) -> (..., 4D)."""
    return torch.cat([query, keys, query - keys, query * keys], -1)


def attention_pool(query: Tensor, keys: Tensor, mask: Tensor, score_fn: ScoreFn,
                   normalize: str = "none") -> tuple[Tensor, Tensor]:
    """Eq. (3): pool keys (B, T, D) with weights a(key, query) -> (pooled (B, D), weights (B, T)).

    ``score_fn`` only sees the real behaviours (mask (B, T) True), gathered into rows, so padding can change
    neither the scores nor batch statistics inside the unit (Dice), and costs nothing.
    """
    B, T, D = keys.shape
    check_normalize(normalize)
    q = query.unsqueeze(1).expand(B, T, D)  # (B, T, D) the ad, once per behaviour
    scores = keys.new_zeros(B, T)  # (B, T)
    scores = scores.masked_scatter(mask, score_fn(q[mask], keys[mask]))  # (N,) real behaviours -> (B, T)
    if normalize == "softmax":  # authors' code: masked, scaled softmax over the real behaviours
        weights = masked_softmax(scores / D ** 0.5, mask)  # (B, T); an empty history keeps all-zero weights
    else:
        weights = scores  # Eq. (3) as in the paper: a(e_j, v_A) itself, 0 at padding
    pooled = torch.einsum("bt,btd->bd", weights, keys)  # (B, D) Eq. (3)
    return pooled, weights


class LocalActivationUnit(nn.Module):
    """a(e_j, v_A) = MLP([q, k, q - k, q * k]) -> one score per (ad, behaviour) pair (Fig. 2 of the paper)."""

    def __init__(self, embed_dim: int, hidden: int | tuple[int, ...] = (80, 40), activation: str = "prelu"):
        super().__init__()
        self.mlp = MLP(4 * embed_dim, hidden, out_dim=1, activation=activation)

    def forward(self, query: Tensor, keys: Tensor) -> Tensor:
        """query, keys (N, D) -> scores (N,)."""
        return self.mlp(unit_input(query, keys)).squeeze(-1)  # (N, 4D) -> (N,)
