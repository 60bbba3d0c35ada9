"""Offline metrics of CTR models (DIN paper, section 6.3).

    AUC       P(score of a random click > score of a random non-click), ties counting 1/2
    GAUC      sum_u n_u * AUC_u / sum_u n_u over users u with both labels (n_u = impressions of u)
    logloss   -mean(y log p + (1 - y) log(1 - p))
    RelaImpr  ((AUC(model) - 0.5) / (AUC(base) - 0.5) - 1) * 100%

``calibrate_sampled`` undoes what keeping only a fraction r of the negatives does to predicted probabilities:
the odds grow by 1/r, so p = p_s / (p_s + (1 - p_s) / r). Every function checks its inputs (one dimension,
labels 0/1, finite scores, AUCs between 0 and 1) and says what to fix.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from .errors import InputError, within


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _check(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y, s = _np(y_true).astype(np.float64), _np(y_score).astype(np.float64)
    if y.ndim != 1 or s.ndim != 1:
        raise InputError(f"labels and scores must be one column each, got shapes {y.shape} and {s.shape}: for a "
                         f"multi-task model score each task's column, e.g. auc(y[:, k], p[:, k])")
    if y.shape != s.shape:
        raise InputError(f"y_true and y_score differ in length: {y.shape[0]} vs {s.shape[0]}")
    if len(y) == 0:
        raise InputError("no impressions to score: the labels and scores are empty")
    if not np.isin(y, (0.0, 1.0)).all():
        raise InputError("y_true must hold only 0 and 1 (click / no click)")
    if not np.isfinite(s).all():
        raise InputError(f"{int((~np.isfinite(s)).sum())} scores are NaN or infinite: a model that diverged, or a "
                         f"division by zero, upstream; fix them before scoring")
    return y, s


def auc(y_true, y_score) -> float:
    """Area under the ROC curve via the rank-sum (Mann-Whitney U) statistic."""
    y, s = _check(y_true, y_score)
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise InputError("AUC needs at least one click and one non-click")
    rank_sum = rankdata(s)[y == 1].sum()  # ranks 1..N, ties get their average rank
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def gauc(y_true, y_score, groups) -> float:
    """Impression-weighted mean of per-user AUCs; users whose labels are all equal are skipped."""
    y, s = _check(y_true, y_score)
    g = np.unique(_np(groups).ravel(), return_inverse=True)[1]
    if g.shape != y.shape:
        raise InputError(f"groups has {g.shape[0]} entries, y_true {y.shape[0]}")
    # Rank within each user in one pass: sort by (user, global score rank), ties share an average rank.
    within = rankdata(g * (len(s) + 1.0) + rankdata(s))  # ranks of all users laid end to end
    n = np.bincount(g)
    n_pos = np.bincount(g, weights=y)
    within -= (np.cumsum(n) - n)[g]  # now 1..n_u inside each user
    rank_sum = np.bincount(g, weights=within * y)
    n_neg = n - n_pos
    ok = (n_pos > 0) & (n_neg > 0)
    if not ok.any():
        raise InputError("GAUC needs at least one user with both a click and a non-click")
    user_auc = (rank_sum[ok] - n_pos[ok] * (n_pos[ok] + 1) / 2) / (n_pos[ok] * n_neg[ok])
    return float((n[ok] * user_auc).sum() / n[ok].sum())


def logloss(y_true, y_prob, eps: float = 1e-7) -> float:
    """Binary cross-entropy of predicted probabilities (clipped to [eps, 1 - eps])."""
    y, p = _check(y_true, y_prob)
    if ((p < 0) | (p > 1)).any():
        raise InputError(f"logloss takes probabilities in [0, 1], got values in [{p.min():.3g}, {p.max():.3g}]: "
                         f"pass torch.sigmoid(logits), not the logits")
    p = np.clip(p, eps, 1 - eps)  # a confident mistake costs log(1e7), not infinity
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def relaimpr(auc_model: float, auc_base: float) -> float:
    """Relative improvement over a base model in percent, measured from the random-guess AUC 0.5."""
    for name, value in (("auc_model", auc_model), ("auc_base", auc_base)):
        within(f"relaimpr: {name} (an AUC between 0 and 1; 0.78, not 78)", value, 0, 1)
    if auc_base <= 0.5:
        raise InputError(f"RelaImpr measures from a base model better than random guessing; auc_base={auc_base} "
                         f"is not above 0.5")
    return ((auc_model - 0.5) / (auc_base - 0.5) - 1) * 100


def calibrate_sampled(p_sampled, rate: float):
    """Probabilities of a model trained with only a fraction ``rate`` of the negatives, corrected to the full
    data: its odds p/(1-p) are 1/rate times too high, so p = p_s / (p_s + (1 - p_s) / rate). Tensor or array in,
    the same type out; monotonic, so AUC and GAUC do not change."""
    within("calibrate_sampled: rate (the fraction of negatives kept)", rate, 0, 1, "(]")
    return p_sampled / (p_sampled + (1 - p_sampled) / rate)
