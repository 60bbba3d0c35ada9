"""Chapter 1 exercises (Embedding & MLP, DIN paper sections 4.2 and 6.3).

    masked_mean  mean pooling of a right-padded history:  v_U = sum_{t < len} e_t / max(len, 1)
    gauc         user-weighted AUC:  GAUC = sum_u n_u AUC_u / sum_u n_u  over users with both labels

Learner functions and their inputs:

    masked_mean(x, hist_len) -> (B, D)   x (B, T, D) float, hist_len (B,) int64 in 0..T
    gauc(y, score, user) -> float        y (N,) float 0/1, score (N,) float, user (N,) int64 (any ids)

Usage: ``from course_lib.exercises import emb as ex; ex.masked_mean.check(my_masked_mean)``.
Each reference below keeps the learner's function name (``.solution()`` prints its source); the module
name is then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ..metrics import auc
from ..data import history_mask
from ..nn import masked_pool
from .core import Case, Exercise, Mistake, not_finite, quietly

# ----------------------------------------------------------------------------------------------------------
# Masked mean pooling


def masked_mean(x: Tensor, hist_len: Tensor) -> Tensor:
    """Mean of x (B, T, D) over the first hist_len[b] positions of each row -> (B, D); zeros if hist_len is 0."""
    B, T, D = x.shape
    mask = history_mask(hist_len, T)  # (B, T) True at real behaviours: arange(T) < hist_len[:, None]
    return masked_pool(x, mask, "mean")  # (B, D) = (x * mask[..., None]).sum(1) / mask.sum(1).clamp(min=1)


def _padded_batch(B: int, T: int, D: int, hist_len: list[int], seed: int, padding: float = 0.0) -> tuple:
    """x (B, T, D) with N(0, 1) behaviours; padding positions hold `padding` * N(0, 1) (0: zero vectors)."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor(hist_len, dtype=torch.int64)  # (B,)
    real = history_mask(lengths, T).unsqueeze(-1)  # (B, T, 1)
    x = torch.randn(B, T, D, generator=g)
    x = torch.where(real, x, padding * torch.randn(B, T, D, generator=g))  # (B, T, D)
    return x, lengths


def _masked_mean_cases() -> list[Case]:
    return [
        Case(_padded_batch(5, 7, 4, [3, 7, 1, 5, 2], seed=0), "a random batch (padding rows are zero vectors)"),
        Case(_padded_batch(1, 6, 3, [4], seed=1), "a batch of one"),
        Case(_padded_batch(3, 5, 2, [5, 5, 5], seed=2), "full-length histories (hist_len = T)"),
        Case(_padded_batch(4, 6, 3, [2, 6, 1, 4], seed=3, padding=100.0),
             "padding positions filled with large random values"),
        Case(_padded_batch(4, 5, 3, [0, 3, 0, 5], seed=4), "a batch with empty histories (hist_len 0)"),
    ]


def _masked_sum(x: Tensor, hist_len: Tensor) -> Tensor:
    return (x * history_mask(hist_len, x.shape[1]).unsqueeze(-1)).sum(1)  # (B, D)


def _divides_by_T(x, hist_len):
    return _masked_sum(x, hist_len) / x.shape[1]


def _ignores_mask(x, hist_len):
    return x.sum(1) / hist_len.clamp(min=1).unsqueeze(-1)


def _sum_not_mean(x, hist_len):
    return _masked_sum(x, hist_len)


PADDING_MESSAGE = ("padding positions changed the output: apply the mask (only the first hist_len positions "
                   "of a row are behaviours; never rely on padding being zero)")


def _padding_probe(fn) -> str | None:
    """Same real behaviours, different padding: the output must not move."""
    a, lengths = _padded_batch(3, 6, 2, [2, 4, 1], seed=5, padding=50.0)
    b = torch.where(history_mask(lengths, 6).unsqueeze(-1), a, torch.zeros(()))  # (B, T, D) padding zeroed
    out_a, out_b = quietly(fn, a, lengths.clone()), quietly(fn, b, lengths.clone())
    if isinstance(out_a, Tensor) and isinstance(out_b, Tensor) and out_a.shape == out_b.shape \
            and not torch.allclose(out_a, out_b, atol=1e-5, equal_nan=True):
        return PADDING_MESSAGE
    return None


EMPTY_MESSAGE = ("an empty history (hist_len 0) gave NaN or inf: you divided by a zero count; clamp the count "
                 "to at least 1 so that an empty history pools to the zero vector")


