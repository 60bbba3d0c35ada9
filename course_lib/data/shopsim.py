"""ShopSim: Taobao-like ad impressions whose causes are known.

The world (built once per seed)
    * ``n_categories`` categories with centres in a small latent space; items are their category's centre
      plus noise, so items of one category are alike and some categories are neighbours.
    * Long-tailed popularity: categories and items within a category follow Zipf laws.
    * Each user has ``interests_per_user`` categories with Dirichlet weights (a 90% / 10% user exists).
    * Profile fields ``age``, ``gender``; context fields ``pos`` (ad slot) and ``device``.

One impression
    * History of ``hist_len`` behaviours, right-padded with id 0 to ``max_len``; position ``hist_len - 1``
      is the most recent. Each behaviour's category comes from the user's interests; with ``drift > 0``
      the active interest persists from step to step with probability ``drift`` and otherwise jumps, half
      the time to a new category (interest phases that evolve).
    * The candidate ad is from the interest of a (recent, under drift) behaviour half of the time,
      otherwise a popular item from any category.
    * Click logit, unnormalized over the history so interest *intensity* counts::

          z = b + s * sum_t  m_t * exp(-||v_t - v_ad||^2 / h)      (relevance of behaviour t)
                + age and slot effects + cross_strength * (G[gender, cat_ad] + A[age, device])

      with bandwidth h = 2 * latent_dim * item_noise^2 and recency ``m_t = exp(-drift * age_t / memory)`` (``age_t`` = steps before the most recent).
      ``truth["relevance"]`` holds each behaviour's term of the sum (0 at padding).
    * Conversion logit: correlation ``conversion_correlation`` with the click logit, the rest from its
      own causes (item quality and an age x category taste).

Post-click conversion (``conversion="post_click"``, the funnel of ESMM, Ma et al., SIGIR 2018)
    * Every impression, clicked or not, has a true pCVR = p(z=1 | y=1, x) with logit
      ``cvr_bias + selection * interest + own causes``, interest = the standardized relevance sum behind the
      click; ``selection`` >= 0 sets how much the clicked impressions over-represent buyers (0: hardly at all).
    * Label ``conversion = click AND converted_if_clicked`` (z = 1 implies y = 1), on a random stream of its
      own: features and clicks are the default mode's. Truth adds cvr_prob, ctcvr_prob, converted_if_clicked.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import InputError, whole, within
from .ctrdata import CTRData, physical_memory
from .vocab import Vocab
from .world import N_AGE, N_DEVICE, N_GENDER, N_POS, build_world, solve_bias

CHUNK = 50_000  # impressions generated at once: bounds peak memory for Amazon-sized runs
SLOW_USERS, SECONDS_PER_USER = 1_000_000, 2.1e-5  # the world's per-user draws: say how long a huge world takes


@dataclass
class ShopSim:
    """Simulated impressions with ground truth; ``ShopSim(seed=0).generate(10_000)`` is deterministic."""

    n_users: int = 2000
    n_items: int = 1000
    n_categories: int = 20
    max_len: int = 30
    min_len: int = 5
    interests_per_user: int = 3
    drift: float = 0.0
    cross_strength: float = 0.0
    conversion_correlation: float = 0.5
    seed: int = 0
    conversion: str = "independent"  # or "post_click": conversions only after a click (ESMM's funnel)
    selection: float = 1.0  # post_click: weight of the user's interest in the conversion logit
    cvr_bias: float = -2.0  # post_click: conversion logit of an average impression (pCVR about 0.15)
    relevance_scale: float = 0.5  # s: logit added by one fully relevant behaviour
    memory: float = 10.0  # under drift, a behaviour `memory / drift` steps old counts e^-1 as much
    ctr: float = 0.2  # target mean click rate (sets the bias b)
    latent_dim: int = 8
    item_noise: float = 0.5  # spread of items around their category centre
    popularity_exponent: float = 1.1
    candidate_from_interest: float = 0.5
    world: dict = field(init=False, repr=False)

    # Explicit feature crosses planted when cross_strength > 0 (what DCN should find).
    CROSSES = (("gender", "cat"), ("age", "device"))

    def __post_init__(self):
        self._validate()
        self.world = build_world(self.n_categories, self.n_items, self.n_users, self.latent_dim,
                                 self.interests_per_user, self.item_noise, self.popularity_exponent,
                                 np.random.default_rng([self.seed, 0]))
        # Calibrate the click bias and the conversion mixing on a fixed sample of this world.
        self._bias, self._click_std, self._interest_mean, self._interest_std = 0.0, 1.0, 0.0, 1.0
        calibration = self._sample(4096, np.random.default_rng([self.seed, 1]))
        z, interest = calibration["click_logit"], calibration["relevance"].sum(1)
        self._bias, self._click_std = solve_bias(z, self.ctr), float(z.std()) or 1.0
        self._interest_mean, self._interest_std = float(interest.mean()), float(interest.std()) or 1.0

    def _validate(self):
        """Every setting checked, the argument named: an impossible world fails here, not as NaN clicks."""
        for name in ("n_users", "n_items", "n_categories", "max_len", "min_len", "interests_per_user", "latent_dim"):
            whole(f"ShopSim: {name}", getattr(self, name))
        whole("ShopSim: seed", self.seed, low=0)
        if self.min_len > self.max_len:
            raise InputError(f"need 1 <= min_len <= max_len, got min_len={self.min_len}, max_len={self.max_len}")
        if self.interests_per_user > self.n_categories or self.n_items < self.n_categories:
            raise InputError(f"need interests_per_user <= n_categories <= n_items, got {self.interests_per_user}, "
                             f"{self.n_categories}, {self.n_items}: every category needs an item")
        inf = math.inf
        for name, low, high, closed in (("drift", 0, 1, "[)"), ("conversion_correlation", -1, 1, "[]"),
                                        ("ctr", 0, 1, "()"), ("item_noise", 0, inf, "()"), ("memory", 0, inf, "()"),
                                        ("relevance_scale", -inf, inf, "()"), ("cross_strength", -inf, inf, "()"),
                                        ("popularity_exponent", 0, inf, "[)"), ("candidate_from_interest", 0, 1, "[]"),
                                        ("selection", 0, inf, "[)"), ("cvr_bias", -inf, inf, "()")):
            within(f"ShopSim: {name}", getattr(self, name), low, high, closed)  # item_noise 0: NaN relevance
        if self.conversion not in ("independent", "post_click"):
            raise InputError(f"ShopSim: conversion={self.conversion!r}: choose 'independent' or 'post_click' (ESMM)")
        if self.n_users > SLOW_USERS:
            print(f"ShopSim: drawing the interests of {self.n_users:,} users, one user at a time, takes about "
                  f"{self.n_users * SECONDS_PER_USER / 60:.0f} minutes", file=sys.stderr)

    @property
    def vocab(self) -> Vocab:
        """Ids per field including padding id 0; the histories ``hist_item``/``hist_cat`` share ``item``/``cat``."""
        sizes = dict(user=self.n_users + 1, item=self.n_items + 1, cat=self.n_categories + 1,
                     age=N_AGE + 1, gender=N_GENDER + 1, pos=N_POS + 1, device=N_DEVICE + 1)
        return Vocab(sizes, sequences={"hist_item": "item", "hist_cat": "cat"})

    def _draw_items(self, cats: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One item per entry of ``cats`` (any shape), by popularity within the category."""
        w = self.world
        idx = np.searchsorted(w["items_cum"], cats - 1 + rng.random(cats.shape), side="right")
        return w["items_by_cat"][idx]

    def _sample(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        w, T = self.world, self.max_len
        user = rng.integers(1, self.n_users + 1, n)
        hist_len = rng.integers(self.min_len, T + 1, n)
        # Behaviour categories. Without drift: i.i.d. draws from the user's interests. With drift: the active
        # category persists with probability `drift`, else jumps to one of the user's interests or, half
        # the time, to a new category (interests evolve: old phases say little about the current one).
        cum_w = np.cumsum(w["user_weights"][user], axis=1)  # (N, k)
        user_cats = w["user_cats"][user]  # (N, k)
        def draw_interest():
            k = np.minimum((rng.random((n, 1)) > cum_w).sum(1), cum_w.shape[1] - 1)
            own = user_cats[np.arange(n), k]
            if self.drift == 0:
                return own
            return np.where(rng.random(n) < 0.5, own, rng.choice(self.n_categories + 1, n, p=w["cat_pop"]))
        hist_cat = np.empty((n, T), dtype=np.int64)
        hist_cat[:, 0] = draw_interest()
        for t in range(1, T):
            hist_cat[:, t] = np.where(rng.random(n) < self.drift, hist_cat[:, t - 1], draw_interest())
        hist_item = self._draw_items(hist_cat, rng)
        valid = np.arange(T) < hist_len[:, None]  # (N, T)
        hist_cat, hist_item = hist_cat * valid, hist_item * valid
        # Recency weight of each behaviour (all 1 without drift).
        age_steps = hist_len[:, None] - 1 - np.arange(T)  # (N, T), 0 = most recent
        recency = np.exp(-self.drift * np.maximum(age_steps, 0) / self.memory) * valid
        # Candidate ad: the category of a behaviour drawn by recency, or any category by popularity.
        from_hist = rng.random(n) < self.candidate_from_interest
        p = recency / recency.sum(1, keepdims=True)
        t_pick = np.minimum((rng.random((n, 1)) > np.cumsum(p, 1)).sum(1), hist_len - 1)
        any_cat = rng.choice(self.n_categories + 1, n, p=w["cat_pop"])
        cat = np.where(from_hist, hist_cat[np.arange(n), t_pick], any_cat)
        item = self._draw_items(cat, rng)
        age, gender = w["user_age"][user], w["user_gender"][user]
        pos, device = rng.integers(1, N_POS + 1, n), rng.integers(1, N_DEVICE + 1, n)
        # Click: unnormalized sum of behaviour-ad relevance plus profile, context and planted crosses.
        diff = w["item_vec"][hist_item] - w["item_vec"][item][:, None, :]  # (N, T, d)
        bandwidth = 2 * self.latent_dim * self.item_noise ** 2  # a typical same-category pair: e^-1
        relevance = self.relevance_scale * recency * np.exp(-(diff ** 2).sum(-1) / bandwidth)
        cross = self.cross_strength * (w["gender_x_cat"][gender, cat] + w["age_x_device"][age, device])
        click_logit = (self._bias + relevance.sum(1) + w["age_effect"][age] + w["pos_effect"][pos] + cross)
        # Conversion: a standardized mix of the click logit and causes of its own (std 1 each).
        own = (w["item_quality"][item] + w["taste"][age, cat]) / np.sqrt(2)
        rho = self.conversion_correlation
        conv_logit = -1.0 + rho * (click_logit - click_logit.mean()) / self._click_std + np.sqrt(1 - rho ** 2) * own
        if self.conversion == "post_click":  # p(z=1 | y=1, x): interest drives the click AND the purchase
            interest = (relevance.sum(1) - self._interest_mean) / self._interest_std
            conv_logit = self.cvr_bias + self.selection * interest + own
        return dict(user=user, item=item, cat=cat, age=age, gender=gender, pos=pos, device=device,
                    hist_item=hist_item, hist_cat=hist_cat, hist_len=hist_len,
                    relevance=relevance.astype(np.float32), cross=cross, click_logit=click_logit,
                    conversion_logit=conv_logit)

    def _check_fits(self, n_samples: int, bytes_per_row: float) -> None:
        needed, ram = 2 * n_samples * bytes_per_row, physical_memory()  # the columns, then the labels and tensors
        if ram is not None and needed > ram / 2:
            raise InputError(f"generate({n_samples:,}) needs about {needed / 2 ** 30:,.1f} GiB of memory and this "
                             f"machine has {ram / 2 ** 30:.0f} GiB: generate fewer impressions (a chapter uses 24,000)")

    def generate(self, n_samples: int) -> CTRData:
        """``n_samples`` impressions with click and conversion labels and their ground truth."""
        whole("generate: n_samples", n_samples)
        rng = np.random.default_rng([self.seed, 2])
        cols = {}
        for start in range(0, n_samples, CHUNK):  # chunks written into place: no second copy of the data
            part = self._sample(min(CHUNK, n_samples - start), rng)
            if start == 0:
                self._check_fits(n_samples, sum(v.nbytes for v in part.values()) / len(next(iter(part.values()))))
            for k, v in part.items():
                if k not in cols:
                    cols[k] = np.empty((n_samples, *v.shape[1:]), v.dtype)
                cols[k][start:start + len(v)] = v
        sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        click_prob, conv_prob = sigmoid(cols["click_logit"]), sigmoid(cols["conversion_logit"])
        labels = dict(click=rng.random(n_samples) < click_prob, conversion=rng.random(n_samples) < conv_prob)
        ids = list(self.vocab.fields)
        w = self.world
        truth = dict(relevance=cols["relevance"], cross=cols["cross"], click_logit=cols["click_logit"],
                     click_prob=click_prob, conversion_prob=conv_prob, item_cat=w["item_cat"],
                     item_vec=w["item_vec"], user_cats=w["user_cats"], user_weights=w["user_weights"])
        if self.conversion == "post_click":
            would_buy = np.random.default_rng([self.seed, 3]).random(n_samples) < conv_prob  # a stream of its own
            labels["conversion"] = labels["click"] & would_buy  # z = 1 implies y = 1
            truth |= dict(cvr_prob=conv_prob, ctcvr_prob=click_prob * conv_prob, converted_if_clicked=would_buy,
                          conversion_prob=click_prob * conv_prob)
        return CTRData(features={k: torch.as_tensor(cols[k], dtype=torch.int64) for k in ids},
                       labels={k: torch.as_tensor(v, dtype=torch.float32) for k, v in labels.items()},
                       vocab=self.vocab,
                       truth={k: torch.as_tensor(v) for k, v in truth.items()})
