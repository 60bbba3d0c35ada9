"""Customized Gate Control (CGC) and Progressive Layered Extraction (PLE).

Tang, Liu, Zhao, Gong, "Progressive Layered Extraction (PLE): A Novel Multi-Task Learning (MTL) Model for
Personalized Recommendations", RecSys 2020. Equations as numbered in the paper (Section 4); K tasks, task k
has m_k specific experts E_(k,1..m_k), m_s experts E_(s,1..m_s) are shared:

    (2) CGC, task k     g^k(x) = w^k(x) S^k(x)                  a mixture of task k's AND the shared experts
    (3) gate            w^k(x) = Softmax(W_g^k x),  W_g^k in R^{(m_k + m_s) x d}
    (4) selected        S^k(x) = [E_(k,1), ..., E_(k,m_k), E_(s,1), ..., E_(s,m_s)]^T
    (5) output          y^k(x) = t^k(g^k(x))
    (6) PLE, level j    g^{k,j}(x) = w^{k,j}(g^{k,j-1}(x)) S^{k,j}(x)   the selector is the previous level's output
    (7)                 y^k(x) = t^k(g^{k,N}(x))

Unlike MMoE, task k's gate never sees another task's specific experts. In CGC (and at PLE's top level) they get
gradient from their own task only; below the top, PLE's shared gate also mixes them into the shared path, so
every task's loss reaches them. In a PLE every level but the last also has a SHARED gate g^{S,j} over ALL experts of the level
(every task's and the shared ones), whose output feeds the shared experts of the next level (Fig. 5; Fig. 8
shows g^{S,1} and no g^{S,2}). Gates are linear without bias, experts single ReLU layers, as in the paper.
A CGC model is a PLE with one level.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..errors import InputError, whole
from ..nn import MLP
from ..nn.mlp import as_sizes
from .mmoe import Experts, _uniform, mix_experts, softmax_gate


class CGC(nn.Module):
    """One extraction level: K groups of ``n_specific`` task experts, ``n_shared`` shared experts, one gate per
    task over [its own + shared experts] and, with ``shared_gate=True``, a gate over all experts.

    forward(inputs) takes K + 1 tensors (B, d): task k's selector and input, then the shared experts' input
    (all equal to x at the first level), and returns K (+ 1) fused outputs (B, H) in the same order.
    """

    def __init__(self, input_dim: int, n_tasks: int = 2, n_specific: int = 1, n_shared: int = 1,
                 expert_hidden: int | tuple[int, ...] = 16, shared_gate: bool = False):
        super().__init__()
        whole("input_dim", input_dim)
        self.n_tasks, self.n_specific = whole("n_tasks", n_tasks), whole("n_specific", n_specific)
        self.n_shared = whole("n_shared", n_shared)
        self.specific = nn.ModuleList(Experts(input_dim, n_specific, expert_hidden) for _ in range(n_tasks))
        self.shared = Experts(input_dim, n_shared, expert_hidden)
        self.W_g = _uniform(n_tasks, n_specific + n_shared, input_dim, fan_in=input_dim)  # W_g^k (K, m_k + m_s, d)
        # The shared gate selects over all K m_k + m_s experts, from the shared experts' input.
        self.W_s = _uniform(n_tasks * n_specific + n_shared, input_dim, fan_in=input_dim) if shared_gate else None
        self.out_dim = as_sizes(expert_hidden)[-1]

    def gates(self, inputs: list[Tensor]) -> tuple[list[Tensor], Tensor | None]:
        """Task k's weights (B, m_k + m_s) over [its experts, shared experts]; the shared gate's (B, K m_k + m_s)."""
        tasks = [softmax_gate(inputs[k], self.W_g[k]) for k in range(self.n_tasks)]  # Eq. (3), (6)
        return tasks, None if self.W_s is None else softmax_gate(inputs[-1], self.W_s)

    def forward(self, inputs: list[Tensor]) -> list[Tensor]:
        if len(inputs) != self.n_tasks + 1:
            raise InputError(f"CGC takes {self.n_tasks + 1} inputs (one per task, then the shared one), "
                             f"got {len(inputs)}: at the first level pass [x] * {self.n_tasks + 1}")
        own = [experts(inputs[k]) for k, experts in enumerate(self.specific)]  # K x (B, m_k, H)
        shared = self.shared(inputs[-1])  # (B, m_s, H)
        task_gates, shared_gate = self.gates(inputs)
        out = [mix_experts(g, torch.cat([e, shared], 1)) for g, e in zip(task_gates, own)]  # Eq. (2), (4)
        if shared_gate is not None:
            out.append(mix_experts(shared_gate, torch.cat([*own, shared], 1)))  # g^S over every expert
        return out


class PLE(nn.Module):
    """Eq. (6)-(7): ``n_levels`` extraction levels (a shared gate on all but the last), then one tower per task.
    x (B, d) -> (B, K). ``n_levels=1`` is the CGC model of Section 4.1."""

    def __init__(self, input_dim: int, n_tasks: int = 2, n_levels: int = 2, n_specific: int = 1,
                 n_shared: int = 1, expert_hidden: int | tuple[int, ...] = 16,
                 tower_hidden: int | tuple[int, ...] = 8):
        super().__init__()
        self.n_tasks, self.n_levels = whole("n_tasks", n_tasks), whole("n_levels", n_levels)
        widths = (input_dim, *[as_sizes(expert_hidden)[-1]] * (n_levels - 1))  # level j reads level j-1's output
        self.levels = nn.ModuleList(CGC(d, n_tasks, n_specific, n_shared, expert_hidden, shared_gate=j < n_levels - 1)
                                    for j, d in enumerate(widths))
        self.towers = nn.ModuleList(MLP(self.levels[-1].out_dim, tower_hidden) for _ in range(n_tasks))

    def gate_weights(self, x: Tensor) -> list[Tensor]:
        """Per level a (G, B, K m_k + m_s) tensor: G = K task gates (+ the shared gate below the top level),
        over the experts ordered [task 1's, ..., task K's, shared]; exactly 0 where a gate cannot see."""
        result, inputs = [], [x] * (self.n_tasks + 1)
        for level in self.levels:
            m_k, n_all = level.n_specific, level.n_tasks * level.n_specific + level.n_shared
            task_gates, shared_gate = level.gates(inputs)
            full = x.new_zeros(len(task_gates) + (shared_gate is not None), len(x), n_all)
            for k, g in enumerate(task_gates):
                full[k, :, k * m_k:(k + 1) * m_k] = g[:, :m_k]  # task k's own experts
                full[k, :, n_all - level.n_shared:] = g[:, m_k:]  # the shared experts
            if shared_gate is not None:
                full[-1] = shared_gate
            result.append(full)
            inputs = level(inputs)
        return result

    def forward(self, x: Tensor) -> Tensor:
        inputs = [x] * (self.n_tasks + 1)  # level 1: every expert and gate reads x
        for level in self.levels:
            inputs = level(inputs)  # Eq. (6): g^{k,j} feeds task k's experts and gate at level j+1
        return torch.cat([tower(inputs[k]) for k, tower in enumerate(self.towers)], -1)  # (B, K), Eq. (7)
