"""Training and evaluation: one plain loop with a tqdm bar, no framework.

``fit`` minimises the logloss of the labels named by ``label`` (one task: logits (B,); several: (B, K),
optionally weighted by ``task_weights``), plus an optional ``penalty(model, batch)`` such as DIN's mini-batch
aware regularizer. A model with a ``loss(batch, y) -> (logits, loss)`` method (DIEN: the target loss plus its
auxiliary loss, from one pass) is trained through it. What a learner passes is checked here, once, with messages that say how to fix it. COURSE_LIB_QUIET=1 hides
the progress bars (the tests set it).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from . import settings
from .data import CTRData
from .errors import InputError, whole
from .metrics import auc, gauc, logloss

Penalty = Callable[[nn.Module, dict[str, Tensor]], Tensor]


def adam(params: Iterable[Tensor], lr: float, weight_decay: float = 0.0) -> torch.optim.Adam:
    """The course's optimizer. fused: one C++ operation updates every parameter, with no Python loop over
    them: the same update rule in about half the time of the default Adam on CPU (docs/benchmarks.md)."""
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)


def device_of(name: str | torch.device) -> torch.device:
    """The torch device ``name`` ("cpu", "cuda", "cuda:1", "mps"), or an InputError if this machine lacks it."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise InputError(f"device={name!r} is not a device torch knows: use 'cpu', 'cuda' or 'mps'") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"no CUDA device here (device={name!r}); use device='cpu'")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InputError(f"no Apple-silicon GPU here (device={name!r}); use device='cpu'")
    return device


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


def checked(data: CTRData, label: str | tuple[str, ...], what: str) -> CTRData:
    """``data`` with its ``label`` columns as float 0/1 (ints and bools converted), or an InputError."""
    if not isinstance(data, CTRData):
        raise InputError(f"{what} takes a CTRData (for example ShopSim().generate(10_000)), got {type(data).__name__}")
    columns = {}
    for name in _labels(label):
        if name not in data.labels:
            raise InputError(f"no label {name!r} in this dataset; its labels are {list(data.labels)}")
        y = data.labels[name]
        y = y.float() if not y.is_floating_point() else y
        if not torch.isfinite(y).all() or not ((y == 0) | (y == 1)).all():
            values = torch.unique(y[torch.isfinite(y)])[:5].tolist()
            raise InputError(f"label {name!r} must hold only 0 and 1 (no NaN); it holds {values}"
                             + ("" if torch.isfinite(y).all() else " and NaN") + ": map it to 0/1 first")
        columns[name] = y
    return data if all(columns[n] is data.labels[n] for n in columns) else replace(data, labels=data.labels | columns)


def _loss(logits: Tensor, y: Tensor, weights: Tensor | None) -> Tensor:
    if logits.shape != y.shape:
        raise InputError(f"the model predicts {tuple(logits.shape[1:]) or 'one task'} per impression but the labels "
                         f"have shape {tuple(y.shape[1:]) or '(one task)'}: give a multi-task model "
                         f"label=('click', 'conversion') and a single-task model one label")
    if weights is None:
        return F.binary_cross_entropy_with_logits(logits, y)
    return (F.binary_cross_entropy_with_logits(logits, y, reduction="none").mean(0) * weights).sum()  # sum_k w_k L_k


def fit(model: nn.Module, train: CTRData, valid: CTRData | None = None, *, epochs: int = 2,
        batch_size: int = 256, lr: float = 1e-3, weight_decay: float = 0.0, penalty: Penalty | None = None,
        label: str | tuple[str, ...] = "click", task_weights: tuple[float, ...] | None = None, seed: int = 0,
        progress: bool | None = None, device: str | torch.device = "cpu") -> History:
    """Train with Adam on ``device``; shuffling is seeded by ``seed``. ``progress=None`` shows a bar unless
    quiet. ``task_weights``: one weight per label; the loss is then sum_k w_k L_k (default: the mean of L_k)."""
    names, history = _labels(label), History()
    train = checked(train, names, "fit")
    if len(train) == 0:
        raise InputError("the training data has no impressions: load or generate some first")
    whole("epochs", epochs), whole("batch_size", batch_size)
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError(f"lr must be a positive number such as 1e-3, got {lr!r}")
    weights = None
    if task_weights is not None:
        if len(task_weights) != len(names) or not all(math.isfinite(w) and w >= 0 for w in task_weights):
            raise InputError(f"task_weights needs one finite weight >= 0 per label {names}, got {task_weights!r}")
        if hasattr(model, "loss"):
            raise InputError(f"{type(model).__name__} computes its own loss: task_weights are for multi-task models")
        weights = torch.tensor(task_weights, dtype=torch.float32)
    device = device_of(device)
    model.to(device)
    weights = None if weights is None else weights.to(device)
    show = progress if progress is not None else not settings.quiet()
    optimizer = adam(model.parameters(), lr, weight_decay)
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        with tqdm(total=len(train), desc=f"epoch {epoch + 1}/{epochs}", unit=" imp", disable=not show,
                  leave=False) as bar:
            for batch in train.loader(batch_size, shuffle=True, seed=seed * 1000 + epoch):
                batch = {k: v.to(device) for k, v in batch.items()}
                y = targets(batch, names)
                loss = model.loss(batch, y)[1] if hasattr(model, "loss") else _loss(model(batch), y, weights)
                if penalty is not None:
                    loss = loss + penalty(model, batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                n = len(y)
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
    """Predicted probabilities for every impression, on the CPU: (N,), or (N, K) for a multi-task model. The
    batches go to the device the model is on."""
    if not isinstance(data, CTRData):
        raise InputError(f"predict takes a CTRData, got {type(data).__name__}; for one batch call model(batch)")
    device = next(model.parameters()).device
    model.eval()
    return torch.cat([torch.sigmoid(model({k: v.to(device) for k, v in b.items()})).cpu()
                      for b in data.loader(whole("batch_size", batch_size))])


def evaluate(model: nn.Module, data: CTRData, label: str | tuple[str, ...] = "click") -> dict[str, float]:
    """AUC, user-weighted GAUC and logloss; with several labels keys read ``"click/auc"`` and so on."""
    names = _labels(label)
    data = checked(data, names, "evaluate")
    p = predict(model, data)
    if p.dim() != (1 if len(names) == 1 else 2) or (p.dim() == 2 and p.shape[1] != len(names)):
        raise InputError(f"the model predicts {tuple(p.shape[1:]) or 'one task'} per impression, but label names "
                         f"{len(names)}: give a multi-task model label=('click', 'conversion')")
    p = p.reshape(len(data), len(names))
    users = data.features.get("user", torch.zeros(len(data), dtype=torch.int64))  # no user ids: GAUC = AUC
    scores = {}
    for k, name in enumerate(names):
        y, prefix = data.labels[name], (f"{name}/" if len(names) > 1 else "")
        scores |= {prefix + "auc": auc(y, p[:, k]), prefix + "gauc": gauc(y, p[:, k], users),
                   prefix + "logloss": logloss(y, p[:, k])}
    return scores
