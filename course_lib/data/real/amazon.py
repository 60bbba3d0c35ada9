"""Amazon Electronics as in the DIN and DIEN papers: reviews are behaviours, predict the next reviewed good.

Preprocessing of the DIN authors' scripts (DIN paper section 6, datasets; github.com/zhougr1993/DeepInterestNetwork):
    * reviews_Electronics_5.json (the 5-core subset: every user and good has at least 5 reviews): keep
      reviewerID, asin, unixReviewTime; a user's reviews sorted by time are the behaviours b_1..b_n.
    * meta_Electronics.json: a good's category is the last entry of its last category path.
    * For k = 1..n-1 the history b_1..b_k predicts b_{k+1} (label 1) and one sampled negative good the user
      never reviewed (label 0, same history). k <= n-2 go to training, k = n-1 (the last review) to test.
    * Histories keep the ``max_len`` most recent behaviours (DIEN's code uses 100).
Ids: goods, categories and users are numbered 1.. in sorted order of their raw ids (0 = padding).
"""
from __future__ import annotations

import ast
import json
import os
import re

import numpy as np
import torch

from ...errors import InputError
from ..ctrdata import CTRData
from ..vocab import Vocab
from .common import RawFormatError, Source, dense_ids, find, lines, right_padded, sample_users

SOURCE = Source(
    name="Amazon Electronics (DIN/DIEN)", folder="amazon",
    files=("reviews_Electronics_5.json", "meta_Electronics.json"),
    url="https://jmcauley.ucsd.edu/data/amazon/",
    how="download the 2014 'Electronics' 5-core reviews and metadata (http://snap.stanford.edu/data/amazon/"
        "productGraph/categoryFiles/reviews_Electronics_5.json.gz and .../meta_Electronics.json.gz).")
ASIN = re.compile(r"""["']asin["']\s*:\s*["']([^"']+)["']""")


