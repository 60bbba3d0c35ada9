"""Adapter for course_lib: its models take the CTRData batch dict as it is and return logits."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from course_lib.data import CTRData
from course_lib.models import DCN, DIEN, DIN, MultiTaskCTR
from course_lib.train import fit
from settings import Settings
from workload import tasks

if TYPE_CHECKING:
    from harness import Setup

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
    """(logits (B,) or (B, K), extra training loss): DIEN adds alpha * L_aux while training.

    Forward first, then the penalty, as ``course_lib.train.fit`` does (DIEN reuses the extractor states)."""
    logits = net(x)
    extra = DIEN.penalty(net, x) if isinstance(net, DIEN) and net.training else torch.zeros(())
    return logits, extra


def own_loop(run: Setup, model: str, seed: int, s: Settings) -> Callable[[], None]:
    """Training as the notebooks run it, on ``run`` (harness.Setup): ``course_lib.train.fit``, which slices
    the columns of CTRData for every batch (no DataLoader)."""
    penalty = DIEN.penalty if isinstance(run.net, DIEN) else None
    return lambda: fit(run.net, run.train, epochs=s.epochs, batch_size=s.batch_size, lr=s.lr, penalty=penalty,
                       label=tasks(model), seed=seed, progress=False)
