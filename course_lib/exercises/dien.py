"""Chapter 3 exercises (DIEN, Zhou et al., AAAI 2019: interest extractor and interest evolving layers).

    aux_loss        Eq. (6), masked:  -mean over real pairs (t, t+1) of
                    [ log sigmoid(h_t . e_{t+1}) + log(1 - sigmoid(h_t . e^_{t+1})) ]
    masked_softmax  Eq. (8)'s normalization over the real behaviours:  a_t = exp(s_t) / sum_{j < len} exp(s_j)
    augru_step      one AUGRU step, Eq. (2)-(4) and (11)-(12):
                    u = sigmoid(W^u x + U^u h + b^u), r = sigmoid(W^r x + U^r h + b^r),
                    h~ = tanh(W^h x + r * (U^h h) + b^h), u~ = a * u, h' = (1 - u~) * h + u~ * h~

Learner functions and their inputs:

    aux_loss(h, e, e_neg, hist_len) -> scalar   h, e, e_neg (B, T, H); hist_len (B,) int64
    masked_softmax(scores, hist_len) -> (B, T)  scores (B, T); hist_len (B,) int64 (0 allowed)
    augru_step(x, h, a, W, U, b) -> (B, H)      x (B, I), h (B, H), a (B,), W (3H, I), U (3H, H), b (3H,);
                                                gate order along 3H: (u, r, h~)

Usage: ``from course_lib.exercises import dien as ex; ex.augru_step.check(my_augru_step)``.
Each reference keeps the learner's function name (``.solution()`` prints its source); the module name is
then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..data import history_mask
from .core import Case, Exercise, Mistake, not_finite

# ----------------------------------------------------------------------------------------------------------
# The auxiliary loss


def aux_loss(h: Tensor, e: Tensor, e_neg: Tensor, hist_len: Tensor) -> Tensor:
    """Eq. (6): h_t (B, T, H) scores the next clicked good e_{t+1} against a sampled one e^_{t+1}."""
    B, T, H = h.shape
    pairs = history_mask(hist_len, T)[:, 1:]  # (B, T-1): True where step t+1 is a real behaviour
    pos = (h[:, :-1] * e[:, 1:]).sum(-1)  # (B, T-1) h_t . e_{t+1}
    neg = (h[:, :-1] * e_neg[:, 1:]).sum(-1)  # (B, T-1) h_t . e^_{t+1}
    loss = -(F.logsigmoid(pos) + F.logsigmoid(-neg))  # log(1 - sigmoid(x)) = logsigmoid(-x), stable
    return (loss * pairs).sum() / pairs.sum().clamp(min=1)  # mean over the real pairs


def _aux_batch(B: int, T: int, H: int, hist_len: list[int], scale: float = 1.0) -> tuple:
    lengths = torch.tensor(hist_len, dtype=torch.int64)
    real = history_mask(lengths, T).unsqueeze(-1)  # (B, T, 1)
    h, e, e_neg = (torch.randn(B, T, H) * scale for _ in range(3))
    return h, e * real, e_neg * real, lengths  # padding goods are zero vectors, as the embeddings give


def _aux_cases() -> list[Case]:
    return [
        Case(_aux_batch(4, 6, 3, [6, 3, 2, 5]), "a random batch (B=4, T=6, H=3)"),
        Case(_aux_batch(1, 5, 2, [4]), "a batch of one"),
        Case(_aux_batch(3, 5, 4, [1, 0, 5]), "histories of length 1 and 0 (no pair at all in those rows)"),
        Case(_aux_batch(2, 4, 3, [1, 0]), "a batch without a single pair (the loss must be 0, not NaN)"),
        Case(_aux_batch(3, 5, 3, [5, 2, 4], scale=10.0), "large scores (|h . e| up to several hundred)"),
    ]


def _pair_losses(h, e, e_neg):
    return -(F.logsigmoid((h[:, :-1] * e[:, 1:]).sum(-1)) + F.logsigmoid(-(h[:, :-1] * e_neg[:, 1:]).sum(-1)))


def _masked_mean(loss, pairs):
    return (loss * pairs).sum() / pairs.sum().clamp(min=1)


def _no_shift(h, e, e_neg, n):
    T = h.shape[1]
    real = history_mask(n, T)
    loss = -(F.logsigmoid((h * e).sum(-1)) + F.logsigmoid(-(h * e_neg).sum(-1)))  # (B, T) h_t with e_t
    return _masked_mean(loss, real)


def _no_mask(h, e, e_neg, n):
    return _pair_losses(h, e, e_neg).mean()


def _mask_one_too_long(h, e, e_neg, n):
    return _masked_mean(_pair_losses(h, e, e_neg), history_mask(n, h.shape[1])[:, :-1])


def _all_pairs_denominator(h, e, e_neg, n):
    pairs = history_mask(n, h.shape[1])[:, 1:]
    return (_pair_losses(h, e, e_neg) * pairs).sum() / pairs.numel()


def _per_sequence(h, e, e_neg, n):
    pairs = history_mask(n, h.shape[1])[:, 1:]
    return (_pair_losses(h, e, e_neg) * pairs).sum() / h.shape[0]


def _negative_sign(h, e, e_neg, n):
    loss = -(F.logsigmoid((h[:, :-1] * e[:, 1:]).sum(-1)) + F.logsigmoid((h[:, :-1] * e_neg[:, 1:]).sum(-1)))
    return _masked_mean(loss, history_mask(n, h.shape[1])[:, 1:])


def _overflow_probe(fn) -> str | None:
    return not_finite(fn, _aux_batch(2, 4, 3, [4, 3], scale=30.0),
                      "large scores gave inf or NaN: log(sigmoid(x)) underflows to log(0); use F.logsigmoid(x) and "
                      "F.logsigmoid(-x) for log(1 - sigmoid(x))")


def _empty_probe(fn) -> str | None:
    return not_finite(fn, _aux_batch(2, 4, 3, [1, 0]),
                      "a batch without any (t, t+1) pair gave NaN: 0 / 0. Clamp the number of pairs to at least 1 so "
                      "that such a batch contributes 0")


aux_loss = Exercise(
    id="dien.aux_loss", title="The masked auxiliary loss",
    reference=aux_loss, cases=_aux_cases,
    mistakes=(
        Mistake("h_t was paired with e_t, the behaviour it has just read: the auxiliary loss asks h_t to "
                "predict the NEXT behaviour, so pair h[:, :-1] with e[:, 1:]", _no_shift),
        Mistake("padding pairs were averaged in: only pairs whose step t+1 is a real behaviour count "
                "(t + 1 < hist_len)", _no_mask),
        Mistake("the mask is one step too long: you kept the pair (h_{len-1}, e_len) whose target is padding; "
                "use the mask of step t+1, history_mask(hist_len, T)[:, 1:]", _mask_one_too_long),
        Mistake("you divided by all B*(T-1) pairs, padding included (the released code's reduce_mean): a batch "
                "of short histories then gets a smaller loss; divide by the number of real pairs",
                _all_pairs_denominator),
        Mistake("you divided by the number of sequences B (the paper's 1/N written over a sum over t): this "
                "course averages over the real (sample, step) pairs, so alpha does not depend on T",
                _per_sequence),
        Mistake("the negative term has the wrong sign: it must push sigmoid(h_t . e^) towards 0, i.e. add "
                "log(1 - sigmoid(h_t . e^)) = logsigmoid(-h_t . e^)", _negative_sign),
    ),
    probes=(_overflow_probe, _empty_probe),
    hint_text="Pair h[:, :-1] with e[:, 1:] and e_neg[:, 1:] (h_t predicts step t+1). The inner products are "
              "sums over the last axis. A pair counts when step t+1 is real: build the (B, T) mask from "
              "hist_len and drop its first column. Average the per-pair losses over the counted pairs only, "
              "and keep an empty batch at 0.",
)

# ----------------------------------------------------------------------------------------------------------
# The masked softmax of the evolving layer's attention


def masked_softmax(scores: Tensor, hist_len: Tensor) -> Tensor:
    """Eq. (8)'s softmax over the real behaviours of each row (B, T); exactly 0 at padding and on empty rows."""
    mask = history_mask(hist_len, scores.shape[1])  # (B, T)
    a = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)  # (B, T); an empty row gives NaN ...
    return torch.nan_to_num(a, nan=0.0)  # ... which becomes 0: no behaviour, no attention


