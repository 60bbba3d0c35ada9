"""Cross layers: DCN (Wang et al., "Deep & Cross Network for Ad Click Predictions", ADKDD 2017, arXiv 1708.05123,
section 2.2) and DCN-V2 (Wang et al., "DCN V2: Improved Deep & Cross Network ...", WWW 2021, arXiv 2008.13535,
section 3, Eq. (1)-(2)).

Every layer crosses the base input x_0 with the current x_l and adds x_l back (a residual):

    v1  (DCN Eq. 3)       x_{l+1} = x_0 (x_l^T w_l) + b_l + x_l              w_l, b_l in R^d        2d params
    v2  (DCN-V2 Eq. 1)    x_{l+1} = x_0 o (W_l x_l + b_l) + x_l              W_l in R^{d x d}       d^2 + d
    low rank (Eq. 2)      x_{l+1} = x_0 o (U_l (V_l^T x_l) + b_l) + x_l      U_l, V_l in R^{d x r}  2dr + d

(o is the element-wise product.) With W_l = 1 w_l^T and zero biases v2 is v1: every row of W_l x_l is the
same scalar x_l^T w_l. Each layer multiplies by x_0 once more, so l layers give a polynomial of degree l + 1
in x_0 (DCN section 3.1). The bias sits outside the product in v1 (degree 0) and inside it in v2 (degree 1).
Vectors are rows here: W_l x_l is ``xl @ W.T`` for a batch xl (B, d).
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ..errors import InputError


def cross_layer_v1(x0: Tensor, xl: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """x0, xl (B, d); w, b (d,) -> x_{l+1} (B, d)."""
    s = xl @ w  # (B,) one scalar per example: x_l^T w_l
    return x0 * s.unsqueeze(-1) + b + xl  # Eq. (3) of DCN


def cross_layer_v2(x0: Tensor, xl: Tensor, W: Tensor, b: Tensor) -> Tensor:
    """x0, xl (B, d); W (d, d); b (d,) -> x_{l+1} (B, d)."""
    return x0 * (xl @ W.T + b) + xl  # Eq. (1) of DCN-V2: W x_l is xl @ W.T for rows


def cross_layer_low_rank(x0: Tensor, xl: Tensor, U: Tensor, V: Tensor, b: Tensor) -> Tensor:
    """x0, xl (B, d); U, V (d, r); b (d,) -> x_{l+1} (B, d), never forming the d x d matrix U V^T."""
    return x0 * ((xl @ V) @ U.T + b) + xl  # Eq. (2) of DCN-V2: U (V^T x_l), (B, r) -> (B, d)


class CrossNet(nn.Module):
    """``num_layers`` cross layers on x (B, d) -> (B, d); ``version`` "v1" or "v2"; ``rank`` r for low-rank v2."""

    def __init__(self, input_dim: int, num_layers: int = 3, version: str = "v2", rank: int | None = None):
        super().__init__()
        if version not in ("v1", "v2"):
            raise InputError(f"version must be 'v1' or 'v2', got {version!r}")
        if rank is not None and (version == "v1" or not 1 <= rank <= input_dim):
            raise InputError(f"rank is for version='v2' and must lie in 1..input_dim={input_dim}; got "
                             f"rank={rank} with version={version!r}")
        L, d = num_layers, input_dim
        self.version, self.rank, self.num_layers = version, rank, num_layers
        std = 1 / math.sqrt(d)  # W x_l keeps the scale of x_l at the start
        self.b = nn.Parameter(torch.zeros(L, d))  # biases start at 0, as in the released code
        if version == "v1":
            self.w = nn.Parameter(torch.randn(L, d) * std)
        elif rank is None:
            self.W = nn.Parameter(torch.randn(L, d, d) * std)
        else:
            self.U = nn.Parameter(torch.randn(L, d, rank) / math.sqrt(rank))
            self.V = nn.Parameter(torch.randn(L, d, rank) * std)

    def weight(self, layer: int) -> Tensor:
        """Layer ``layer``'s d x d matrix: W_l, U_l V_l^T for low rank, 1 w_l^T for v1 (what multiplies x_l)."""
        if self.version == "v1":
            return self.w[layer].expand(len(self.w[layer]), -1)  # (d, d): every row is w_l
        if self.rank is None:
            return self.W[layer]
        return self.U[layer] @ self.V[layer].T  # (d, d)

    def forward(self, x: Tensor) -> Tensor:
        x0 = xl = x  # (B, d)
        for i in range(self.num_layers):
            if self.version == "v1":
                xl = cross_layer_v1(x0, xl, self.w[i], self.b[i])
            elif self.rank is None:
                xl = cross_layer_v2(x0, xl, self.W[i], self.b[i])
            else:
                xl = cross_layer_low_rank(x0, xl, self.U[i], self.V[i], self.b[i])
        return xl
