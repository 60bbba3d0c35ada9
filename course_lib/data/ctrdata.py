"""CTRData: a dataset of impressions held as whole tensors, split and batched without copies of Python lists."""
from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from ..errors import InputError, whole
from .vocab import Vocab

# Truth entries that describe the world rather than one impression (not sliced by split/subset).
WORLD_TABLES = ("item_", "user_")


@dataclass
class CTRData:
    """Impressions as column tensors, checked against their ``vocab`` once, when built.

    features  name -> (N,) int64 ids of a categorical field, (N, T) ids of a sequence (``hist_*``, right-padded
              with 0) with ``hist_len`` (N,), or (N,) floats of a dense field, as ``vocab`` declares them
    labels    name -> (N,) float32 in {0, 1} (``click``, ``conversion``)
    vocab     the fields and their sizes (``Vocab``)
    truth     ground truth from the simulator (``relevance`` (N, T), ``item_cat``, ...); empty for real data
    """

    features: dict[str, Tensor]
    labels: dict[str, Tensor]
    vocab: Vocab
    truth: dict[str, Tensor] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.vocab, Vocab):
            self.vocab = Vocab(dict(self.vocab))  # a plain dict of sizes: categorical fields only
        if not self.labels:
            raise InputError("a dataset needs at least one label column, e.g. labels={'click': ...}")
        n = {name: len(y) for name, y in self.labels.items()}
        if len(set(n.values())) != 1:
            raise InputError(f"every label column needs the same number of rows, got {n}")
        if len(self):  # an empty part (a loader's tiny sample) is a valid dataset; fit refuses to train on it
            self.vocab.check(self.features)
        rows = len(next(iter(self.features.values())))
        if rows != len(self):
            raise InputError(f"the features have {rows} rows but the labels {len(self)}")

    def __len__(self) -> int:
        return len(next(iter(self.labels.values())))

    @property
    def max_len(self) -> int:
        """The history width T (0 for a dataset without behaviour sequences)."""
        sequences = list(self.vocab.sequences)
        return self.features[sequences[0]].shape[1] if sequences else 0

    def subset(self, index: Tensor) -> CTRData:
        """The impressions at ``index``; tables of the simulated world (``item_*``, ``user_*``) are shared."""
        truth = {k: (v if k.startswith(WORLD_TABLES) else v[index]) for k, v in self.truth.items()}
        return CTRData({k: v[index] for k, v in self.features.items()},
                       {k: v[index] for k, v in self.labels.items()}, self.vocab, truth)

    def split(self, fractions: Sequence[float] = (0.8, 0.2), seed: int = 0) -> tuple[CTRData, ...]:
        """Random disjoint parts of the given sizes, e.g. ``train, test = data.split((0.8, 0.2))``."""
        fractions = tuple(fractions)
        if not fractions or any(not isinstance(f, (int, float)) or not math.isfinite(f) or f <= 0 for f in fractions) \
                or abs(sum(fractions) - 1) > 1e-6:
            raise InputError(f"fractions must be positive numbers that sum to 1, got {fractions}")
        bounds = torch.tensor([0.0, *fractions]).cumsum(0).mul(len(self)).round().long().tolist()
        sizes = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
        if 0 in sizes:
            raise InputError(f"{len(self)} impressions split by {fractions} leave a part with 0 rows (sizes {sizes}): "
                             f"use larger fractions or more data")
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))
        return tuple(self.subset(order[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))

    def batch(self, index: Tensor) -> dict[str, Tensor]:
        """One mini-batch: features and labels in one dict, as every model's ``forward`` expects."""
        return {k: v[index] for k, v in (self.features | self.labels).items()}

    def loader(self, batch_size: int = 256, shuffle: bool = False, seed: int = 0) -> Iterator[dict[str, Tensor]]:
        """Mini-batches in order, or shuffled reproducibly by ``seed``."""
        whole("batch_size", batch_size)
        n = len(self)
        order = (torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle
                 else torch.arange(n))
        return (self.batch(order[start:start + batch_size]) for start in range(0, n, batch_size))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self.features.items())
        rates = ", ".join(f"{k}={v.mean():.3f}" for k, v in self.labels.items())
        return f"CTRData(n={len(self)}, features: {fields}; label rates: {rates})"


def physical_memory() -> int | None:
    """Bytes of RAM of this machine, or None where the OS does not say (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
