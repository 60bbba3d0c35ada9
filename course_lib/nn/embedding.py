"""Sparse fields to dense vectors: one embedding table per categorical field, and masked pooling (DIN paper,
section 4.2).

A good (the candidate ad, and every behaviour) is the concatenation of the embeddings of the vocab's good fields
(item and category in ShopSim), so the ad and the behaviours live in one space of width G*D and can be compared
by attention: a sequence looks its ids up in the table of the field it shares (``hist_item`` uses ``item``'s).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from ..data.vocab import LENGTHS, Vocab, history_mask
from ..errors import InputError, whole


POOLINGS = ("sum", "mean")


def check_pooling(mode: str) -> str:
    """``mode`` if it is a pooling this course knows, else a ValueError naming the choices."""
    if mode not in POOLINGS:
        raise InputError(f"pooling must be 'sum' or 'mean', got {mode!r}")
    return mode


def masked_pool(x: Tensor, mask: Tensor, mode: str = "sum") -> Tensor:
    """Sum or mean of x (B, T, D) over the positions where mask (B, T) is True -> (B, D)."""
    total = (x * mask.unsqueeze(-1)).sum(1)  # (B, D)
    if check_pooling(mode) == "mean":
        return total / mask.sum(1, keepdim=True).clamp(min=1)  # an empty history pools to zeros
    return total


def gather_goods(tables: list[Tensor], ids: list[Tensor], mask: Tensor) -> Tensor:
    """The fast path of ``FieldEmbedding.history``: the same (B, T, G*D) values, gathered with ``index_select``.

    On CPU its backward (``index_add``) is 2-3x faster than the embedding backward for a history's B*T ids
    (docs/benchmarks.md). Multiplying by the mask keeps padding at zero and gives row 0 no gradient, which
    ``padding_idx=0`` guarantees for the plain lookup."""
    B, T = mask.shape
    rows = [weight.index_select(0, i.reshape(-1)) for weight, i in zip(tables, ids)]  # (B*T, D) each
    return torch.cat(rows, -1).view(B, T, -1) * mask.unsqueeze(-1)  # (B, T, G*D)


class Embedded(NamedTuple):
    ad: Tensor  # (B, G*D) the candidate good (width 0 for a dataset without behaviours)
    history: Tensor  # (B, T, G*D) the behaviours, zero vectors at padding
    mask: Tensor  # (B, T) True at real behaviours
    context: Tensor  # (B, F*D) user, profile and context fields
    dense: Tensor  # (B, N) the dense fields as they are


class FieldEmbedding(nn.Module):
    """One table per categorical field of ``vocab``, each row 0 the zero vector of the padding id.

    ``fast=True`` gathers histories with ``gather_goods`` (same values, faster backward on CPU); ``fast=False``
    runs the plain lookups written below it."""

    def __init__(self, vocab: Vocab, dim: int, init_std: float = 0.1, fast: bool = True):
        super().__init__()
        self.vocab, self.dim, self.fast = vocab if isinstance(vocab, Vocab) else Vocab(dict(vocab)), whole("embed_dim", dim), fast
        self.tables = nn.ModuleDict({f: nn.Embedding(n, dim, padding_idx=0) for f, n in self.vocab.sizes.items()})
        for table in self.tables.values():
            nn.init.normal_(table.weight, std=init_std)
            table.weight.data[0] = 0  # padding id 0 embeds to the zero vector

    def lookup(self, fields: tuple[str, ...], batch: dict[str, Tensor], B: int) -> Tensor:
        """The embeddings of single-id fields side by side: (B, len(fields) * D)."""
        return torch.cat([self.tables[f](batch[f]) for f in fields], -1) if fields else self.empty(B)

    def history(self, batch: dict[str, Tensor], mask: Tensor) -> Tensor:
        """(B, T, G*D): each behaviour's goods, looked up in the tables of the fields the sequences share."""
        goods = [(self.tables[good], batch[seq]) for seq, good in self.vocab.sequences.items()]
        if self.fast:
            return gather_goods([t.weight for t, _ in goods], [ids for _, ids in goods], mask)
        return torch.cat([table(ids) for table, ids in goods], -1)  # padding_idx=0: zero vectors at padding

    def empty(self, B: int, *shape: int) -> Tensor:
        return next(iter(self.tables.values())).weight.new_zeros(B, *shape, 0)

    def forward(self, batch: dict[str, Tensor]) -> Embedded:
        vocab = self.vocab
        B = len(batch[vocab.fields[0]])
        ad, context = self.lookup(vocab.goods, batch, B), self.lookup(vocab.context, batch, B)  # (B, G*D), (B, F*D)
        if vocab.sequences:
            T = batch[next(iter(vocab.sequences))].shape[1]
            mask = history_mask(batch[LENGTHS], T)  # (B, T)
            history = self.history(batch, mask)  # (B, T, G*D)
        else:
            mask, history = torch.zeros(B, 0, dtype=torch.bool, device=ad.device), self.empty(B, 0)
        dense = torch.stack([batch[f] for f in vocab.dense], -1) if vocab.dense else self.empty(B)  # (B, N)
        return Embedded(ad, history, mask, context, dense)

    def width(self) -> int:
        """The width of [context, pooled history, ad, dense]: what an MLP on top of them reads."""
        return self.dim * (len(self.vocab.context) + 2 * len(self.vocab.goods)) + len(self.vocab.dense)
