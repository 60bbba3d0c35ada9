"""Every loader by dataset name: ``load("amazon")``, ``available("census")``."""
from __future__ import annotations

import os

from ...errors import InputError
from ..ctrdata import CTRData
from . import aliccp, amazon, census, criteo, movielens
from .common import DatasetNotFoundError, find

LOADERS = {"amazon": (amazon.load_amazon, amazon.SOURCE), "movielens": (movielens.load_movielens, movielens.SOURCE),
           "criteo": (criteo.load_criteo, criteo.SOURCE), "census": (census.load_census, census.SOURCE),
           "aliccp": (aliccp.load_aliccp, aliccp.SOURCE)}
DATASETS = tuple(LOADERS)


def _check(name: str) -> None:
    if name not in LOADERS:
        raise InputError(f"unknown dataset {name!r}; choose one of {DATASETS}")


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
