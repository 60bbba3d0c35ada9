"""Offline metrics of CTR models (DIN paper, section 6.3).

    AUC       P(score of a random click > score of a random non-click), ties counting 1/2
    GAUC      sum_u n_u * AUC_u / sum_u n_u over users u with both labels (n_u = impressions of u)
    logloss   -mean(y log p + (1 - y) log(1 - p))
    RelaImpr  ((AUC(model) - 0.5) / (AUC(base) - 0.5) - 1) * 100%
"""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _check(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y, s = _np(y_true).astype(np.float64).ravel(), _np(y_score).astype(np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"y_true and y_score differ in length: {y.shape[0]} vs {s.shape[0]}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must hold only 0 and 1 (click / no click)")
    return y, s


def auc(y_true, y_score) -> float:
    """Area under the ROC curve via the rank-sum (Mann-Whitney U) statistic."""
    y, s = _check(y_true, y_score)
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs at least one click and one non-click")
    rank_sum = rankdata(s)[y == 1].sum()  # ranks 1..N, ties get their average rank
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def gauc(y_true, y_score, groups) -> float:
    """Impression-weighted mean of per-user AUCs; users whose labels are all equal are skipped."""
    y, s = _check(y_true, y_score)
    g = np.unique(_np(groups).ravel(), return_inverse=True)[1]
    if g.shape != y.shape:
        raise ValueError(f"groups has {g.shape[0]} entries, y_true {y.shape[0]}")
    # Rank within each user in one pass: sort by (user, global score rank), ties share an average rank.
    within = rankdata(g * (len(s) + 1.0) + rankdata(s))  # ranks of all users laid end to end
    n = np.bincount(g)
    n_pos = np.bincount(g, weights=y)
    within -= (np.cumsum(n) - n)[g]  # now 1..n_u inside each user
    rank_sum = np.bincount(g, weights=within * y)
    n_neg = n - n_pos
    ok = (n_pos > 0) & (n_neg > 0)
    if not ok.any():
        raise ValueError("GAUC needs at least one user with both a click and a non-click")
    user_auc = (rank_sum[ok] - n_pos[ok] * (n_pos[ok] + 1) / 2) / (n_pos[ok] * n_neg[ok])
    return float((n[ok] * user_auc).sum() / n[ok].sum())


def logloss(y_true, y_prob, eps: float = 1e-7) -> float:
    """Binary cross-entropy of predicted probabilities (clipped to [eps, 1 - eps])."""
    y, p = _check(y_true, y_prob)
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"logloss takes probabilities in [0, 1], got values in [{p.min():.3g}, {p.max():.3g}]: "
                         f"pass torch.sigmoid(logits), not the logits")
    p = np.clip(p, eps, 1 - eps)  # a confident mistake costs log(1e7), not infinity
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def relaimpr(auc_model: float, auc_base: float) -> float:
    """Relative improvement over a base model in percent, measured from the random-guess AUC 0.5."""
    if auc_base == 0.5:
        raise ValueError("RelaImpr is undefined for a base model at AUC 0.5")
    return ((auc_model - 0.5) / (auc_base - 0.5) - 1) * 100
