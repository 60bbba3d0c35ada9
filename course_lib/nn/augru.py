"""GRUs that take an attention score: AIGRU, AGRU and AUGRU of the interest evolving layer.

Zhou et al., "Deep Interest Evolution Network for Click-Through Rate Prediction", AAAI 2019
(arXiv 1809.03672), subsection "Interest Evolving Layer". A GRU step with input i_t and previous state
h_{t-1}:

    u_t  = sigmoid(W^u i_t + U^u h_{t-1} + b^u)               Eq. (2)  update gate
    r_t  = sigmoid(W^r i_t + U^r h_{t-1} + b^r)               Eq. (3)  reset gate
    h~_t = tanh(W^h i_t + r_t o (U^h h_{t-1}) + b^h)           Eq. (4)  candidate state
    h_t  = (1 - u_t) o h_{t-1} + u_t o h~_t                    Eq. (5)

DIEN puts a scalar attention score a_t (relevance of step t to the candidate ad) into it in three ways:

    AIGRU  i'_t = a_t * i_t                 (scale the input; the gates still run)    Eq. (9)
    AGRU   h'_t = (1 - a_t) * h'_{t-1} + a_t * h~'_t   (a_t replaces the update gate)  Eq. (10)
    AUGRU  u~'_t = a_t * u'_t                                                          Eq. (11)
           h'_t = (1 - u~'_t) o h'_{t-1} + u~'_t o h~'_t                               Eq. (12)

With a_t = 0, AGRU and AUGRU keep the state exactly (so padding needs no extra mask); with a_t = 1,
AUGRU is the plain GRU. Parameters follow the paper: one weight matrix on the input, one on the state
and ONE bias per gate (torch.nn.GRUCell carries two biases per gate and puts b_hn inside the reset
product). AGRU has no update gate, so it has two gates' worth of parameters.

The step functions take ``xw = W i_t + b``, the input's share of the gates: it does not depend on the
state, so ``attentional_gru`` computes it for all T steps in one matrix product before the time loop.
Gate order along the 3H axis: (u, r, h~).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import InputError


def gru_gates(xw: Tensor, h: Tensor, w_hh: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Update gate, reset gate and candidate state from xw (B, 3H) = W i_t + b and h (B, H)."""
    H = h.shape[-1]
    xu, xr, xh = xw.split(H, -1)  # (B, H) each
    hu, hr, hh = (h @ w_hh.T).split(H, -1)  # U h_{t-1}: (B, H) each
    u = torch.sigmoid(xu + hu)  # Eq. (2)
    r = torch.sigmoid(xr + hr)  # Eq. (3)
    h_tilde = torch.tanh(xh + r * hh)  # Eq. (4)
    return u, r, h_tilde


def gru_step(xw: Tensor, h: Tensor, w_hh: Tensor) -> Tensor:
    """Plain GRU step: xw (B, 3H), h (B, H) -> (B, H)."""
    u, _, h_tilde = gru_gates(xw, h, w_hh)
    return (1 - u) * h + u * h_tilde  # Eq. (5)


def aigru_input(x: Tensor, a: Tensor) -> Tensor:
    """AIGRU's attentional input: x (..., I) scaled by a (...) -> (..., I)."""
    return a.unsqueeze(-1) * x  # Eq. (9)


def agru_step(xw: Tensor, h: Tensor, a: Tensor, w_hh: Tensor) -> Tensor:
    """AGRU step: xw (B, 2H) = W i_t + b for gates (r, h~), h (B, H), a (B,) -> (B, H)."""
    H = h.shape[-1]
    xr, xh = xw.split(H, -1)  # (B, H) each
    hr, hh = (h @ w_hh.T).split(H, -1)  # (B, H) each
    r = torch.sigmoid(xr + hr)  # Eq. (3)
    h_tilde = torch.tanh(xh + r * hh)  # Eq. (4)
    a = a.unsqueeze(-1)  # (B, 1)
    return (1 - a) * h + a * h_tilde  # Eq. (10)


def augru_step(xw: Tensor, h: Tensor, a: Tensor, w_hh: Tensor) -> Tensor:
    """AUGRU step: xw (B, 3H) = W i_t + b for gates (u, r, h~), h (B, H), a (B,) -> (B, H)."""
    u, _, h_tilde = gru_gates(xw, h, w_hh)
    u = a.unsqueeze(-1) * u  # Eq. (11): the attention scales every dimension of the update gate
    return (1 - u) * h + u * h_tilde  # Eq. (12)


