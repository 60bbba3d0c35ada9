"""Chapter 5 exercises (MMoE, Ma et al., KDD 2018, Section 4).

    softmax_gate  a task's gate:  g^k(x) = softmax(W_gk x), a distribution over the E experts per example
    mix_experts   every task's mixture:  f^k(x) = sum_i g^k(x)_i f_i(x)

Learner functions and their inputs:

    softmax_gate(x, w) -> (B, E)               x (B, d), w (E, d) the gate's weight matrix W_gk
    mix_experts(gates, experts) -> (K, B, H)   gates (K, B, E), experts (B, E, H)

Usage: ``from course_lib.exercises import mmoe as ex; ex.softmax_gate.check(my_softmax_gate)``.
Each reference keeps the learner's function name (``.solution()`` prints its source); the module name is
then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .core import Case, Exercise, Mistake, not_finite

# ----------------------------------------------------------------------------------------------------------
# The softmax gate


def softmax_gate(x: Tensor, w: Tensor) -> Tensor:
    """g(x) = softmax(W x) for every row of x (B, d), with W = w (E, d) -> (B, E); each row sums to 1."""
    logits = x @ w.T  # (B, E): one score per expert
    return torch.softmax(logits, dim=-1)  # normalise over the experts, not over the batch


def _gate_cases() -> list[Case]:
    return [
        Case((torch.randn(6, 5), torch.randn(3, 5)), "a random batch: B=6 examples, d=5 inputs, E=3 experts"),
        Case((torch.randn(1, 4), torch.randn(8, 4)), "a batch of one with E=8 experts"),
        Case((torch.randn(4, 3), torch.randn(4, 3)), "a square case, B = E = 4"),
        Case((30 * torch.randn(5, 6), 30 * torch.randn(2, 6)), "large inputs (logits in the thousands)"),
    ]


def _over_batch(x, w):
    return torch.softmax(x @ w.T, dim=0)


def _no_softmax(x, w):
    return x @ w.T


def _sigmoid(x, w):
    return torch.sigmoid(x @ w.T)


def _divide_by_sum(x, w):
    logits = x @ w.T
    return logits / logits.sum(-1, keepdim=True)


def _finite_probe(fn) -> str | None:
    return not_finite(fn, (40 * torch.ones(2, 3), 40 * torch.eye(4, 3)),  # logits up to 4800: exp overflows
                      "large logits gave inf or NaN: exp overflowed. Subtract each row's maximum before exp (softmax "
                      "is unchanged by a shift), or call torch.softmax, which does it for you")


def _sums_probe(fn) -> str | None:
    out = fn(torch.randn(5, 3), torch.randn(4, 3))
    if isinstance(out, Tensor) and out.shape == (5, 4) and not torch.allclose(out.sum(-1), torch.ones(5), atol=1e-4):
        return "the rows of your gate do not sum to 1: a gate is a distribution over the experts of one example"
    return None


softmax_gate = Exercise(
    id="mmoe.softmax_gate", title="The softmax gate of one task",
    reference=softmax_gate, cases=_gate_cases,
    mistakes=(
        Mistake("you normalised over the batch (dim=0): each EXAMPLE needs its own distribution over the experts, "
                "so the softmax runs over the last dimension (dim=-1)", _over_batch),
        Mistake("these are the raw logits W x: the paper's gate is softmax(W x), non-negative weights that sum to 1",
                _no_softmax),
        Mistake("a sigmoid scores each expert on its own, so the weights do not sum to 1 and experts do not compete: "
                "use a softmax over the experts", _sigmoid),
        Mistake("dividing the logits by their sum is not a softmax: logits can be negative (negative 'weights') "
                "and can sum to ~0; exponentiate first", _divide_by_sum),
    ),
    probes=(_finite_probe, _sums_probe),
    hint_text="x is (B, d) and W_gk is stored as w with shape (E, d): which product gives one score per "
              "example and expert, shape (B, E)? Then normalise each ROW into a distribution. "
              "Which dimension is that, and what happens to exp(3000) in float32?",
)

# ----------------------------------------------------------------------------------------------------------
# Mixing the experts, once per task


def mix_experts(gates: Tensor, experts: Tensor) -> Tensor:
    """f^k(x) = sum_i g^k(x)_i f_i(x): gates (K, B, E), experts (B, E, H) -> (K, B, H)."""
    weighted = gates.unsqueeze(-1) * experts  # (K, B, E, 1) * (B, E, H) -> (K, B, E, H)
    return weighted.sum(dim=-2)  # (K, B, H): sum over the experts


def _mix_cases() -> list[Case]:
    def gates(K, B, E):
        return torch.softmax(2 * torch.randn(K, B, E), -1)  # rows sum to 1, far from uniform
    return [
        Case((gates(2, 5, 4), torch.randn(5, 4, 3)), "a random batch: K=2 tasks, B=5, E=4 experts, H=3"),
        Case((gates(3, 1, 6), torch.randn(1, 6, 2)), "a batch of one, K=3 tasks, E=6 experts"),
        Case((gates(2, 3, 3), torch.randn(3, 3, 3)), "a square case, B = E = H = 3"),
        Case((gates(1, 4, 2), torch.randn(4, 2, 5)), "one task (K=1)"),
    ]


def _unweighted_mean(gates, experts):
    K = gates.shape[0]
    return experts.mean(1).expand(K, -1, -1)  # (K, B, H)


def _unweighted_sum(gates, experts):
    K = gates.shape[0]
    return experts.sum(1).expand(K, -1, -1)


def _one_gate(gates, experts):
    return (gates[:1].unsqueeze(-1) * experts).sum(-2).expand(gates.shape[0], -1, -1)  # gates[0] for all


def _sum_over_hidden(gates, experts):
    return (gates.unsqueeze(-1) * experts).sum(-1)  # (K, B, E)


def _no_sum(gates, experts):
    return gates.unsqueeze(-1) * experts  # (K, B, E, H)


def _mixed_over_batch(gates, experts):
    return torch.einsum("kbe,ceh->kbh", gates, experts)  # sums experts of every example c, not only b


mix_experts = Exercise(
    id="mmoe.mix_experts", title="Mixing the experts for every task",
    reference=mix_experts, cases=_mix_cases,
    mistakes=(
        Mistake("your output does not depend on the gates: it is the plain mean of the experts; weight expert i "
                "by g^k(x)_i", _unweighted_mean),
        Mistake("your output does not depend on the gates: it is the plain sum of the experts; weight expert i "
                "by g^k(x)_i", _unweighted_sum),
        Mistake("every task used the first task's gate: that is OMoE (one gate). In MMoE task k mixes the "
                "experts with its own gates[k]", _one_gate),
        Mistake("you summed over the hidden units H instead of over the experts E: the mixture is a vector of "
                "size H, a weighted sum of the expert vectors", _sum_over_hidden),
        Mistake("you weighted the experts but did not add them up: sum the weighted experts over E", _no_sum),
        Mistake("your mixture adds up the experts of OTHER examples in the batch: example b must mix only its own "
                "experts[b] (match the batch index of gates and experts)", _mixed_over_batch),
    ),
    hint_text="Line the shapes up: gates (K, B, E) needs a trailing axis to multiply experts (B, E, H) by "
              "broadcasting, giving (K, B, E, H). Which axis do you then sum over?",
)
