"""Criteo Display Advertising Challenge (Kaggle 2014) for DCN (DCN paper, experiments: the Criteo data set).

train.txt: one impression per line, tab separated: label (0/1), 13 integer fields I1..I13 (counts, some
negative), 26 categorical fields C1..C26 (hashed to 8 hex digits); any field but the label may be empty.
The 7 days of the file are in time order.

Preprocessing:
    * The DCN paper trains on the first 6 days and splits the 7th into validation and test; the file has no
      day column, so the first 6/7 of the rows read are training and the rest test (time order kept).
    * Integer fields I1..I13 are dense inputs: DCN log-transforms them, here sign(x) log(1 + |x|), standardized
      on the training part; a missing value becomes the mean (``common.log_standardized``).
    * Every categorical field's values (hashed categories, "" = missing) that occur at least ``min_count``
      times in the training part get their own id; rarer and unseen ones share id 1.
Criteo has no candidate good or behaviour history, and no user ids: see ``common.tabular``.
"""
from __future__ import annotations

import os
from itertools import islice

import numpy as np

from ...errors import InputError
from ..ctrdata import CTRData
from .common import RawFormatError, Source, find, lines, parse_int, split_fields, tabular

SOURCE = Source(
    name="Criteo Display Advertising Challenge", folder="criteo", files=("train.txt",),
    url="https://ailab.criteo.com/ressources/",
    how="download the Kaggle Display Advertising Challenge dataset (dac.tar.gz, about 4.3 GB; also on "
        "https://www.kaggle.com/c/criteo-display-ad-challenge) and extract train.txt.")
DENSE = tuple(f"I{i}" for i in range(1, 14))
SPARSE = tuple(f"C{i}" for i in range(1, 27))
LAYOUT = "label, I1..I13 (integers), C1..C26 (hashed categories), tab separated"
TRAIN_DAYS = 6 / 7  # DCN: first 6 of 7 days for training


def read_criteo(root=None, max_rows: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels (N,), each categorical field's raw values (strings) and each integer field's values (float, NaN
    where missing), of the first ``max_rows`` lines."""
    path = find(SOURCE, "train.txt", root)
    labels, fields = [], []
    for number, line in islice(lines(path), max_rows):
        f = split_fields(path, number, line, "\t", 40, LAYOUT)
        if f[0] not in ("0", "1"):
            raise RawFormatError(path, number, f"the label (first field) must be 0 or 1, got {f[0]!r}")
        for x, name in zip(f[1:14], DENSE):
            if x:
                parse_int(path, number, x, name)
        labels.append(f[0] == "1")
        fields.append(f[1:])
    columns = dict(zip(DENSE + SPARSE, np.array(fields, dtype=str).reshape(-1, 39).T))
    for name in DENSE:
        missing = columns[name] == ""
        columns[name] = np.where(missing, np.nan, np.where(missing, "0", columns[name]).astype(np.float64))
    return np.array(labels, dtype=np.float32), columns


MAX_ROWS = 2_000_000  # about 4 GB while parsing


def load_criteo(root: str | os.PathLike | None = None, max_rows: int = MAX_ROWS,
                min_count: int = 10) -> tuple[CTRData, CTRData]:
    """(train, test) from the first ``max_rows`` lines of train.txt.

    The rows are parsed in memory (about 2 KB each), so the full file (45.8M rows) does not fit a laptop:
    at most MAX_ROWS rows are read."""
    if not 1 <= max_rows <= MAX_ROWS:
        raise InputError(f"max_rows={max_rows}: reading Criteo takes 1 <= max_rows <= {MAX_ROWS:,} "
                         f"(parsed in memory); the chapter's subsample uses 300,000")
    labels, columns = read_criteo(root, max_rows)
    n = len(labels)
    n_train = round(TRAIN_DAYS * n)
    if n_train == 0 or n_train == n:
        raise InputError(f"need rows for both training and test, read {n}: use a larger max_rows")
    return tabular({name: x[:n_train] for name, x in columns.items()}, {"click": labels[:n_train]},
                   {name: x[n_train:] for name, x in columns.items()}, {"click": labels[n_train:]}, min_count, DENSE)
