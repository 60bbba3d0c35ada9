"""Multi-task models: Shared-Bottom, One-gate MoE (OMoE) and Multi-gate Mixture-of-Experts (MMoE).

Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018.
Equations as numbered in the paper (Sections 3.1, 4.1, 4.2); K tasks, E experts f_1..f_E, towers h^k:

    (1) Shared-Bottom   y_k = h^k(f(x))                   one bottom f shared by every task
    (5) MoE layer       y = sum_i g(x)_i f_i(x)           OMoE: ONE gate g, its mixture feeds every tower
    (6) MMoE            y_k = h^k(f^k(x))
    (7)                 f^k(x) = sum_i g^k(x)_i f_i(x)    a mixture of the shared experts per task
    (8) gate per task   g^k(x) = softmax(W_gk x),  W_gk in R^{E x d}   (linear, no bias, as in the paper)

Experts, the bottom and towers are ReLU layers: single-layer experts (16 units) and towers (8 units) are the
paper's synthetic setting (Section 5). ``MultiTaskCTR`` feeds the simulator's fields into any of the three.
Under the paper's sum of task losses every gate is trained by its own task only: that is what lets the
gates of unrelated tasks pick different experts, and what OMoE's single gate cannot do.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..data import Vocab
from ..errors import InputError, whole
from ..nn import MLP, FieldEmbedding, ReLULayers, masked_pool, n_params
from ..nn.embedding import check_pooling
from ..nn.mlp import as_sizes


def softmax_gate(x: Tensor, w: Tensor) -> Tensor:
    """Gate weights over the experts: x (B, d), w (E, d) -> (B, E); w (K, E, d) -> (K, B, E). Rows sum to 1."""
    return torch.softmax(x @ w.transpose(-1, -2), dim=-1)  # Eq. (8)


def mix_experts(gates: Tensor, experts: Tensor) -> Tensor:
    """Gate-weighted sum of expert outputs: gates (B, E) or (K, B, E), experts (B, E, H) -> (B, H) or (K, B, H)."""
    return (gates.unsqueeze(-1) * experts).sum(-2)  # Eq. (5), (7): sum_i g_i(x) f_i(x)


def _uniform(*shape: int, fan_in: int) -> nn.Parameter:
    """PyTorch's nn.Linear initialisation U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn independently per entry."""
    bound = fan_in ** -0.5
    return nn.Parameter(torch.empty(shape).uniform_(-bound, bound))


class Experts(nn.Module):
    """E independent ReLU networks evaluated at once (one batched matmul per layer): x (B, d) -> (B, E, H)."""

    def __init__(self, input_dim: int, n_experts: int, hidden: int | tuple[int, ...] = 16):
        super().__init__()
        sizes = (input_dim, *as_sizes(hidden))
        # Every expert draws its own initial weights: identical experts would receive nearly identical
        # updates and leave the gates nothing to choose between.
        self.weights = nn.ParameterList(_uniform(n_experts, a, b, fan_in=a) for a, b in zip(sizes, sizes[1:]))
        self.biases = nn.ParameterList(_uniform(n_experts, 1, b, fan_in=a) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x: Tensor) -> Tensor:
        h = x.unsqueeze(0)  # (1, B, d), broadcast over the experts
        for w, b in zip(self.weights, self.biases):
            h = torch.relu(h @ w + b)  # (E, B, H): f_i(x) for every expert i
        return h.transpose(0, 1)  # (B, E, H)


class SharedBottom(nn.Module):
    """Eq. (1): one shared bottom, one tower per task. x (B, d) -> (B, K)."""

    def __init__(self, input_dim: int, n_tasks: int = 2, bottom_hidden: int | tuple[int, ...] = 113,
                 tower_hidden: int | tuple[int, ...] = 8):
        super().__init__()
        self.bottom = ReLULayers(input_dim, bottom_hidden)
        self.towers = nn.ModuleList(MLP(self.bottom.out_dim, tower_hidden) for _ in range(whole("n_tasks", n_tasks)))

    def forward(self, x: Tensor) -> Tensor:
        shared = self.bottom(x)  # (B, H)
        return torch.cat([tower(shared) for tower in self.towers], -1)  # (B, K), Eq. (1)


class MMoE(nn.Module):
    """Eq. (6)-(8): E shared experts, one softmax gate and one tower per task. x (B, d) -> (B, K)."""

    n_gates = None  # None: one gate per task (MMoE); OMoE sets 1

    def __init__(self, input_dim: int, n_tasks: int = 2, n_experts: int = 8,
                 expert_hidden: int | tuple[int, ...] = 16, tower_hidden: int | tuple[int, ...] = 8):
        super().__init__()
        self.n_tasks, self.n_experts = whole("n_tasks", n_tasks), whole("n_experts", n_experts)
        self.experts = Experts(input_dim, n_experts, expert_hidden)
        self.W_g = _uniform(self.n_gates or n_tasks, n_experts, input_dim, fan_in=input_dim)  # W_gk (K, E, d)
        width = as_sizes(expert_hidden)[-1]
        self.towers = nn.ModuleList(MLP(width, tower_hidden) for _ in range(n_tasks))

    def gate_weights(self, x: Tensor) -> Tensor:
        """(K, B, E): task k's weights over the experts for every example; rows sum to 1."""
        gates = softmax_gate(x, self.W_g)  # (n_gates, B, E)
        return gates.expand(self.n_tasks, -1, -1)  # OMoE: the one gate serves every task

    def forward(self, x: Tensor) -> Tensor:
        mixed = mix_experts(self.gate_weights(x), self.experts(x))  # (K, B, H)
        return torch.cat([tower(mixed[k]) for k, tower in enumerate(self.towers)], -1)  # (B, K), Eq. (6)


