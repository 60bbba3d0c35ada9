"""Data: the ShopSim simulator with ground truth, and the CTRData container every loader returns."""
from .ctrdata import ITEM_FIELDS, CTRData
from .shopsim import ShopSim

__all__ = ["CTRData", "ITEM_FIELDS", "ShopSim"]
from .mmoe_synthetic import mmoe_synthetic  # noqa: E402
__all__ += ["mmoe_synthetic"]
from .real import DATASETS, DatasetNotFoundError, RawFormatError, available, datasets_dir, load  # noqa: E402
from .real import load_amazon, load_census, load_criteo, load_movielens  # noqa: E402
__all__ += ["DATASETS", "DatasetNotFoundError", "RawFormatError", "available", "datasets_dir", "load",
            "load_amazon", "load_census", "load_criteo", "load_movielens"]