def _softmax_cases() -> list[Case]:
    return [
        Case((torch.randn(4, 6), torch.tensor([6, 3, 1, 4])), "a random batch (B=4, T=6)"),
        Case((torch.randn(1, 5), torch.tensor([2])), "a batch of one"),
        Case((torch.randn(3, 4) * 30 + torch.tensor([[100.0], [0.0], [-100.0]]), torch.tensor([4, 2, 3])),
             "very large scores (around +100 and -100)"),
        Case((torch.randn(3, 5), torch.tensor([0, 5, 2])), "a batch with an empty history (hist_len 0)"),
    ]


def _zero_filled(s, n):
    mask = history_mask(n, s.shape[1])
    return torch.softmax(s.masked_fill(~mask, 0.0), -1)


def _softmax_then_mask(s, n):
    return torch.softmax(s, -1) * history_mask(n, s.shape[1])


def _large_negative_fill(s, n):
    return torch.softmax(s.masked_fill(~history_mask(n, s.shape[1]), -1e9), -1)


def _exp_overflow_probe(fn) -> str | None:
    return not_finite(fn, (torch.tensor([[100.0, 99.0, 0.0]]), torch.tensor([2])),
                      "scores of 100 gave inf or NaN: exp(100) overflows float32 when you divide by hand. Subtract the "
                      "row's maximum first, or let torch.softmax do it (fill padding with -inf before it)")


