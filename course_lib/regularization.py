"""Mini-batch aware regularization (Zhou et al., "Deep Interest Network for Click-Through Rate Prediction",
KDD 2018, section 5.1).

L2 over a whole embedding table at every step touches millions of rows that the batch never used. DIN
penalizes only the rows present in the mini-batch m, each scaled by the id's frequency n_j in the training set:

    L2(W) ~ sum_j sum_m (alpha_mj / n_j) ||w_j||^2                                       Eq. (6)
    w_j <- w_j - eta [ (1/|B_m|) sum_{(x,y) in B_m} dL/dw_j + lambda (alpha_mj / n_j) w_j ]   Eq. (7)

alpha_mj = 1 if id j occurs in batch m. The penalty below, lambda/2 * sum_{j in m} ||w_j||^2 / n_j, has exactly
the gradient lambda * w_j / n_j of Eq. (7) on present rows and 0 on every other row. Rare ids (small n_j) are
pulled to 0 hard, frequent ones barely. n_j counts every occurrence of id j (as candidate or behaviour).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .data import CTRData, Vocab
from .nn import FieldEmbedding


def field_ids(columns: dict[str, Tensor], vocab: Vocab, f: str) -> Tensor:
    """Every id of categorical field ``f`` in ``columns``: its own column and the sequences that share it."""
    names = [f, *(s for s, good in vocab.sequences.items() if good == f)]
    return torch.cat([columns[name].reshape(-1) for name in names if name in columns])


def id_counts(data: CTRData, vocab: Vocab) -> dict[str, Tensor]:
    """n_j per field: occurrences of each id in ``data`` (as candidate or behaviour; padding 0 not counted)."""
    counts = {}
    for f, n in vocab.items():
        c = torch.bincount(field_ids(data.features, vocab, f), minlength=n).float()  # (n,)
        c[0] = 0
        counts[f] = c
    return counts


def mba_penalty(tables: dict[str, Tensor], batch_ids: dict[str, Tensor], counts: dict[str, Tensor],
                lam: float) -> Tensor:
    """lambda/2 * sum over fields and over ids j present in the batch of ||w_j||^2 / n_j   (Eq. (6) for one batch)."""
    total = next(iter(tables.values())).new_zeros(())
    for f, weight in tables.items():
        present = torch.unique(batch_ids[f])  # alpha_mj = 1
        present = present[present != 0]  # padding is not a feature
        n = counts[f][present].clamp(min=1)  # an id unseen in training counts once
        total = total + (weight[present].pow(2).sum(-1) / n).sum()  # Eq. (6)
    return lam / 2 * total


class MiniBatchAware:
    """``fit(..., penalty=MiniBatchAware(model.embed, train))``: Eq. (6) on every table of a FieldEmbedding."""

    def __init__(self, embed: FieldEmbedding, train: CTRData, lam: float = 0.01):
        self.embed, self.lam = embed, lam
        self.counts = id_counts(train, embed.vocab)

    def __call__(self, model: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        ids = {f: field_ids(batch, self.embed.vocab, f) for f in self.embed.vocab}
        tables = {f: t.weight for f, t in self.embed.tables.items()}
        return mba_penalty(tables, ids, self.counts, self.lam)