def _empty_probe(fn) -> str | None:
    return not_finite(fn, _padded_batch(2, 4, 3, [0, 2], seed=6), EMPTY_MESSAGE)


masked_mean = Exercise(
    id="emb.masked_mean", title="Masked mean pooling",
    reference=masked_mean, cases=_masked_mean_cases,
    mistakes=(
        Mistake("you divided by T, the padded width, instead of hist_len: that is a rescaled sum, not the mean "
                "of the real behaviours", _divides_by_T),
        Mistake(PADDING_MESSAGE, _ignores_mask),
        Mistake("you returned the masked sum: divide it by the number of real behaviours", _sum_not_mean),
    ),
    probes=(_padding_probe, _empty_probe),
    hint_text="Build a (B, T) boolean mask that is True where the position index is below the row's hist_len "
              "(compare torch.arange(T) with hist_len[:, None]). Use it to zero the padding before summing "
              "over T, then divide by the number of real positions. What should that count be when a "
              "history is empty?",
)

# ----------------------------------------------------------------------------------------------------------
# GAUC


def gauc(y: Tensor, score: Tensor, user: Tensor) -> float:
    """Impression-weighted mean of per-user AUCs, skipping users whose impressions share one label."""
    num = den = 0.0
    for u in torch.unique(user):
        mine = user == u  # (N,) this user's impressions
        n_u, clicks = int(mine.sum()), int(y[mine].sum())
        if clicks == 0 or clicks == n_u:  # one label class: no click/non-click pair, AUC undefined
            continue
        num += n_u * auc(y[mine], score[mine])  # course_lib.metrics.auc (= roc_auc_score), weight n_u
        den += n_u
    return num / den


def _impressions(user: Tensor, click_rate: Tensor, bias: Tensor, seed: int, ties: bool = False) -> tuple:
    """Labels with per-user click rates and scores with per-user offsets, so AUC and GAUC disagree."""
    g = torch.Generator().manual_seed(seed)
    y = (torch.rand(len(user), generator=g) < click_rate).float()  # (N,)
    score = torch.sigmoid(bias + 1.5 * y + torch.randn(len(user), generator=g))  # (N,)
    if ties:
        score = torch.round(score * 5) / 5  # six distinct values: many ties inside every user
    return y, score, user


