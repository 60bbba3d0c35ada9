"""Data: the ShopSim simulator with ground truth, the synthetic tasks of the DCN-V2 and MMoE papers, the
loaders of the papers' public datasets, and ``CTRData`` with its ``Vocab``, which every one of them returns."""
from .ctrdata import CTRData
from .mmoe_synthetic import mmoe_synthetic
from .real import (DATASETS, DatasetNotFoundError, RawFormatError, available, datasets_dir, load, load_aliccp,
                   load_amazon, load_census, load_criteo, load_movielens)
from .shopsim import ShopSim
from .vocab import Vocab, history_mask

__all__ = ["CTRData", "DATASETS", "DatasetNotFoundError", "RawFormatError", "ShopSim", "Vocab", "available",
           "datasets_dir", "history_mask", "load", "load_aliccp", "load_amazon", "load_census", "load_criteo", "load_movielens",
           "mmoe_synthetic"]
