"""Chapter 4 exercises (DCN, arXiv 1708.05123, section 2.2; DCN-V2, arXiv 2008.13535, Eq. 1-2).

    cross_layer_v1   x_{l+1} = x_0 (x_l^T w) + b + x_l
    cross_layer_v2   x_{l+1} = x_0 o (W x_l + b) + x_l
    low_rank_cross   x_{l+1} = x_0 o (U (V^T x_l) + b) + x_l

Learner functions and their inputs (rows of a batch are examples):

    cross_layer_v1(x0, xl, w, b) -> (B, d)      x0, xl (B, d); w, b (d,)
    cross_layer_v2(x0, xl, W, b) -> (B, d)      W (d, d), b (d,)
    low_rank_cross(x0, xl, U, V, b) -> (B, d)   U, V (d, r), b (d,)

Usage: ``from course_lib.exercises import dcn as ex; ex.cross_layer_v1.check(my_cross_layer_v1)``.
Each reference keeps the learner's function name (``.solution()`` prints its source); the module name is
then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .core import Case, Exercise, Mistake, quietly


def _inputs(B: int, d: int, seed: int, same: bool = False, r: int | None = None) -> tuple:
    """x0, xl (B, d) (xl = x0 when ``same``: the first layer), then W (d, d) or U, V (d, r), and b (d,)."""
    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(B, d, generator=g)
    xl = x0.clone() if same else torch.randn(B, d, generator=g)
    weights = (torch.randn(d, d, generator=g),) if r is None else (torch.randn(d, r, generator=g),
                                                                     torch.randn(d, r, generator=g))
    return (x0, xl, *weights, torch.randn(d, generator=g))


def _rows_probe(fn, args: tuple) -> str | None:
    """Each example's output must depend on that example only."""
    whole, first = quietly(fn, *args), quietly(fn, args[0][:1], args[1][:1], *args[2:])
    if isinstance(whole, Tensor) and isinstance(first, Tensor) and whole.shape[1:] == first.shape[1:] \
            and not torch.allclose(whole[:1], first, atol=1e-5):
        return ("the examples of the batch interact: row 0's output changed when the other rows were removed. "
                "Each example has its own x_l; reduce over the feature dimension (-1), never over the batch")
    return None


# ----------------------------------------------------------------------------------------------------------
# DCN v1


