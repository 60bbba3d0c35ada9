"""Layers shared by the models (the papers' own layers live here too, one module per concept)."""
from .embedding import Embedded, FieldEmbedding, history_mask, masked_pool
from .mlp import MLP

__all__ = ["Embedded", "FieldEmbedding", "MLP", "history_mask", "masked_pool"]
