"""Chapter 2 exercises (DIN, Zhou et al., KDD 2018, sections 4.3 and 5.2).

    unit_input     the local activation unit's input  [q, k, q - k, q * k]  for every behaviour
    dice           Dice in training mode:  f(s) = p(s) s + (1 - p(s)) alpha s,
                   p(s) = sigmoid((s - E[s]) / sqrt(Var[s] + eps)), statistics of each neuron over the batch
    weighted_pool  Eq. (3) without softmax:  v_U = sum_{t < len} w_t e_t

Learner functions and their inputs:

    unit_input(query, keys) -> (B, T, 4D)       query (B, D), keys (B, T, D)
    dice(x, alpha, eps=1e-8) -> (N, H)          x (N, H) pre-activations, alpha (H,)
    weighted_pool(scores, keys, hist_len) -> (B, D)   scores (B, T), keys (B, T, D), hist_len (B,) int64

Usage: ``from course_lib.exercises import din as ex; ex.unit_input.check(my_unit_input)``.
Each reference keeps the learner's function name (``.solution()`` prints its source); the module name is
then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ..data import history_mask
from .core import Case, Exercise, Mistake, not_finite

# ----------------------------------------------------------------------------------------------------------
# The activation unit's input


def unit_input(query: Tensor, keys: Tensor) -> Tensor:
    """[q, k, q - k, q * k] for the ad q (B, D) against every behaviour k (B, T, D) -> (B, T, 4D)."""
    B, T, D = keys.shape
    q = query.unsqueeze(1).expand(B, T, D)  # (B, T, D) the ad, repeated for each behaviour
    return torch.cat([q, keys, q - keys, q * keys], dim=-1)  # (B, T, 4D)


def _q(query, keys):
    return query.unsqueeze(1).expand_as(keys)  # (B, T, D)


def _unit_cases() -> list[Case]:
    return [
        Case((torch.randn(4, 3), torch.randn(4, 5, 3)), "a random batch (B=4, T=5, D=3)"),
        Case((torch.randn(1, 2), torch.randn(1, 1, 2)), "a batch of one with one behaviour"),
        Case((torch.randn(2, 4), torch.randn(2, 6, 4) * 3 + 1), "keys far from the query"),
    ]


unit_input = Exercise(
    id="din.unit_input", title="The activation unit's input [q, k, q-k, q*k]",
    reference=unit_input, cases=_unit_cases,
    mistakes=(
        Mistake("the difference has the wrong sign: the convention (authors' code, DeepCTR) is q - k, ad minus "
                "behaviour", lambda q, k: torch.cat([_q(q, k), k, k - _q(q, k), _q(q, k) * k], -1)),
        Mistake("query and key are swapped: the ad q comes first, then the behaviour k",
                lambda q, k: torch.cat([k, _q(q, k), _q(q, k) - k, _q(q, k) * k], -1)),
        Mistake("the product and the difference are swapped: the order is [q, k, q - k, q * k]",
                lambda q, k: torch.cat([_q(q, k), k, _q(q, k) * k, _q(q, k) - k], -1)),
        Mistake("the last block must be the element-wise product q * k (D numbers), not the dot product "
                "(one number): the MLP needs the per-dimension agreement to learn its own similarity",
                lambda q, k: torch.cat([_q(q, k), k, _q(q, k) - k, (_q(q, k) * k).sum(-1, keepdim=True)], -1)),
        Mistake("q * k is missing: without it the first linear layer can only form sums of q and k, never "
                "their agreement", lambda q, k: torch.cat([_q(q, k), k, _q(q, k) - k], -1)),
    ),
    hint_text="The query has no T dimension: give it one with query.unsqueeze(1) and expand it to the keys' "
              "shape (B, T, D). Then concatenate the four (B, T, D) blocks along the last dimension.",
)

# ----------------------------------------------------------------------------------------------------------
# Dice in training mode


def dice(x: Tensor, alpha: Tensor, eps: float = 1e-8) -> Tensor:
    """Dice (Eq. 9) with this batch's statistics: x (N, H) one row per sample, one column per neuron."""
    mean = x.mean(dim=0)  # (H,) E[s] of each neuron over the batch
    var = x.var(dim=0, unbiased=False)  # (H,) Var[s], the biased (batch-norm) variance
    p = torch.sigmoid((x - mean) / torch.sqrt(var + eps))  # (N, H) soft switch around the batch mean
    return p * x + (1 - p) * alpha * x  # (N, H)


def _dice_with(x, alpha, mean, var, eps=1e-8):
    p = torch.sigmoid((x - mean) / torch.sqrt(var + eps))
    return p * x + (1 - p) * alpha * x


def _constant_column() -> tuple:
    x = torch.randn(6, 3)
    x[:, 1] = 2.0  # this neuron has the same value for every sample: variance 0
    return x, torch.tensor([0.1, 0.25, -0.2])


def _dice_cases() -> list[Case]:
    return [
        Case((torch.randn(8, 5) * 2 + 3, torch.tensor([0.0, 0.1, 0.25, -0.3, 1.0])), "a random batch (N=8, H=5)"),
        Case((torch.randn(3, 4), torch.full((4,), 0.25)), "a batch of three"),
        Case(_constant_column(), "a neuron with the same value in every row (variance 0)"),
    ]