def _empty_row_probe(fn) -> str | None:
    out = fn(torch.randn(2, 3), torch.tensor([0, 3]))
    if isinstance(out, Tensor) and out.shape == (2, 3) and not torch.isfinite(out[0]).all():
        return ("an empty history (hist_len 0) gave NaN: every score is -inf, so softmax computes 0 / 0. "
                "A row without behaviours must get zero attention everywhere (torch.nan_to_num, or a where)")
    return None


masked_softmax = Exercise(
    id="dien.masked_softmax", title="Masked softmax over time",
    reference=masked_softmax, cases=_softmax_cases,
    mistakes=(
        Mistake("padding positions got attention: a score of 0 is not 'no score', exp(0) = 1 still takes a "
                "share. Fill padding with -inf (not 0) before the softmax", _zero_filled),
        Mistake("you masked AFTER the softmax: the padding's share was removed but the rest no longer sums to "
                "1. Mask before normalizing", _softmax_then_mask),
        Mistake("that is a plain softmax over all T positions: padding must get weight exactly 0",
                lambda s, n: torch.softmax(s, -1)),
        Mistake("an empty history spread its attention evenly over the padding: with every score filled the "
                "softmax gives 1/T each. A row without behaviours must get 0 everywhere (multiply by the mask)",
                _large_negative_fill),
    ),
    probes=(_empty_row_probe, _exp_overflow_probe),
    hint_text="Build the (B, T) mask from hist_len, put -inf where it is False, apply torch.softmax over the "
              "last axis, and decide what a row with no behaviour at all should get.",
)

# ----------------------------------------------------------------------------------------------------------
# One AUGRU step


def augru_step(x: Tensor, h: Tensor, a: Tensor, W: Tensor, U: Tensor, b: Tensor) -> Tensor:
    """GRU with attentional update gate: x (B, I), h (B, H), a (B,) -> h' (B, H); gates ordered (u, r, h~)."""
    H = h.shape[1]
    xu, xr, xh = (x @ W.T + b).split(H, dim=1)  # (B, H) each: W i + b for the three gates
    hu, hr, hh = (h @ U.T).split(H, dim=1)  # (B, H) each: U h_{t-1}
    u = torch.sigmoid(xu + hu)  # Eq. (2) update gate
    r = torch.sigmoid(xr + hr)  # Eq. (3) reset gate
    h_tilde = torch.tanh(xh + r * hh)  # Eq. (4) candidate
    u = a.unsqueeze(1) * u  # Eq. (11) the attention scales the update gate
    return (1 - u) * h + u * h_tilde  # Eq. (12)


