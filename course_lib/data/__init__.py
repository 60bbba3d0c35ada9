"""Data: the ShopSim simulator with ground truth, and the CTRData container every loader returns."""
from .ctrdata import ITEM_FIELDS, CTRData
from .shopsim import ShopSim

__all__ = ["CTRData", "ITEM_FIELDS", "ShopSim"]