class OMoE(MMoE):
    """Eq. (5) with towers: the same experts and towers as MMoE, but ONE gate shared by all tasks."""

    n_gates = 1


def matched_bottom_hidden(target_params: int, input_dim: int, n_tasks: int = 2,
                          tower_hidden: int | tuple[int, ...] = 8) -> int:
    """Width of a one-layer Shared-Bottom whose parameter count is closest to ``target_params``."""
    count = lambda h: n_params(SharedBottom(input_dim, n_tasks, h, tower_hidden))  # noqa: E731
    per_unit = count(2) - count(1)  # the count is linear in the width: d + 1 + K * (first tower layer)
    return max(1, round(1 + (target_params - count(1)) / per_unit))


class MultiTaskCTR(nn.Module):
    """Click and conversion from the simulator's fields: embeddings -> dense x -> SharedBottom / OMoE / MMoE
    (or, from chapter 6, CGC / PLE with ``n_specific`` experts per task and the rest of ``n_experts`` shared).

    x = [context fields, pooled history (item, cat), ad (item, cat)], as in the Embedding & MLP base model.
    forward(batch) -> (B, K) logits, in the order of the labels given to ``fit(..., label=(...))``;
    with ``n_tasks=1`` it returns (B,) (a single-task model: the "separate models" baseline).
    ``bottom_hidden=None`` sizes a Shared-Bottom to the parameter count of the MMoE with the same settings.
    """

    def __init__(self, vocab: Vocab, n_tasks: int = 2, kind: str = "mmoe", embed_dim: int = 8,
                 n_experts: int = 4, expert_hidden: int | tuple[int, ...] = 64,
                 bottom_hidden: int | tuple[int, ...] | None = None, tower_hidden: int | tuple[int, ...] = 32,
                 pooling: str = "sum", n_specific: int = 1):
        super().__init__()
        if kind not in ("mmoe", "omoe", "shared_bottom", "cgc", "ple"):
            raise InputError(f"kind must be 'mmoe', 'omoe', 'shared_bottom', 'cgc' or 'ple', got {kind!r}")
        self.pooling, self.n_tasks = check_pooling(pooling), n_tasks
        self.embed = FieldEmbedding(vocab, embed_dim)
        input_dim = self.embed.width()  # context, pooled sequences, the ad's goods, dense
        if kind == "shared_bottom":
            if bottom_hidden is None:
                mmoe = n_params(MMoE(input_dim, n_tasks, n_experts, expert_hidden, tower_hidden))
                bottom_hidden = matched_bottom_hidden(mmoe, input_dim, n_tasks, tower_hidden)
            self.core = SharedBottom(input_dim, n_tasks, bottom_hidden, tower_hidden)
        elif kind in ("cgc", "ple"):
            from .ple import PLE  # ple.py builds on this module's experts and gates
            n_shared = whole("n_experts", n_experts) - n_tasks * whole("n_specific", n_specific)
            if n_shared < 1:
                raise InputError(f"n_experts={n_experts} leaves no shared expert after {n_specific} per task for "
                                 f"{n_tasks} tasks: give n_experts > n_tasks * n_specific")
            self.core = PLE(input_dim, n_tasks, 1 if kind == "cgc" else 2, n_specific, n_shared, expert_hidden,
                            tower_hidden)
        else:
            core = MMoE if kind == "mmoe" else OMoE
            self.core = core(input_dim, n_tasks, n_experts, expert_hidden, tower_hidden)

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """x (B, input_dim): [context, pooled history, ad, dense], as in the Embedding & MLP base model."""
        e = self.embed(batch)
        user = masked_pool(e.history, e.mask, self.pooling)  # (B, G*D)
        return torch.cat([e.context, user, e.ad, e.dense], -1)  # (B, input_dim)

    def gate_weights(self, batch: dict[str, Tensor]) -> Tensor | list[Tensor]:
        """MMoE / OMoE: (K, B, E); CGC / PLE: one tensor per level, as ``PLE.gate_weights``."""
        if isinstance(self.core, SharedBottom):
            raise InputError("a Shared-Bottom model has no gates: build it with kind='mmoe' or 'omoe'")
        self.embed.vocab.check(batch)
        return self.core.gate_weights(self.mlp_input(batch))  # (K, B, E)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)  # a wrong batch gets a clear error here, not deep inside torch
        logits = self.core(self.mlp_input(batch))  # (B, K)
        return logits.squeeze(-1) if self.n_tasks == 1 else logits
