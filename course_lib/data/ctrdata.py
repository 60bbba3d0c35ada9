"""CTRData: a dataset of impressions held as whole tensors, split and batched without copies of Python lists."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

# The two fields that describe a good (the ad and every behaviour); their histories are ``hist_<field>``.
ITEM_FIELDS = ("item", "cat")
# Truth entries that describe the world rather than one impression (not sliced by split/subset).
WORLD_TABLES = ("item_", "user_")


@dataclass
class CTRData:
    """Impressions as column tensors.

    features  name -> (N,) int64 for single-valued fields, (N, T) for ``hist_*`` fields, ``hist_len`` (N,)
    labels    name -> (N,) float32 in {0, 1} (``click``, ``conversion``)
    vocab     field -> number of ids including the padding id 0 (``hist_item`` shares ``item``'s)
    truth     ground truth from the simulator (``relevance`` (N, T), ``item_cat``, ...); empty for real data
    """

    features: dict[str, Tensor]
    labels: dict[str, Tensor]
    vocab: dict[str, int]
    truth: dict[str, Tensor] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.labels.values())))

    @property
    def max_len(self) -> int:
        return self.features["hist_item"].shape[1]

    def subset(self, index: Tensor) -> CTRData:
        """The impressions at ``index``; tables of the simulated world (``item_*``, ``user_*``) are shared."""
        truth = {k: (v if k.startswith(WORLD_TABLES) else v[index]) for k, v in self.truth.items()}
        return CTRData({k: v[index] for k, v in self.features.items()},
                       {k: v[index] for k, v in self.labels.items()}, self.vocab, truth)

    def split(self, fractions: Sequence[float] = (0.8, 0.2), seed: int = 0) -> tuple[CTRData, ...]:
        """Random disjoint parts of the given sizes, e.g. ``train, test = data.split((0.8, 0.2))``."""
        if any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
            raise ValueError(f"fractions must be positive and sum to 1, got {tuple(fractions)}")
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))
        bounds = torch.tensor([0.0, *fractions]).cumsum(0).mul(len(self)).round().long().tolist()
        return tuple(self.subset(order[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))

    def batch(self, index: Tensor) -> dict[str, Tensor]:
        """One mini-batch: features and labels in one dict, as every model's ``forward`` expects."""
        return {k: v[index] for k, v in (self.features | self.labels).items()}

    def loader(self, batch_size: int = 256, shuffle: bool = False, seed: int = 0) -> Iterator[dict[str, Tensor]]:
        """Mini-batches in order, or shuffled reproducibly by ``seed``."""
        n = len(self)
        order = (torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle
                 else torch.arange(n))
        for start in range(0, n, batch_size):
            yield self.batch(order[start:start + batch_size])

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self.features.items())
        rates = ", ".join(f"{k}={v.mean():.3f}" for k, v in self.labels.items())
        return f"CTRData(n={len(self)}, features: {fields}; label rates: {rates})"