class _AttentionCell(nn.Module):
    """Parameters of an attentional GRU cell: W (G*H, I), U (G*H, H), b (G*H,) for G gates.

    ``keeps_state_at_zero_attention``: whether a step with attention 0 leaves the state exactly as it was (AGRU,
    AUGRU), so padding needs no mask of its own."""

    gates = 3
    keeps_state_at_zero_attention = True

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        G, H, bound = self.gates, hidden_size, 1 / math.sqrt(hidden_size)
        # torch.nn.GRUCell's initialisation: U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias
        self.weight_ih = nn.Parameter(torch.empty(G * H, input_size).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(G * H, H).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(G * H).uniform_(-bound, bound))

    def project(self, x: Tensor, att: Tensor) -> Tensor:
        """xw = W i + b for x (..., I) and att (...) -> (..., G*H); any number of leading axes."""
        return F.linear(x, self.weight_ih, self.bias)

    def step(self, xw: Tensor, h: Tensor, att: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, h: Tensor, att: Tensor) -> Tensor:
        """x (B, I), h (B, H), att (B,) -> (B, H)."""
        if att.shape != h.shape[:-1]:  # a (B, 1) score would broadcast the step to (B, B, H)
            raise InputError(f"att must hold one score per row, shape {tuple(h.shape[:-1])}; got {tuple(att.shape)}")
        return self.step(self.project(x, att), h, att)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class AIGRUCell(_AttentionCell):
    """GRU with attentional input: the attention scales the input, the GRU update itself is unchanged."""

    keeps_state_at_zero_attention = False  # a zero input still moves the state through the gates

    def project(self, x: Tensor, att: Tensor) -> Tensor:
        return F.linear(aigru_input(x, att), self.weight_ih, self.bias)  # Eq. (9), then W i' + b

    def step(self, xw: Tensor, h: Tensor, att: Tensor) -> Tensor:
        return gru_step(xw, h, self.weight_hh)


class AGRUCell(_AttentionCell):
    """Attention-based GRU: the scalar attention score replaces the update gate (no u parameters)."""

    gates = 2

    def step(self, xw: Tensor, h: Tensor, att: Tensor) -> Tensor:
        return agru_step(xw, h, att, self.weight_hh)


class AUGRUCell(_AttentionCell):
    """GRU with attentional update gate: the attention scales the vector update gate."""

    def step(self, xw: Tensor, h: Tensor, att: Tensor) -> Tensor:
        return augru_step(xw, h, att, self.weight_hh)


def attentional_gru(cell: _AttentionCell, x: Tensor, att: Tensor, mask: Tensor) -> Tensor:
    """Run ``cell`` over x (B, T, I) with attention att (B, T) from h_0 = 0 -> states (B, T, H).

    The input projection runs once for all steps; the loop does only the state-dependent work.
    Past the end of a right-padded history (mask False) the state is carried unchanged: AGRU and AUGRU
    do that by themselves once att is 0 there; AIGRU still updates on a zero input, so it is masked.
    """
    B, T = x.shape[:2]
    if att.shape != (B, T) or mask.shape != (B, T):
        raise InputError(f"att and mask must be (B, T) = {(B, T)} like x's first two axes; got "
                         f"{tuple(att.shape)} and {tuple(mask.shape)}")
    att = att * mask  # padding steps get attention 0 whatever the caller's scores say there
    xw = cell.project(x, att)  # (B, T, G*H): hoisted out of the time loop
    h = x.new_zeros(B, cell.hidden_size)
    states = []
    # unbind, not xw[:, t]: the backward of T slices would write T zero-filled (B, T, G*H) tensors
    for xw_t, a_t, m_t in zip(xw.unbind(1), att.unbind(1), mask.unbind(1)):
        h_next = cell.step(xw_t, h, a_t)  # (B, H)
        h = h_next if cell.keeps_state_at_zero_attention else torch.where(m_t.unsqueeze(-1), h_next, h)
        states.append(h)
    return torch.stack(states, 1)  # (B, T, H)
