"""ShopSim's world, built once per seed: categories and items in a small latent space, their long-tailed
popularity, users with a few weighted interests, and the tables of profile, context and cross effects.

Category ids 1..C, item ids 1..I, user ids 1..U; row 0 of every table is the padding id.
"""
from __future__ import annotations

import numpy as np

N_AGE, N_GENDER, N_POS, N_DEVICE = 6, 2, 4, 3


def zipf(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities proportional to 1 / rank**exponent, assigned to n things in random order."""
    p = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(p / p.sum())


def build_world(C: int, I: int, U: int, d: int, k: int, item_noise: float, popularity_exponent: float,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """C categories, I items, U users with k interests each, in a latent space of d dimensions."""
    centres = rng.normal(size=(C + 1, d)) * 1.5
    item_cat = np.concatenate([[0], rng.permutation(np.arange(1, I + 1) % C + 1)])
    item_vec = centres[item_cat] + item_noise * rng.normal(size=(I + 1, d))
    cat_pop = np.concatenate([[0], zipf(C, popularity_exponent, rng)])
    # Items grouped by category with cumulative popularity offset by the category id (c - 1 + cdf),
    # so that searchsorted(items_cum, c - 1 + u) draws items of category c by popularity, many at once.
    item_pop, by_cat, cum = np.zeros(I + 1), [], []
    for c in range(1, C + 1):
        members = np.flatnonzero(item_cat == c)
        within = zipf(len(members), popularity_exponent, rng)
        item_pop[members] = cat_pop[c] * within
        by_cat.append(members)
        cum.append(c - 1 + np.minimum(np.cumsum(within), 1.0))
        cum[-1][-1] = c  # exact upper edge: u < 1 never falls into the next category
    user_cats = np.stack([rng.choice(np.arange(1, C + 1), k, replace=False, p=cat_pop[1:])
                          for _ in range(U + 1)])
    user_weights = rng.dirichlet(np.ones(k), size=U + 1)
    return dict(
        item_cat=item_cat, item_vec=item_vec.astype(np.float32), item_pop=item_pop,
        item_quality=rng.normal(size=I + 1), cat_pop=cat_pop,
        user_cats=user_cats, user_weights=user_weights,
        user_age=rng.integers(1, N_AGE + 1, U + 1), user_gender=rng.integers(1, N_GENDER + 1, U + 1),
        age_effect=rng.normal(0, 0.3, N_AGE + 1), pos_effect=-0.4 * np.arange(N_POS + 1),
        gender_x_cat=rng.normal(size=(N_GENDER + 1, C + 1)), age_x_device=rng.normal(size=(N_AGE + 1, N_DEVICE + 1)),
        taste=rng.normal(size=(N_AGE + 1, C + 1)),
        items_by_cat=np.concatenate(by_cat), items_cum=np.concatenate(cum),
    )


def solve_bias(logits: np.ndarray, rate: float) -> float:
    """The shift b with mean(sigmoid(logits + b)) = rate (bisection; the mean is increasing in b)."""
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.mean(1 / (1 + np.exp(-(logits + mid)))) < rate else (lo, mid)
    return (lo + hi) / 2
