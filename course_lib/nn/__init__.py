"""Layers shared by the models (the papers' own layers live here too, one module per concept)."""
from .embedding import Embedded, FieldEmbedding, history_mask, masked_pool
from .mlp import MLP

__all__ = ["Embedded", "FieldEmbedding", "MLP", "history_mask", "masked_pool"]
from .cross import CrossNet, cross_layer_v1, cross_layer_v2  # noqa: E402  (chapter 4: DCN)
__all__ += ["CrossNet", "cross_layer_v1", "cross_layer_v2"]
