"""Loaders of the papers' public datasets into the simulator's ``CTRData`` (0 = padding id, right-padded
histories, ``vocab`` sizes including padding, ``labels`` dict, empty ``truth``: real data has no ground truth).

    load("amazon")     Amazon Electronics, DIN/DIEN papers      -> (train, test), label "click"
    load("movielens")  MovieLens-1M, DIN paper's setup          -> (train, test), label "click"
    load("criteo")     Criteo display ads, DCN paper            -> (train, test), label "click"
    load("census")     UCI census-income, MMoE paper            -> (train, test), labels of a task group

Nothing is downloaded: put the raw files in ``datasets_dir()/<dataset>/`` (docs/datasets.md says which
files, from where, and the preprocessing each loader follows).
"""
from __future__ import annotations

import os

from ..ctrdata import CTRData
from . import amazon, census, criteo, movielens
from .amazon import load_amazon
from .census import load_census
from .common import DatasetNotFoundError, RawFormatError, datasets_dir, find, where
from .criteo import load_criteo
from .movielens import load_movielens

LOADERS = {"amazon": (load_amazon, amazon.SOURCE), "movielens": (load_movielens, movielens.SOURCE),
           "criteo": (load_criteo, criteo.SOURCE), "census": (load_census, census.SOURCE)}
DATASETS = tuple(LOADERS)


def _check(name: str) -> None:
    if name not in LOADERS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")


def available(name: str, root: str | os.PathLike | None = None) -> bool:
    """True if every raw file of dataset ``name`` is in place."""
    _check(name)
    source = LOADERS[name][1]
    try:
        for file in source.files:
            find(source, file, root)
    except DatasetNotFoundError:
        return False
    return True


def load(name: str, root: str | os.PathLike | None = None, **kwargs) -> tuple[CTRData, CTRData]:
    """(train, test) of dataset ``name``; ``kwargs`` go to its loader (``max_users``, ``max_rows``, ...)."""
    _check(name)
    return LOADERS[name][0](root=root, **kwargs)


__all__ = ["DATASETS", "DatasetNotFoundError", "RawFormatError", "available", "datasets_dir", "load",
           "load_amazon", "load_census", "load_criteo", "load_movielens", "where"]
