"""MovieLens-1M in the DIN paper's MovieLens setup (section 6, datasets): ratings of 4 and 5 are clicks.

Preprocessing (the DIN paper used MovieLens-20M; the setup carries over to the 1M files):
    * ratings.dat ``UserID::MovieID::Rating::Timestamp``: every rating is an impression, label 1 if the
      rating is 4 or 5, else 0. A user's ratings are taken in time order (ties: file order).
    * The history of an impression is the movies the user rated 4 or 5 *before* it (the ``max_len``
      most recent); impressions with no such movie yet are dropped (nothing to attend to).
    * movies.dat ``MovieID::Title::Genres``: a movie's category is its first listed genre.
    * users.dat ``UserID::Gender::Age::Occupation::Zip-code``: gender, age group and occupation become
      profile fields (the zip code is left out).
    * Train and test are split by user, as the paper does (100,000 of 138,493 users in training).
``user`` is kept as a feature for GAUC but not put in ``vocab``: test users never appear in training,
so a user-id embedding would be untrained noise for them.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ..ctrdata import CTRData
from ..vocab import Vocab
from .common import RawFormatError, Source, dense_ids, find, lines, parse_int, right_padded, sample_users, split_fields

SOURCE = Source(
    name="MovieLens-1M", folder="movielens", files=("ratings.dat", "users.dat", "movies.dat"),
    url="https://grouplens.org/datasets/movielens/1m/",
    how="download ml-1m.zip (https://files.grouplens.org/datasets/movielens/ml-1m.zip) and unzip it.")
TRAIN_USERS = 100_000 / 138_493  # the DIN paper's share of users in training
ENCODING = "latin-1"  # the 1M files predate UTF-8 (accented titles)


def _table(root, file: str, layout: str) -> tuple[Path, list[tuple[int, list[str]]]]:
    """The path of ``file`` and its lines cut at "::" into as many fields as ``layout`` names."""
    path = find(SOURCE, file, root)
    n = layout.count("::") + 1
    return path, [(number, split_fields(path, number, line, "::", n, layout)) for number, line in lines(path, ENCODING)]


def read_ratings(root=None) -> np.ndarray:
    """(N, 4) int64: user, movie, rating, timestamp, in file order."""
    names = ("UserID", "MovieID", "Rating", "Timestamp")
    path, table = _table(root, "ratings.dat", "::".join(names))
    rows = []
    for number, f in table:
        row = [parse_int(path, number, x, what) for x, what in zip(f, names)]
        if not 1 <= row[2] <= 5:
            raise RawFormatError(path, number, f"Rating must be 1..5, got {row[2]}")
        rows.append(row)
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def read_keyed(root, file: str, layout: str) -> dict[int, list[str]]:
    """movies.dat / users.dat as id -> the other fields."""
    path, table = _table(root, file, layout)
    key = layout.split("::")[0]
    return {parse_int(path, number, f[0], key): f[1:] for number, f in table}


def load_movielens(root: str | os.PathLike | None = None, max_users: int | None = None, max_len: int = 50,
                   seed: int = 0) -> tuple[CTRData, CTRData]:
    """(train, test) impressions of MovieLens-1M, split by user; ``max_users`` keeps a random subset."""
    if max_len < 1:
        raise InputError(f"max_len must be at least 1, got {max_len}")
    rng = np.random.default_rng(seed)
    movies = {m: f[1].split("|")[0] for m, f in read_keyed(root, "movies.dat", "MovieID::Title::Genres").items()}
    people = read_keyed(root, "users.dat", "UserID::Gender::Age::Occupation::Zip-code")
    r = read_ratings(root)
    for column, known, file in ((0, people, "users.dat"), (1, movies, "movies.dat")):
        unknown = np.setdiff1d(r[:, column], list(known))
        if len(unknown):
            raise InputError(f"ratings.dat mentions {'UserID' if column == 0 else 'MovieID'} {unknown[0]} "
                             f"that {file} does not list: are the three files from the same download?")
    r = r[sample_users(r[:, 0], max_users, rng)]
    users = np.unique(r[:, 0])
    r = r[np.lexsort((r[:, 3], r[:, 0]))]  # by user, then time (stable: ties keep file order)
    user, movie, liked = r[:, 0], r[:, 1], r[:, 2] >= 4

    item, movie_ids = dense_ids(movie, among=list(movies))  # every listed movie has an id, rated or not
    cat, genres = dense_ids([movies[m] for m in movie_ids])
    item_cat = np.r_[0, cat]  # (n_items + 1,) category id of every item, 0 for padding
    vocab = dict(item=len(movie_ids) + 1, cat=len(genres) + 1)
    # Profile ids in tables indexed by UserID: (max UserID + 1,) per field.
    uids = np.array(sorted(people))
    profile = {}
    for k, name in enumerate(("gender", "age", "occupation")):
        ids, values = dense_ids([people[u][k] for u in uids])
        vocab[name] = len(values) + 1
        profile[name] = np.zeros(uids.max() + 1, dtype=np.int64)
        profile[name][uids] = ids

    # Liked movies of all users back to back; a rating's history ends where its user's liked count stood.
    liked_items = item[liked]
    first = np.searchsorted(user, user, side="left")
    before = np.cumsum(liked) - liked  # liked ratings before this one, over all users
    n_hist = before - before[first]  # ... of this user
    keep = n_hist >= 1
    if not keep.any():
        raise InputError("no rating follows a liked (4 or 5) rating of the same user: nothing to predict")
    hist_len = np.minimum(n_hist[keep], max_len)
    hist_item = right_padded(liked_items, before[keep], hist_len, int(hist_len.max()))
    features = dict(user=user[keep], item=item[keep], cat=item_cat[item[keep]],
                    **{name: table[user[keep]] for name, table in profile.items()},
                    hist_item=hist_item, hist_cat=item_cat[hist_item], hist_len=hist_len)
    train_users = rng.permutation(users)[:round(TRAIN_USERS * len(users))]
    in_train = np.isin(features["user"], train_users)
    click = liked[keep].astype(np.float32)
    fields = Vocab(vocab, sequences={"hist_item": "item", "hist_cat": "cat"})
    return tuple(CTRData({f: torch.as_tensor(v[part], dtype=torch.int64) for f, v in features.items()},
                         {"click": torch.as_tensor(click[part])}, fields)
                 for part in (in_train, ~in_train))