def _record(path, number, line) -> dict:
    """One line as a dict: the reviews are JSON, the 2014 metadata Python literals (single quotes)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        try:
            record = ast.literal_eval(line)
        except (ValueError, SyntaxError):
            raise RawFormatError(path, number, "not a JSON object (nor a Python dict literal)") from None
    if not isinstance(record, dict):
        raise RawFormatError(path, number, f"expected one object per line, got {type(record).__name__}")
    return record


def _field(path, number, record: dict, key: str):
    if key not in record:
        raise RawFormatError(path, number, f"missing key {key!r} (has {sorted(record)[:6]})")
    return record[key]


def read_reviews(root=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """reviewerID, asin (str arrays) and unixReviewTime (int64) of every review, in file order."""
    path = find(SOURCE, "reviews_Electronics_5.json", root)
    users, goods, times = [], [], []
    for number, line in lines(path):
        r = _record(path, number, line)
        users.append(str(_field(path, number, r, "reviewerID")))
        goods.append(str(_field(path, number, r, "asin")))
        t = _field(path, number, r, "unixReviewTime")
        if not isinstance(t, int):
            raise RawFormatError(path, number, f"unixReviewTime must be an integer, got {t!r}")
        times.append(t)
    return np.array(users), np.array(goods), np.array(times, dtype=np.int64)


def read_categories(goods: set[str], root=None) -> dict[str, str]:
    """asin -> category (last entry of the last category path) for the goods in ``goods``."""
    path = find(SOURCE, "meta_Electronics.json", root)
    category = {}
    for number, line in lines(path):
        m = ASIN.search(line)
        if m is not None and m.group(1) not in goods:
            continue  # most of the 500k metadata lines describe goods without 5-core reviews: skip parsing
        r = _record(path, number, line)
        asin = str(_field(path, number, r, "asin"))
        paths = r.get("categories") or [r.get("category") or []]  # 2014: a list of paths; 2018: one path
        if not (isinstance(paths, list) and all(isinstance(p, list) for p in paths)):
            raise RawFormatError(path, number, f"categories must be a list of category paths, got {paths!r}")
        category[asin] = str(paths[-1][-1]) if paths[-1] else ""  # "": no category, one id for all such goods
    return category


def negatives(user: np.ndarray, seen: np.ndarray, n_items: int, rng: np.random.Generator) -> np.ndarray:
    """One good per entry of ``user``, uniform over 1..n_items among goods that user never reviewed.

    ``seen`` = sorted unique keys user * (n_items + 1) + item of all reviews (DIN's gen_neg, vectorized)."""
    out = rng.integers(1, n_items + 1, len(user))
    bad = np.ones(len(user), bool)
    while bad.any():
        keys = user * (n_items + 1) + out
        bad = seen[np.searchsorted(seen, keys).clip(max=len(seen) - 1)] == keys
        out[bad] = rng.integers(1, n_items + 1, int(bad.sum()))
    return out


def load_amazon(root: str | os.PathLike | None = None, max_users: int | None = None, max_len: int = 100,
                seed: int = 0) -> tuple[CTRData, CTRData]:
    """(train, test) impressions of Amazon Electronics, each positive next to its sampled negative.

    ``max_users`` keeps a random subset of users (drawn by ``seed``) for a laptop; ``seed`` also draws the
    negatives, so a call is reproducible. Test has two rows per user (the last review and a negative)."""
    if max_len < 1:
        raise InputError(f"max_len must be at least 1, got {max_len}")
    rng = np.random.default_rng(seed)
    raw_user, raw_good, time = read_reviews(root)
    keep = sample_users(raw_user, max_users, rng)
    user, user_names = dense_ids(raw_user[keep])
    item, good_names = dense_ids(raw_good[keep])
    time = time[keep]
    category = read_categories(set(good_names.tolist()), root)
    cat, cat_names = dense_ids([category.get(g, "") for g in good_names])  # "" = no metadata: a category of its own
    item_cat = np.r_[0, cat]  # (n_items + 1,) category id of every good, 0 for padding

    order = np.lexsort((time, user))  # by user, then time; stable, so equal times keep file order
    user, item = user[order], item[order]
    n_items = len(good_names)
    start = np.searchsorted(user, user, side="left")  # first review of each review's user
    k = np.arange(len(user)) - start  # reviews before this one: a target at position k >= 1 has k behaviours
    last = np.r_[user[1:] != user[:-1], True]
    target = k >= 1
    if not target.any():
        raise InputError("no user has two reviews: nothing to predict (did max_users keep too few users?)")
    seen = np.unique(user * (n_items + 1) + item)
    if (np.bincount(seen // (n_items + 1)) >= n_items).any():  # else the negative sampler never ends
        raise InputError("a user reviewed every good kept: no negative to sample for them; use a larger "
                         "max_users (or None) so that more goods are kept")
    neg = negatives(user[target], seen, n_items, rng)
    hist = right_padded(item, np.flatnonzero(target), np.minimum(k[target], max_len), min(max_len, max(k.max(), 1)))
    # Two rows per target, the positive then its negative, with the same history.
    rows = dict(user=np.repeat(user[target], 2), item=np.stack([item[target], neg], 1).ravel(),
                hist_item=np.repeat(hist, 2, axis=0), hist_len=np.repeat(np.minimum(k[target], max_len), 2))
    rows["cat"], rows["hist_cat"] = item_cat[rows["item"]], item_cat[rows["hist_item"]]
    click = np.tile([1.0, 0.0], target.sum())
    is_test = np.repeat(last[target], 2)
    vocab = Vocab(dict(user=len(user_names) + 1, item=n_items + 1, cat=len(cat_names) + 1),
                  sequences={"hist_item": "item", "hist_cat": "cat"})
    return tuple(CTRData({f: torch.as_tensor(v[part]) for f, v in rows.items()},
                         {"click": torch.as_tensor(click[part], dtype=torch.float32)}, vocab)
                 for part in (~is_test, is_test))
