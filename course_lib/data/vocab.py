"""A dataset's fields: what a model must know to embed them, and the one check of a batch against them.

    sizes      categorical field -> its number of ids, the padding id 0 included   {"item": 1001, "user": 2001}
    sequences  sequence field -> the categorical field whose ids (and embeddings) it shares
               {"hist_item": "item", "hist_cat": "cat"}: a behaviour is a good like the candidate ad; every
               sequence is right-padded with 0 to one width T, with the real lengths in ``hist_len``
    dense      numeric fields, one float per impression                             ("I1", ..., "I13")

A ``Vocab`` reads like the mapping ``sizes`` (``vocab["item"]``), so ``EmbeddingMLP(data.vocab)`` is all a model
needs. ``check(batch)`` is where every input is validated: ``CTRData`` checks its columns once when it is built,
and each model's ``forward`` checks its batch in one line, so a wrong batch gets a clear message (what is wrong,
how to fix it), never an IndexError from deep inside torch.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor

from ..errors import InputError

LENGTHS = "hist_len"  # the number of real behaviours of each row, shared by all sequences


def history_mask(hist_len: Tensor, T: int) -> Tensor:
    """(B,) lengths -> (B, T) bool, True at real behaviours (histories are right-padded)."""
    return torch.arange(T, device=hist_len.device) < hist_len.unsqueeze(1)


@dataclass(frozen=True, eq=False)
class Vocab(Mapping[str, int]):
    sizes: dict[str, int]
    sequences: dict[str, str] = field(default_factory=dict)
    dense: tuple[str, ...] = ()

    def __post_init__(self):
        bad = {f: n for f, n in self.sizes.items() if isinstance(n, bool) or not isinstance(n, int) or n < 1}
        if bad:
            raise InputError(f"vocabulary sizes must be whole numbers >= 1 (ids and the padding id 0), got {bad}")
        unknown = {s: f for s, f in self.sequences.items() if f not in self.sizes}
        if unknown:
            raise InputError(f"sequences {unknown} name fields that are not in sizes {list(self.sizes)}")
        object.__setattr__(self, "dense", tuple(self.dense))

    def __getitem__(self, name: str) -> int:
        return self.sizes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sizes)

    def __len__(self) -> int:
        return len(self.sizes)

    def __eq__(self, other) -> bool:
        if isinstance(other, Vocab):
            return (self.sizes, self.sequences, self.dense) == (other.sizes, other.sequences, other.dense)
        return isinstance(other, Mapping) and dict(self.sizes) == dict(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Vocab(sizes={self.sizes}, sequences={self.sequences}, dense={list(self.dense)})"

    @property
    def goods(self) -> tuple[str, ...]:
        """The fields that describe a good (the ad and every behaviour), in the order of the sequences."""
        return tuple(self.sequences.values())

    @property
    def context(self) -> tuple[str, ...]:
        """The other categorical fields: the user, the profile, the context."""
        return tuple(f for f in self.sizes if f not in self.goods)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every column a batch must hold."""
        return (*self.sizes, *self.sequences, *((LENGTHS,) if self.sequences else ()), *self.dense)

    def require_history(self, model: str) -> None:
        """Raise an InputError if there is no behaviour sequence, which ``model`` attends over."""
        if not self.sequences:
            raise InputError(f"{model} reads a sequence of behaviours, and this dataset has none (its fields: "
                             f"{list(self.fields)}): use EmbeddingMLP, DCN or MultiTaskCTR, which need no history")

    def check(self, batch: Mapping[str, Tensor]) -> None:
        """Raise an InputError that says what is wrong with ``batch`` (or a whole CTRData's columns) and how
        to fix it; return quietly if it is a valid batch of these fields."""
        if not isinstance(batch, Mapping):
            hint = ("pass one batch, data.batch(index) or one from data.loader(...), not the whole CTRData"
                    if hasattr(batch, "features") else "a batch is a dict: field name -> tensor")
            raise InputError(f"expected a batch (a dict of tensors), got {type(batch).__name__}: {hint}")
        absent = [f for f in self.fields if f not in batch]
        if absent:
            raise InputError(f"the batch lacks {absent}; these fields are needed: {list(self.fields)}")
        for name in self.fields:
            if not isinstance(batch[name], Tensor):
                raise InputError(f"field {name!r} is a {type(batch[name]).__name__}, not a tensor: convert it with "
                                 f"torch.as_tensor(...)")
        first = batch[self.fields[0]]
        B = len(first) if first.dim() else 0
        if B == 0:
            raise InputError("the batch is empty (0 rows): give at least one impression")
        T = self._width(batch)
        for name in (*self.sizes, *self.sequences, *((LENGTHS,) if self.sequences else ())):
            self._check_ids(name, batch[name], (B, T) if name in self.sequences else (B,))
        if self.sequences:
            self._check_padding(batch, T)
        for name in self.dense:
            x = batch[name]
            if x.shape != (B,) or not x.is_floating_point():
                raise InputError(f"dense field {name!r} has shape {tuple(x.shape)} and dtype {x.dtype}; expected one "
                                 f"float per row, shape ({B},): use .float()")
            if not torch.isfinite(x).all():
                raise InputError(f"dense field {name!r} holds NaN or infinite values: fill or clip them first")

    def _width(self, batch: Mapping[str, Tensor]) -> int:
        """The history width T of the batch's sequences (0 without sequences)."""
        if not self.sequences:
            return 0
        name = next(iter(self.sequences))
        if batch[name].dim() != 2:
            raise InputError(f"field {name!r} has shape {tuple(batch[name].shape)}; histories are (B, T): one row of "
                             f"behaviour ids per impression")
        if batch[name].shape[1] == 0:
            raise InputError("the histories have width T = 0: give them at least one position (max_len >= 1)")
        return batch[name].shape[1]

    def _check_padding(self, batch: Mapping[str, Tensor], T: int) -> None:
        """hist_len lies in 0..T, and every sequence holds ids exactly at its first hist_len positions."""
        shortest, longest = (int(v) for v in torch.aminmax(batch[LENGTHS]))
        if shortest < 0 or longest > T:
            raise InputError(f"hist_len must lie in 0..{T} (the history width, max_len); got {shortest}..{longest}: "
                             f"truncate longer histories to their last {T} behaviours")
        real = history_mask(batch[LENGTHS], T)  # (B, T)
        for name in self.sequences:
            for wrong, what in ((~real & (batch[name] != 0), "behaviour ids after its hist_len"),
                                (real & (batch[name] == 0), "padding (id 0) within its hist_len")):
                if wrong.any():
                    row = int(wrong.any(1).nonzero()[0])
                    raise InputError(f"row {row} of {name!r} has {what}: histories must be right-padded with id 0 "
                                     f"and hist_len must count the real behaviours")

    def _check_ids(self, name: str, x: Tensor, shape: tuple[int, ...]) -> None:
        if x.dtype not in (torch.int64, torch.int32):
            raise InputError(f"field {name!r} has dtype {x.dtype}; ids are whole numbers: use .long()")
        if x.shape != shape:
            raise InputError(f"field {name!r} has shape {tuple(x.shape)}; expected {shape}: one id per impression "
                             f"(B,), histories (B, T), every field with the same B")
        if name == LENGTHS:
            return
        n = self.sizes[self.sequences.get(name, name)]
        lo, hi = (int(v) for v in torch.aminmax(x))
        if lo < 0 or hi >= n:
            raise InputError(f"field {name!r} holds id {hi if hi >= n else lo}, outside its vocabulary 0..{n - 1}: "
                             f"build the model with the vocab of the data it sees, or map unseen ids to 0 (padding)")
