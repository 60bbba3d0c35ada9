"""Layers shared by the models (the papers' own layers live here too, one module per concept)."""
from .embedding import Embedded, FieldEmbedding, history_mask, masked_pool
from .mlp import MLP

__all__ = ["Embedded", "FieldEmbedding", "MLP", "history_mask", "masked_pool"]
from .dice import Dice, dice  # noqa: E402  (chapter 2: DIN)
from .attention import LocalActivationUnit, attention_pool, unit_input  # noqa: E402
__all__ += ["Dice", "dice", "LocalActivationUnit", "attention_pool", "unit_input"]
from .cross import CrossNet, cross_layer_v1, cross_layer_v2  # noqa: E402  (chapter 4: DCN)
__all__ += ["CrossNet", "cross_layer_v1", "cross_layer_v2"]
from .augru import AGRUCell, AIGRUCell, AUGRUCell, agru_step, aigru_input, attentional_gru, augru_step, gru_step  # noqa: E402,E501  (chapter 3: DIEN)
__all__ += ["AGRUCell", "AIGRUCell", "AUGRUCell", "agru_step", "aigru_input", "attentional_gru", "augru_step", "gru_step"]
