"""The fully connected tower shared by the models: Linear -> activation, repeated, then a linear output."""
from __future__ import annotations

from torch import nn

from .dice import Dice


def as_sizes(hidden: int | tuple[int, ...]) -> tuple[int, ...]:
    """Hidden sizes given as an int or a tuple, as a tuple."""
    return (hidden,) if isinstance(hidden, int) else tuple(hidden)


def activation_layer(name: str, width: int) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "prelu":
        return nn.PReLU(width, init=0.25)  # one learned slope per neuron, as Dice's alpha
    if name == "dice":
        return Dice(width)  # DIN's data-adaptive PReLU (course_lib/nn/dice.py)
    raise ValueError(f"activation must be 'relu', 'prelu' or 'dice', got {name!r}")


class MLP(nn.Sequential):
    """in_dim -> hidden[0] -> ... -> hidden[-1] -> out_dim, with ``activation`` after each hidden layer."""

    def __init__(self, in_dim: int, hidden: int | tuple[int, ...], out_dim: int = 1, activation: str = "relu"):
        layers, width = [], in_dim
        for h in as_sizes(hidden):
            layers += [nn.Linear(width, h), activation_layer(activation, h)]
            width = h
        super().__init__(*layers, nn.Linear(width, out_dim))


def relu_layers(in_dim: int, hidden: int | tuple[int, ...]) -> nn.Sequential:
    """in_dim -> hidden[0] -> ... -> hidden[-1], ReLU after every layer (a tower that ends in features, not
    in a logit: MMoE's shared bottom, DCN's parallel deep network)."""
    sizes = as_sizes(hidden)
    return nn.Sequential(MLP(in_dim, sizes[:-1], out_dim=sizes[-1]), nn.ReLU())
