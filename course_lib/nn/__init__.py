"""Layers: field embeddings and masked pooling, MLPs, and the papers' own layers, one module per concept
(DIN's activation unit and Dice, DIEN's attentional GRUs, DCN's cross layers)."""
from .attention import LocalActivationUnit, attention_pool, masked_softmax, unit_input
from .augru import AGRUCell, AIGRUCell, AUGRUCell, agru_step, aigru_input, attentional_gru, augru_step, gru_step
from .cross import CrossNet, cross_layer_low_rank, cross_layer_v1, cross_layer_v2
from .dice import Dice, dice
from .embedding import Embedded, FieldEmbedding, gather_goods, masked_pool
from .mlp import MLP, ReLULayers, n_params

__all__ = ["AGRUCell", "AIGRUCell", "AUGRUCell", "CrossNet", "Dice", "Embedded", "FieldEmbedding",
           "LocalActivationUnit", "MLP", "ReLULayers", "agru_step", "aigru_input", "attention_pool",
           "attentional_gru", "augru_step", "cross_layer_low_rank", "cross_layer_v1", "cross_layer_v2", "dice",
           "gather_goods", "gru_step", "masked_pool", "masked_softmax", "n_params", "unit_input"]
