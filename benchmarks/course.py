"""Adapter for course_lib: its models take the CTRData batch dict as it is and return logits."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmarks.settings import Settings
from benchmarks.workload import tasks
from course_lib.data import CTRData
from course_lib.models import DCN, DIEN, DIN, MultiTaskCTR
from course_lib.train import fit

if TYPE_CHECKING:
    from benchmarks.harness import Setup

LIBRARY = "course_lib"
OUTPUT = "logits"
OWN_LOOP = "`course_lib.train.fit`"


def build(model: str, data: CTRData, s: Settings) -> nn.Module:
    D, vocab = s.embed_dim, data.vocab
    if model == "DIN":
        return DIN(vocab, D, s.hidden, s.attention_hidden, activation="dice", normalize="none")
    if model == "DIEN":
        return DIEN(vocab, D, s.hidden, gru="augru", aux_weight=s.aux_weight)
    if model == "DCN":
        return DCN(vocab, D, s.cross_layers, s.hidden, version="v2", structure="parallel")
    if model == "MMoE":
        return MultiTaskCTR(vocab, 2, "mmoe", D, s.n_experts, s.expert_hidden, tower_hidden=s.tower_hidden)
    raise ValueError(f"unknown model {model!r}")


def inputs(net: nn.Module, data: CTRData) -> dict[str, Tensor]:
    return data.features


def forward(net: nn.Module, x: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    """(logits (B,) or (B, K), no extra loss)."""
    return net(x), torch.zeros(())


def loss(net: nn.Module, x: dict[str, Tensor], y: Tensor) -> Tensor:
    """A training step's loss as ``course_lib.train.fit`` computes it: DIEN's own ``loss`` (the target loss plus
    alpha * L_aux from one pass of the extractor), the logloss for the others."""
    if isinstance(net, DIEN):
        return net.loss(x, y)[1]
    return F.binary_cross_entropy_with_logits(net(x), y)


def own_loop(run: Setup, model: str, seed: int, s: Settings) -> Callable[[], None]:
    """Training as the notebooks run it, on ``run`` (harness.Setup): ``course_lib.train.fit``, which slices
    the columns of CTRData for every batch (no DataLoader)."""
    return lambda: fit(run.net, run.train, epochs=s.epochs, batch_size=s.batch_size, lr=s.lr,
                       label=tasks(model), seed=seed, progress=False)
