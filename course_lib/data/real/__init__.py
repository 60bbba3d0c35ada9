"""Loaders of the papers' public datasets into the simulator's ``CTRData`` (0 = padding id, right-padded
histories, ``vocab`` sizes including padding, ``labels`` dict, empty ``truth``: real data has no ground truth).

    load("amazon")     Amazon Electronics, DIN/DIEN papers      -> (train, test), label "click"
    load("movielens")  MovieLens-1M, DIN paper's setup          -> (train, test), label "click"
    load("criteo")     Criteo display ads, DCN paper            -> (train, test), label "click"
    load("census")     UCI census-income, MMoE paper            -> (train, test), labels of a task group
    load("aliccp")     Ali-CCP, ESMM and PLE papers             -> (train, test), labels "click", "conversion"

Nothing is downloaded: put the raw files in ``datasets_dir()/<dataset>/`` (docs/datasets.md says which
files, from where, and the preprocessing each loader follows).
"""
from .aliccp import load_aliccp
from .amazon import load_amazon
from .census import load_census
from .common import DatasetNotFoundError, RawFormatError, datasets_dir, find, where
from .criteo import load_criteo
from .datasets import DATASETS, LOADERS, available, load
from .movielens import load_movielens

__all__ = ["DATASETS", "DatasetNotFoundError", "LOADERS", "RawFormatError", "available", "datasets_dir", "find", "load",
           "load_aliccp", "load_amazon", "load_census", "load_criteo", "load_movielens", "where"]