NAN_MESSAGE = ("a neuron with the same value in every row gave NaN: its variance is 0, so add eps inside the "
               "square root, sqrt(Var[s] + eps)")


def _nan_probe(fn) -> str | None:
    return not_finite(fn, _constant_column(), NAN_MESSAGE)


dice = Exercise(
    id="din.dice", title="Dice in training mode",
    reference=dice, cases=_dice_cases,
    mistakes=(
        Mistake("torch.var divides by N - 1 by default: Dice, like batch normalization, uses the biased "
                "variance (divide by N): x.var(0, unbiased=False)",
                lambda x, a, eps=1e-8: _dice_with(x, a, x.mean(0), x.var(0), eps)),
        Mistake("you took the statistics of each row: E[s] and Var[s] belong to one neuron (a column), "
                "taken over the samples of the batch (dim=0)",
                lambda x, a, eps=1e-8: _dice_with(x, a, x.mean(1, keepdim=True),
                                                  x.var(1, unbiased=False, keepdim=True), eps)),
        Mistake("p(s) and 1 - p(s) are swapped: alpha is the slope where p(s) is small (below the mean), "
                "f(s) = p(s) s + (1 - p(s)) alpha s",
                lambda x, a, eps=1e-8: (1 - torch.sigmoid((x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False)
                                                                                       + eps))) * x
                + torch.sigmoid((x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps)) * a * x),
        Mistake("p(s) = sigmoid(s) is not Dice: standardize first, sigmoid((s - E[s]) / sqrt(Var[s] + eps)), so "
                "the switch sits at the mean of the neuron's inputs",
                lambda x, a, eps=1e-8: _dice_with(x, a, torch.zeros(()), torch.ones(()), 0.0)),
        Mistake("that is PReLU: Dice's switch p(s) is a smooth sigmoid around the batch mean, not the step "
                "1[s > 0]", lambda x, a, eps=1e-8: torch.where(x > 0, x, a * x)),
    ),
    probes=(_nan_probe,),
    hint_text="Columns are neurons. Take each column's mean and variance over the rows (dim=0; which "
              "variance does batch normalization use?), standardize x with them, pass that through a "
              "sigmoid to get p, then mix the identity and the alpha slope with p and 1 - p.",
)

# ----------------------------------------------------------------------------------------------------------
# Weighted pooling without softmax (Eq. 3)


def weighted_pool(scores: Tensor, keys: Tensor, hist_len: Tensor) -> Tensor:
    """v_U = sum over the real behaviours of w_t * e_t (no softmax: weights are used as they are) -> (B, D)."""
    B, T, D = keys.shape
    mask = history_mask(hist_len, T)  # (B, T) True at real behaviours: arange(T) < hist_len[:, None]
    w = scores * mask  # (B, T) padding weighs exactly 0, whatever its score
    return (w.unsqueeze(-1) * keys).sum(dim=1)  # (B, D) Eq. (3)


def _pool_batch(hist_len: list[int], T: int = 6, D: int = 3, junk: float = 0.0) -> tuple:
    lengths = torch.tensor(hist_len)
    real = history_mask(lengths, T)  # (B, T)
    scores = torch.where(real, torch.rand(len(hist_len), T) * 2, junk * torch.randn(len(hist_len), T))
    keys = torch.where(real.unsqueeze(-1), torch.randn(len(hist_len), T, D),
                       junk * torch.randn(len(hist_len), T, D))
    return scores, keys, lengths


def _pool_cases() -> list[Case]:
    return [
        Case(_pool_batch([3, 6, 1, 4]), "a random batch (padding keys and scores are 0)"),
        Case(_pool_batch([2, 5, 1], junk=10.0), "padding positions holding large junk scores and keys"),
        Case(_pool_batch([4]), "a batch of one"),
        Case(_pool_batch([0, 3]), "a batch with an empty history"),
    ]


def _softmax_pool(scores, keys, hist_len):
    mask = history_mask(hist_len, keys.shape[1])
    w = torch.softmax(scores.masked_fill(~mask, -1e9), -1) * mask
    return (w.unsqueeze(-1) * keys).sum(1)


_reference_pool = weighted_pool  # kept: the name is rebound to the Exercise below

PADDING_MESSAGE = ("padding positions changed the output: multiply the scores by the mask (never rely on "
                   "padding keys or padding scores being zero)")


weighted_pool = Exercise(
    id="din.weighted_pool", title="Attention pooling without softmax",
    reference=weighted_pool, cases=_pool_cases,
    mistakes=(
        Mistake("you normalized the weights with a softmax: the paper keeps a(e_j, v_A) as it is, so that "
                "the size of v_U can carry how intense the interest is", _softmax_pool),
        Mistake(PADDING_MESSAGE, lambda s, k, n: (s.unsqueeze(-1) * k).sum(1)),
        Mistake("you averaged over the behaviours: Eq. (3) is a weighted sum, dividing by hist_len throws away "
                "the intensity the weights carry",
                lambda s, k, n: _reference_pool(s, k, n) / n.clamp(min=1).unsqueeze(-1)),
    ),
    hint_text="Build the (B, T) mask from hist_len as in chapter 1, zero the weights of the padding with it, "
              "then weight each key by its score and sum over T. Nothing is normalized.",
)