def cross_layer_v1(x0: Tensor, xl: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """One DCN cross layer: x0 * (x_l^T w) + b + x_l for a batch of rows x0, xl (B, d)."""
    s = xl @ w  # (B,): one scalar x_l^T w per example
    return x0 * s.unsqueeze(-1) + b + xl  # (B, d)


def _v1_cases() -> list[Case]:
    def v1(B, d, seed, same=False):
        x0, xl, W, b = _inputs(B, d, seed, same)
        return x0, xl, W[0], b  # w: one row of the random matrix
    return [Case(v1(5, 4, 0), "a random batch (x_0 != x_l, a deeper layer)"),
            Case(v1(1, 3, 1), "a batch of one"),
            Case(v1(4, 6, 2, same=True), "the first layer (x_l = x_0)"),
            Case(v1(3, 1, 3), "d = 1")]


def _v1_no_residual(x0, xl, w, b):
    return x0 * (xl @ w).unsqueeze(-1) + b


def _v1_swapped(x0, xl, w, b):
    return xl * (x0 @ w).unsqueeze(-1) + b + xl


def _v1_elementwise(x0, xl, w, b):
    return x0 * xl * w + b + xl


def _v1_bias_inside(x0, xl, w, b):
    return x0 * ((xl @ w).unsqueeze(-1) + b) + xl


def _v1_residual_x0(x0, xl, w, b):
    return x0 * (xl @ w).unsqueeze(-1) + b + x0


cross_layer_v1 = Exercise(
    id="dcn.cross_layer_v1", title="DCN (v1) cross layer",
    reference=cross_layer_v1, cases=_v1_cases,
    mistakes=(
        Mistake("the residual + x_l is missing: without it a layer only outputs the new cross and forgets the "
                "lower-degree terms x_l already holds", _v1_no_residual),
        Mistake("x_0 and x_l are swapped: the base input x_0 multiplies the scalar x_l^T w (x_0 is reused in "
                "every layer; x_l is what the previous layer produced)", _v1_swapped),
        Mistake("x_l^T w is a dot product, one scalar per example (xl @ w, shape (B,)), not an element-wise "
                "product", _v1_elementwise),
        Mistake("in DCN v1 the bias is added outside the product: x_0 (x_l^T w) + b. Putting it inside, "
                "x_0 o (x_l^T w + b), is DCN-V2's form", _v1_bias_inside),
        Mistake("the residual adds the layer's input x_l, not x_0 (they agree only in the first layer)",
                _v1_residual_x0),
    ),
    probes=(lambda fn: _rows_probe(fn, _v1_cases()[0].args),),
    hint_text="Work with shapes: xl @ w gives one number per example, shape (B,). Give it a trailing axis "
              "(unsqueeze(-1)) so that it scales each row of x0, then add b and the layer's input.",
)

# ----------------------------------------------------------------------------------------------------------
# DCN-V2


def cross_layer_v2(x0: Tensor, xl: Tensor, W: Tensor, b: Tensor) -> Tensor:
    """One DCN-V2 cross layer: x0 o (W x_l + b) + x_l; with rows, W x_l is xl @ W.T."""
    return x0 * (xl @ W.T + b) + xl  # (B, d)


def _v2_cases() -> list[Case]:
    return [Case(_inputs(5, 4, 10), "a random batch with a non-symmetric W (x_0 != x_l)"),
            Case(_inputs(1, 3, 11), "a batch of one"),
            Case(_inputs(4, 5, 12, same=True), "the first layer (x_l = x_0)"),
            Case((*_inputs(3, 4, 13)[:2], torch.zeros(4, 4), torch.zeros(4)), "W = 0 and b = 0 (the identity)")]


def _v2_transposed(x0, xl, W, b):
    return x0 * (xl @ W + b) + xl


def _v2_bias_outside(x0, xl, W, b):
    return x0 * (xl @ W.T) + b + xl


def _v2_no_residual(x0, xl, W, b):
    return x0 * (xl @ W.T + b)


def _v2_swapped(x0, xl, W, b):
    return xl * (x0 @ W.T + b) + xl


def _v2_residual_x0(x0, xl, W, b):
    return x0 * (xl @ W.T + b) + x0


cross_layer_v2 = Exercise(
    id="dcn.cross_layer_v2", title="DCN-V2 cross layer",
    reference=cross_layer_v2, cases=_v2_cases,
    mistakes=(
        Mistake("you multiplied by W^T: for a batch of row vectors, W x_l is xl @ W.T (xl @ W computes W^T x_l)",
                _v2_transposed),
        Mistake("in DCN-V2 the bias sits inside the element-wise product: x_0 o (W x_l + b). Adding it outside "
                "is DCN v1's form", _v2_bias_outside),
        Mistake("the residual + x_l is missing: W = 0 must give the identity, so a layer can be switched off",
                _v2_no_residual),
        Mistake("x_0 and x_l are swapped: x_0 (the base input) multiplies W x_l", _v2_swapped),
        Mistake("the residual adds the layer's input x_l, not x_0 (they agree only in the first layer)",
                _v2_residual_x0),
    ),
    probes=(lambda fn: _rows_probe(fn, _v2_cases()[0].args),),
    hint_text="Three steps: the linear map W x_l + b for every row (mind which side W multiplies a row "
              "vector from), the element-wise product with x_0, and the residual. Check your answer on the "
              "case W = 0, b = 0: what must a cross layer return then?",
)

# ----------------------------------------------------------------------------------------------------------
# Low rank


def low_rank_cross(x0: Tensor, xl: Tensor, U: Tensor, V: Tensor, b: Tensor) -> Tensor:
    """DCN-V2 low-rank cross layer: x0 o (U (V^T x_l) + b) + x_l without forming the d x d matrix U V^T."""
    z = xl @ V  # (B, r): V^T x_l, the projection to r dimensions
    return x0 * (z @ U.T + b) + xl  # (B, d): back up with U


def _low_rank_cases() -> list[Case]:
    return [Case(_inputs(5, 6, 20, r=2), "a random batch, d = 6, r = 2"),
            Case(_inputs(1, 4, 21, r=1), "a batch of one, rank 1"),
            Case(_inputs(3, 5, 22, same=True, r=3), "the first layer (x_l = x_0), d = 5, r = 3")]


def _low_rank_swapped(x0, xl, U, V, b):
    return x0 * ((xl @ U) @ V.T + b) + xl


def _low_rank_bias_outside(x0, xl, U, V, b):
    return x0 * ((xl @ V) @ U.T) + b + xl


def _low_rank_no_residual(x0, xl, U, V, b):
    return x0 * ((xl @ V) @ U.T + b)


low_rank_cross = Exercise(
    id="dcn.low_rank_cross", title="DCN-V2 low-rank cross layer",
    reference=low_rank_cross, cases=_low_rank_cases,
    mistakes=(
        Mistake("U and V are swapped: W = U V^T, so x_l meets V^T first (project down to r dimensions), then U "
                "(back up to d). You computed V U^T x_l", _low_rank_swapped),
        Mistake("the bias sits inside the element-wise product: x_0 o (U V^T x_l + b)", _low_rank_bias_outside),
        Mistake("the residual + x_l is missing", _low_rank_no_residual),
    ),
    probes=(lambda fn: _rows_probe(fn, _low_rank_cases()[0].args),),
    hint_text="W x_l with W = U V^T is U (V^T x_l). For a batch of rows, V^T x_l is xl @ V (shape (B, r)) and "
              "U z is z @ U.T. Then proceed exactly as in the full-rank layer.",
)