def _random_users(seed: int, ties: bool = False) -> tuple:
    """Eight users with ids 3..9000 and 6 to 60 impressions each; every user has both labels."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.tensor([3, 17, 250, 4, 9000, 61, 8, 777])
    sizes = torch.tensor([6, 60, 12, 35, 9, 24, 50, 15])
    user = torch.repeat_interleave(ids, sizes)[torch.randperm(int(sizes.sum()), generator=g)]  # (N,) shuffled
    rate = torch.linspace(0.15, 0.6, len(ids))[torch.searchsorted(ids.sort().values, user)]  # (N,) per user
    bias = 2.0 * rate  # heavy clickers get higher scores everywhere: the user-level bias plain AUC rewards
    while True:
        y, score, user = _impressions(user, rate, bias, seed, ties)
        clicks = [int(y[user == u].sum()) for u in ids]
        if all(0 < c < n for c, n in zip(clicks, sizes.tolist())):
            return y, score, user
        seed += 1000


def _with_single_class_users() -> tuple:
    """Random users plus user 42 with only clicks and user 43 with only non-clicks."""
    y, score, user = _random_users(seed=11)
    y = torch.cat([y, torch.ones(7), torch.zeros(5)])
    score = torch.cat([score, torch.linspace(0.2, 0.9, 7), torch.linspace(0.1, 0.6, 5)])
    user = torch.cat([user, torch.full((7,), 42), torch.full((5,), 43)])
    return y, score, user


def _one_user() -> tuple:
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    score = torch.tensor([0.9, 0.2, 0.4, 0.35, 0.5, 0.1, 0.8, 0.3])
    return y, score, torch.full((8,), 5)


def _gauc_cases() -> list[Case]:
    return [
        Case(_random_users(seed=10), "random data: 8 users with 6 to 60 impressions each"),
        Case(_with_single_class_users(), "a user with only clicks and one with only non-clicks (both skipped)"),
        Case(_random_users(seed=12, ties=True), "scores with ties inside users"),
        Case(_one_user(), "a single user"),
    ]


def _user_aucs(y, score, user, pair_auc=auc):
    """[(n_u, clicks_u, AUC_u or None)] per user; None for users with one label class."""
    rows = []
    for u in torch.unique(user):
        mine = user == u
        n_u, clicks = int(mine.sum()), int(y[mine].sum())
        rows.append((n_u, clicks, pair_auc(y[mine], score[mine]) if 0 < clicks < n_u else None))
    return rows


def _unweighted(y, score, user):
    aucs = [a for _, _, a in _user_aucs(y, score, user) if a is not None]
    return sum(aucs) / len(aucs)


def _single_class_as_half(y, score, user):
    rows = [(n, 0.5 if a is None else a) for n, _, a in _user_aucs(y, score, user)]
    return sum(n * a for n, a in rows) / sum(n for n, _ in rows)


def _skipped_in_denominator(y, score, user):
    rows = _user_aucs(y, score, user)
    return sum(n * a for n, _, a in rows if a is not None) / sum(n for n, _, _ in rows)


def _click_weighted(y, score, user):
    rows = [(c, a) for _, c, a in _user_aucs(y, score, user) if a is not None]
    return sum(c * a for c, a in rows) / sum(c for c, _ in rows)


def _global_auc(y, score, user):
    return auc(y, score)


def _pairs_auc(y, score, tie: float) -> float:
    """AUC by counting click/non-click pairs, a tie counting `tie` (the right value is 1/2)."""
    pos, neg = score[y == 1].unsqueeze(1), score[y == 0].unsqueeze(0)  # (P, 1), (1, M)
    return float(((pos > neg).double() + tie * (pos == neg).double()).mean())


def _ties_as(tie: float):
    def wrong(y, score, user):
        rows = _user_aucs(y, score, user, pair_auc=lambda a, b: _pairs_auc(a, b, tie))
        return sum(n * a for n, _, a in rows if a is not None) / sum(n for n, _, a in rows if a is not None)
    return wrong


TIES_MESSAGE = "a tied click/non-click pair must count 1/2 (roc_auc_score does this for you)"


def _float_probe(fn) -> str | None:
    out = quietly(fn, *_one_user())
    if isinstance(out, Tensor):
        return "your function returned a tensor: return a Python float, wrap the result in float(...)"
    return None


def _nan_probe(fn) -> str | None:
    out = quietly(fn, *_with_single_class_users())
    if isinstance(out, (float, int)) and out != out:
        return ("your GAUC is NaN: a user with only one label class has no AUC (roc_auc_score returns nan with "
                "an UndefinedMetricWarning); skip such users")
    return None


def _single_class_probe(fn) -> str | None:
    """Adding a user with only clicks must leave GAUC unchanged."""
    y, score, user = _random_users(seed=13)
    plain = quietly(fn, y.clone(), score.clone(), user.clone())
    more = quietly(fn, torch.cat([y, torch.ones(9)]), torch.cat([score, torch.full((9,), 0.5)]),
              torch.cat([user, torch.full((9,), 99)]))
    try:
        changed = abs(float(plain) - float(more)) > 1e-9
    except (TypeError, ValueError):
        return None
    if changed:
        return ("adding a user with only clicks changed your GAUC: users with one label class have no AUC and "
                "must be left out of both the weighted sum and the total weight")
    return None


gauc = Exercise(
    id="emb.gauc", title="GAUC, user-weighted",
    reference=gauc, cases=_gauc_cases,
    mistakes=(
        Mistake("that is the global AUC over all impressions, which also compares one user's click with another "
                "user's non-click: compute the AUC within each user, then average", _global_auc),
        Mistake("you averaged the users' AUCs with equal weights: weight each user by its number of "
                "impressions", _unweighted),
        Mistake("you weighted users by their clicks; this course uses the DIN paper's impression weights "
                "(n_u = the user's number of impressions)", _click_weighted),
        Mistake("users with only one label class were counted (as AUC 0.5): their AUC is undefined, skip them",
                _single_class_as_half),
        Mistake("the skipped users' impressions still count in the total weight (as if their AUC were 0): "
                "leave them out of both sums", _skipped_in_denominator),
        Mistake(TIES_MESSAGE, _ties_as(0.0)),
        Mistake(TIES_MESSAGE, _ties_as(1.0)),
    ),
    probes=(_float_probe, _nan_probe, _single_class_probe),
    atol=1e-9,
    hint_text="Loop over the distinct users (torch.unique(user)) and select each user's impressions with a "
              "boolean mask. Which users have no AUC at all? Keep two running totals, the weighted AUCs and "
              "the weights, and divide at the end.",
)
