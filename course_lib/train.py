"""Training and evaluation: one plain loop with a tqdm bar, no framework.

``fit`` minimises the logloss of the labels named by ``label`` (one task: logits (B,); several: (B, K))
plus an optional ``penalty(model, batch)``: DIN's mini-batch aware regularizer or DIEN's auxiliary loss.
Set the environment variable COURSE_LIB_QUIET=1 to hide progress bars (the test suite does).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from . import settings
from .data import CTRData
from .metrics import auc, gauc, logloss

Penalty = Callable[[nn.Module, dict[str, Tensor]], Tensor]


def adam(params: Iterable[Tensor], lr: float, weight_decay: float = 0.0) -> torch.optim.Adam:
    """The course's optimizer. fused: one C++ operation updates every parameter, with no Python loop over
    them: the same update rule in about half the time of the default Adam on CPU (docs/benchmarks.md)."""
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)  # mean training loss per epoch, penalty included
    valid: list[dict[str, float]] = field(default_factory=list)  # evaluate() after each epoch


def _labels(label: str | tuple[str, ...]) -> tuple[str, ...]:
    return (label,) if isinstance(label, str) else tuple(label)


def targets(labels: dict[str, Tensor], label: str | tuple[str, ...]) -> Tensor:
    """The label column(s) a model is trained on: (N,) for one label, (N, K) for K labels in that order."""
    names = _labels(label)
    return labels[names[0]] if len(names) == 1 else torch.stack([labels[n] for n in names], -1)


def fit(model: nn.Module, train: CTRData, valid: CTRData | None = None, *, epochs: int = 2,
        batch_size: int = 256, lr: float = 1e-3, weight_decay: float = 0.0, penalty: Penalty | None = None,
        label: str | tuple[str, ...] = "click", seed: int = 0, progress: bool | None = None) -> History:
    """Train with Adam; shuffling is seeded by ``seed``. ``progress=None`` shows a bar unless quiet."""
    names, history = _labels(label), History()
    show = progress if progress is not None else not settings.quiet()
    optimizer = adam(model.parameters(), lr, weight_decay)
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        with tqdm(total=len(train), desc=f"epoch {epoch + 1}/{epochs}", unit=" imp", disable=not show,
                  leave=False) as bar:
            for batch in train.loader(batch_size, shuffle=True, seed=seed * 1000 + epoch):
                loss = F.binary_cross_entropy_with_logits(model(batch), targets(batch, names))
                if penalty is not None:
                    loss = loss + penalty(model, batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                n = len(batch[names[0]])
                total, seen = total + loss.item() * n, seen + n
                # redraw only when update() does (every 0.1 s): a Jupyter bar redrawn every step costs ~2 ms
                bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
                bar.update(n)
        history.train_loss.append(total / seen)
        if valid is not None:
            history.valid.append(evaluate(model, valid, label))
    return history


@torch.no_grad()
def predict(model: nn.Module, data: CTRData, batch_size: int = 4096) -> Tensor:
    """Predicted probabilities for every impression: (N,), or (N, K) for a multi-task model."""
    model.eval()
    return torch.cat([torch.sigmoid(model(b)) for b in data.loader(batch_size)])


def evaluate(model: nn.Module, data: CTRData, label: str | tuple[str, ...] = "click") -> dict[str, float]:
    """AUC, user-weighted GAUC and logloss; with several labels keys read ``"click/auc"`` and so on."""
    names = _labels(label)
    p = predict(model, data).reshape(len(data), len(names))
    users = data.features["user"]
    scores = {}
    for k, name in enumerate(names):
        y, prefix = data.labels[name], (f"{name}/" if len(names) > 1 else "")
        scores |= {prefix + "auc": auc(y, p[:, k]), prefix + "gauc": gauc(y, p[:, k], users),
                   prefix + "logloss": logloss(y, p[:, k])}
    return scores
