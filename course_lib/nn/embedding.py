"""Sparse fields to dense vectors: validated embedding lookups and masked pooling (DIN paper, section 4.2).

A good (the candidate ad and every behaviour) is the concatenation of its ``item`` and ``cat``
embeddings, so ad and behaviours live in one space of size 2D and can be compared by attention.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from ..data.ctrdata import ITEM_FIELDS


def history_mask(hist_len: Tensor, T: int) -> Tensor:
    """(B,) lengths -> (B, T) bool, True at real behaviours (histories are right-padded)."""
    return torch.arange(T, device=hist_len.device) < hist_len.unsqueeze(1)


def masked_pool(x: Tensor, mask: Tensor, mode: str = "sum") -> Tensor:
    """Sum or mean of x (B, T, D) over the positions where mask (B, T) is True -> (B, D)."""
    total = (x * mask.unsqueeze(-1)).sum(1)  # (B, D)
    if mode == "sum":
        return total
    if mode == "mean":
        return total / mask.sum(1, keepdim=True).clamp(min=1)  # an empty history pools to zeros
    raise ValueError(f"pooling must be 'sum' or 'mean', got {mode!r}")


class Embedded(NamedTuple):
    ad: Tensor  # (B, 2D) candidate: item and category embeddings
    history: Tensor  # (B, T, 2D) behaviours, zero vectors at padding
    mask: Tensor  # (B, T) True at real behaviours
    context: Tensor  # (B, F*D) user, profile and context fields


class FieldEmbedding(nn.Module):
    """One embedding table per field of ``vocab``; ``hist_item``/``hist_cat`` share ``item``/``cat``."""

    def __init__(self, vocab: dict[str, int], dim: int, init_std: float = 0.1):
        super().__init__()
        missing = [f for f in ITEM_FIELDS if f not in vocab]
        if missing:
            raise ValueError(f"vocab needs the good fields {ITEM_FIELDS}; missing {missing}")
        self.vocab, self.dim = dict(vocab), dim
        self.context_fields = [f for f in vocab if f not in ITEM_FIELDS]
        if not self.context_fields:
            raise ValueError("vocab needs at least one context field (for example 'user') besides item and cat")
        self.tables = nn.ModuleDict({f: nn.Embedding(n, dim, padding_idx=0) for f, n in vocab.items()})
        for table in self.tables.values():
            nn.init.normal_(table.weight, std=init_std)
            table.weight.data[0] = 0  # padding id 0 embeds to the zero vector

    def validate(self, batch: dict[str, Tensor]) -> None:
        """Raise a ValueError that says what is wrong with a batch and how to fix it."""
        needed = [*self.vocab, *(f"hist_{f}" for f in ITEM_FIELDS), "hist_len"]
        absent = [f for f in needed if f not in batch]
        if absent:
            raise ValueError(f"batch lacks fields {absent}; this model needs {needed}")
        if batch["hist_item"].dim() != 2:
            raise ValueError(f"field 'hist_item' has shape {tuple(batch['hist_item'].shape)}; histories are (B, T): "
                             f"one row of behaviour ids per impression")
        B, T = batch["hist_item"].shape
        for name in needed:
            x = batch[name]
            shape = (B, T) if name.startswith("hist_") and name != "hist_len" else (B,)
            if x.shape != shape:
                raise ValueError(f"field {name!r} has shape {tuple(x.shape)}; expected {shape}: one id per "
                                 f"impression (B,), histories (B, T), every field with the same B")
            if x.dtype not in (torch.int64, torch.int32):
                raise ValueError(f"field {name!r} has dtype {x.dtype}; ids must be integers: use .long()")
            if name == "hist_len":
                continue
            n = self.vocab[name.removeprefix("hist_")]
            lo, hi = (int(v) for v in torch.aminmax(x))
            if lo < 0 or hi >= n:
                bad = hi if hi >= n else lo
                raise ValueError(f"field {name!r} holds id {bad}, outside its vocabulary 0..{n - 1}; build the "
                                 f"model with the vocab of the data it sees, or map unseen ids to 0 (padding)")
        shortest, longest = (int(v) for v in torch.aminmax(batch["hist_len"]))
        if shortest < 0 or longest > T:
            raise ValueError(f"hist_len must lie in 0..{T} (the history width, max_len); got {shortest}..{longest}: "
                             f"truncate longer histories to their last {T} behaviours")
        real = history_mask(batch["hist_len"], T)  # (B, T)
        for wrong, what in ((~real & (batch["hist_item"] != 0), "behaviour ids after its hist_len"),
                            (real & (batch["hist_item"] == 0), "padding (id 0) within its hist_len")):
            if wrong.any():
                row = int(wrong.any(1).nonzero()[0])
                raise ValueError(f"row {row} has {what}: histories must be right-padded with id 0 and "
                                 f"hist_len must count the real behaviours")

    def goods(self, items: Tensor, cats: Tensor, mask: Tensor) -> Tensor:
        """(B, T) item and category ids -> (B, T, 2D) goods, zero vectors where mask (B, T) is False.

        The rows are gathered with ``index_select`` rather than the tables' own lookup: the same values, but
        on CPU its backward (``index_add``) is 2-3x faster than the embedding backward for a history's B*T ids
        (docs/benchmarks.md). Multiplying by the mask keeps padding at zero and gives row 0 no gradient, which
        ``padding_idx=0`` guarantees for the other lookups.
        """
        parts = [self.tables[f].weight.index_select(0, ids.reshape(-1)) for f, ids in zip(ITEM_FIELDS, (items, cats))]
        return torch.cat(parts, -1).view(*items.shape, -1) * mask.unsqueeze(-1)

    def forward(self, batch: dict[str, Tensor]) -> Embedded:
        self.validate(batch)
        lookup = lambda fields: torch.cat([self.tables[f](batch[f].long()) for f in fields], -1)  # noqa: E731
        mask = history_mask(batch["hist_len"], batch["hist_item"].shape[1])  # (B, T)
        return Embedded(ad=lookup(ITEM_FIELDS),  # (B, 2D)
                        history=self.goods(batch["hist_item"].long(), batch["hist_cat"].long(), mask),  # (B, T, 2D)
                        mask=mask,
                        context=lookup(self.context_fields))  # (B, F*D)
