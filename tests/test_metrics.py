"""Metrics against hand-computed values and scikit-learn."""
import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from course_lib.metrics import auc, gauc, logloss, relaimpr


def test_auc_by_hand():
    # pairs (pos, neg): (0.8 > 0.3), (0.8 > 0.5), (0.4 > 0.3), (0.4 < 0.5)  -> 3 / 4
    assert auc([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.5]) == 0.75
    assert auc([1, 0], [0.5, 0.5]) == 0.5  # a tie counts one half


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    s = rng.integers(0, 20, 1000) / 20  # many ties
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_gauc_by_hand():
    y = [1, 0, 0, 1, 0, 1, 1]
    s = [0.9, 0.1, 0.5, 0.2, 0.3, 0.7, 0.6]
    u = [1, 1, 1, 2, 2, 3, 3]  # user 3 has only clicks: skipped
    # user 1: auc 1.0 over 3 impressions; user 2: auc 0.0 over 2 impressions
    assert gauc(y, s, u) == pytest.approx((3 * 1.0 + 2 * 0.0) / 5)


def test_gauc_matches_a_per_user_loop_with_sklearn():
    rng = np.random.default_rng(1)
    n = 3000
    u = rng.integers(0, 60, n)
    y = rng.integers(0, 2, n)
    s = np.round(rng.random(n) + 0.3 * y, 2)  # ties inside users too
    num = den = 0.0
    for user in np.unique(u):
        m = u == user
        if 0 < y[m].sum() < m.sum():
            num += m.sum() * roc_auc_score(y[m], s[m])
            den += m.sum()
    assert gauc(y, s, u) == pytest.approx(num / den, abs=1e-12)


def test_logloss_matches_sklearn_and_hand():
    assert logloss([1, 0], [0.5, 0.5]) == pytest.approx(np.log(2))
    rng = np.random.default_rng(2)
    y, p = rng.integers(0, 2, 500), rng.random(500)
    assert logloss(y, p) == pytest.approx(log_loss(y, p), abs=1e-9)


def test_relaimpr_by_hand():
    # DIN paper, Amazon: DIN 0.8818 over BaseModel 0.8624 -> about +5.35%
    assert relaimpr(0.8818, 0.8624) == pytest.approx(((0.8818 - 0.5) / (0.8624 - 0.5) - 1) * 100)
    assert relaimpr(0.7, 0.6) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="0.5"):
        relaimpr(0.7, 0.5)


def test_clear_errors():
    with pytest.raises(ValueError, match="one click and one non-click"):
        auc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="only 0 and 1"):
        auc([2, 0], [0.2, 0.3])
    with pytest.raises(ValueError, match="differ in length"):
        auc([1, 0, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match=r"logloss takes probabilities in \[0, 1\], got values in \[-2, 3\]"):
        logloss([1, 0], [3.0, -2.0])  # logits, which clipping would have scored as a perfect 1e-7