def _gates(x, h, W, U, b):
    H = h.shape[1]
    xu, xr, xh = (x @ W.T + b).split(H, 1)
    hu, hr, hh = (h @ U.T).split(H, 1)
    return torch.sigmoid(xu + hu), torch.sigmoid(xr + hr), xh, hh


def _step_inputs(B: int, I: int, H: int, a) -> tuple:
    x, h = torch.randn(B, I), torch.randn(B, H) * 0.5
    W, U, b = torch.randn(3 * H, I) * 0.5, torch.randn(3 * H, H) * 0.5, torch.randn(3 * H) * 0.1
    a = torch.rand(B) if a is None else torch.full((B,), float(a))
    return x, h, a, W, U, b


def _step_cases() -> list[Case]:
    return [
        Case(_step_inputs(4, 3, 5, None), "a random batch (B=4, I=3, H=5), attention in (0, 1)"),
        Case(_step_inputs(1, 2, 3, None), "a batch of one"),
        Case(_step_inputs(3, 4, 2, 0.0), "attention a = 0 (the state must not move)"),
        Case(_step_inputs(3, 4, 2, 1.0), "attention a = 1 (a plain GRU step)"),
    ]


def _plain_gru(x, h, a, W, U, b):
    u, r, xh, hh = _gates(x, h, W, U, b)
    return (1 - u) * h + u * torch.tanh(xh + r * hh)


def _agru(x, h, a, W, U, b):
    _, r, xh, hh = _gates(x, h, W, U, b)
    a = a.unsqueeze(1)
    return (1 - a) * h + a * torch.tanh(xh + r * hh)


def _swapped_convention(x, h, a, W, U, b):
    u, r, xh, hh = _gates(x, h, W, U, b)
    u = a.unsqueeze(1) * u
    return u * h + (1 - u) * torch.tanh(xh + r * hh)


def _released_cell(x, h, a, W, U, b):
    u, r, xh, hh = _gates(x, h, W, U, b)  # here u gates the OLD state, as in TensorFlow's GRUCell
    keep = (1 - a.unsqueeze(1)) * u
    return keep * h + (1 - keep) * torch.tanh(xh + r * hh)


def _reset_before_product(x, h, a, W, U, b):
    u, r, xh, _ = _gates(x, h, W, U, b)
    H = h.shape[1]
    h_tilde = torch.tanh(xh + (r * h) @ U[2 * H:].T)
    u = a.unsqueeze(1) * u
    return (1 - u) * h + u * h_tilde


augru_step = Exercise(
    id="dien.augru_step", title="One AUGRU step",
    reference=augru_step, cases=_step_cases,
    mistakes=(
        Mistake("that is a plain GRU step: the attention score never entered. AUGRU multiplies the update "
                "gate by a_t (Eq. 11) before the interpolation", _plain_gru),
        Mistake("that is AGRU: a_t replaced the update gate. AUGRU keeps the vector gate u_t and scales it, "
                "u~_t = a_t * u_t, so each dimension still decides how much to update", _agru),
        Mistake("old state and candidate are swapped: in the paper's convention u~ weighs the NEW candidate, "
                "h' = (1 - u~) * h + u~ * h~, so a = 0 keeps h (yours replaces it)", _swapped_convention),
        Mistake("that is the authors' released cell: the attention scales the keep gate by (1 - a), so a = 0 "
                "gives a plain GRU step instead of keeping the state. The paper's Eq. (11)-(12) is asked here",
                _released_cell),
        Mistake("the reset gate was applied before the matrix product, U^h (r * h); Eq. (4) applies it after: "
                "r * (U^h h). Both are GRU variants, but this exercise follows the paper",
                _reset_before_product),
    ),
    hint_text="Compute x @ W.T + b and h @ U.T, split each into three (B, H) blocks in the order (u, r, h~). "
              "Update and reset gates are sigmoids of the sums; the candidate is tanh(x-part + r * h-part). "
              "Then scale u by a (give a a trailing axis: a.unsqueeze(1)) and interpolate between h and h~.",
)
