"""Fully connected layers shared by the models: ``MLP`` (Linear -> activation, repeated, then a linear output,
for example a logit) and ``ReLULayers`` (Linear -> ReLU, repeated: features for another layer to read)."""
from __future__ import annotations

from torch import nn

from ..errors import InputError
from .dice import Dice


def n_params(module: nn.Module) -> int:
    """The number of parameters of any module (to compare models at a matched size)."""
    return sum(p.numel() for p in module.parameters())


def as_sizes(hidden: int | tuple[int, ...]) -> tuple[int, ...]:
    """Hidden sizes given as an int or a tuple, as a tuple of positive ints (``()``: no hidden layer)."""
    sizes = (hidden,) if isinstance(hidden, int) else tuple(hidden)
    if any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in sizes):
        raise InputError(f"hidden={hidden!r}: give the layer widths as whole numbers >= 1, e.g. hidden=(200, 80)")
    return sizes


def activation_layer(name: str, width: int) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "prelu":
        return nn.PReLU(width, init=0.25)  # one learned slope per neuron, as Dice's alpha
    if name == "dice":
        return Dice(width)  # DIN's data-adaptive PReLU (course_lib/nn/dice.py)
    raise InputError(f"activation must be 'relu', 'prelu' or 'dice', got {name!r}")


def hidden_layers(in_dim: int, hidden: int | tuple[int, ...], activation: str) -> list[nn.Module]:
    """Linear -> ``activation`` for each size in ``hidden``: in_dim -> hidden[0] -> ... -> hidden[-1]."""
    sizes = (in_dim, *as_sizes(hidden))
    return [m for a, b in zip(sizes, sizes[1:]) for m in (nn.Linear(a, b), activation_layer(activation, b))]


class MLP(nn.Sequential):
    """in_dim -> hidden[0] -> ... -> hidden[-1] -> out_dim, with ``activation`` after each hidden layer."""

    def __init__(self, in_dim: int, hidden: int | tuple[int, ...], out_dim: int = 1, activation: str = "relu"):
        width = (in_dim, *as_sizes(hidden))[-1]
        super().__init__(*hidden_layers(in_dim, hidden, activation), nn.Linear(width, out_dim))


class ReLULayers(nn.Sequential):
    """in_dim -> hidden[0] -> ... -> hidden[-1] = ``out_dim``, ReLU after every layer: features, not a logit
    (MMoE's shared bottom, DCN's parallel deep network)."""

    def __init__(self, in_dim: int, hidden: int | tuple[int, ...]):
        sizes = as_sizes(hidden)
        if not sizes:
            raise InputError("ReLULayers needs at least one layer size, for example 64 or (200, 80)")
        super().__init__(*hidden_layers(in_dim, sizes, "relu"))
        self.out_dim = sizes[-1]
