"""The data every library trains on: one ShopSim split, its labels, and DIEN's sampled negatives."""
from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor

from benchmarks.settings import Settings
from course_lib.data import CTRData, ShopSim
from course_lib.data import history_mask
from course_lib.models.dien import sample_negatives
from course_lib.train import targets

TASKS = {"MMoE": ("click", "conversion")}  # every other model predicts the click only


def tasks(model: str) -> tuple[str, ...]:
    return TASKS.get(model, ("click",))


@lru_cache(maxsize=1)
def make_data(s: Settings) -> tuple[CTRData, CTRData | None, CTRData]:
    """(train, valid, test), identical for every library and seed; valid is None unless s.valid_fraction > 0.

    ``CTRData.split`` cuts one shuffled order in turn, so the validation rows come out of the training part
    and the test rows are the same with or without them."""
    sim = ShopSim(n_users=s.n_users, n_items=s.n_items, n_categories=s.n_categories, max_len=s.max_len,
                  drift=s.drift, cross_strength=s.cross_strength, seed=s.data_seed)
    data = sim.generate(s.n_samples)
    if not s.valid_fraction:
        train, test = data.split((1 - s.test_fraction, s.test_fraction), seed=s.data_seed)
        return train, None, test
    fractions = (1 - s.valid_fraction - s.test_fraction, s.valid_fraction, s.test_fraction)
    return data.split(fractions, seed=s.data_seed)


def labels(data: CTRData, model: str) -> Tensor:
    """(N,) clicks, or (N, K) for a multi-task model."""
    return targets(data.labels, tasks(model))


def negatives(data: CTRData, seed: int = 0) -> dict[str, Tensor]:
    """``neg_hist_item`` / ``neg_hist_cat`` (N, T) for the peers' DIEN, which take negatives as input.

    Drawn once per split with course_lib's sampler (same rule: a not-clicked good from all behaviours);
    course_lib's DIEN draws fresh ones per batch inside its training step (and pays for it in the timing).
    """
    f = data.features
    with torch.random.fork_rng():  # the run's own seeded random stream is left where it was
        torch.manual_seed(seed)
        goods = torch.stack([f["hist_item"], f["hist_cat"]], -1)  # (N, T, 2)
        negatives, _ = sample_negatives(goods, history_mask(f["hist_len"], data.max_len))
    return {"neg_hist_item": negatives[..., 0], "neg_hist_cat": negatives[..., 1]}
