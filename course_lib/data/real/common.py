"""What every real-data loader shares: where the raw files live, clear errors, and the id conventions.

Where files are looked for (one place, documented in docs/datasets.md):
    ``root=`` if a loader is given one, else ``$COURSE_LIB_DATASETS``, else ``<user data folder>/datasets``
    (platformdirs, e.g. ~/.local/share/ctr-course/datasets), each dataset in its own sub-folder.
Loaders never download: a missing file raises ``DatasetNotFoundError`` saying where to get it and put it.

Id conventions (the simulator's): 0 = padding, never a real value. Users, goods and their categories
(Amazon, MovieLens) are numbered 1, 2, ... in sorted order of their raw values (``dense_ids``). The categorical
fields of Criteo and census get ids learned on the training part (``encode``): 1 = "other" (a value rarer than
``min_count`` there, or unseen there), frequent values 2, 3, ... in sorted order; their numeric fields stay
numbers (``log_standardized``).
"""
from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import ArrayLike

from ... import settings
from ...errors import InputError
from ..ctrdata import CTRData
from ..vocab import Vocab

DOCS = "docs/datasets.md"
OTHER = 1  # id of rare and unseen values; 0 stays the padding id


@dataclass(frozen=True)
class Source:
    """A public dataset: its folder under the datasets root, the files it needs and where they come from."""

    name: str  # shown in messages, e.g. "MovieLens-1M"
    folder: str  # sub-folder of the datasets root
    files: tuple[str, ...]
    url: str  # official download page
    how: str  # one sentence: what to download and how to unpack it


class DatasetNotFoundError(FileNotFoundError):
    """A raw file of a public dataset is not where the loader looks; the message says how to fix it."""


class RawFormatError(InputError):
    """A raw file, or one of its lines, does not have the documented format; the message names file and line."""

    def __init__(self, path: Path, line: int | None, problem: str):
        super().__init__(f"{path}{'' if line is None else f', line {line}'}: {problem}")
        self.path, self.line = path, line


def datasets_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder holding one sub-folder per dataset: ``root``, else $COURSE_LIB_DATASETS, else the default."""
    return Path(root).expanduser() if root is not None else settings.datasets_dir()


def where(source: Source) -> str:
    """Instructions for putting ``source``'s files in place (used by errors and the notebooks)."""
    return (f"{source.name}: {source.how} Official page: {source.url}\n"
            f"  Put {', '.join(source.files)} (or the same names + .gz) in <datasets>/{source.folder}/, where "
            f"<datasets> is $COURSE_LIB_DATASETS if set, else {datasets_dir()}, or pass root=. See {DOCS}.")


def find(source: Source, file: str, root: str | os.PathLike | None = None) -> Path:
    """The path of ``file`` (plain or gzipped) in ``source``'s folder; a clear error if it is absent."""
    folder = datasets_dir(root) / source.folder
    for candidate in (folder / file, folder / f"{file}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetNotFoundError(f"{file} not found in {folder}.\n{where(source)}")


GZIP_MAGIC = b"\x1f\x8b"


def lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """(line number from 1, line without its newline) of a plain or gzipped text file; blank lines skipped.

    A gzipped file is read as such whatever its name says; a damaged or truncated one, text in another
    encoding and an empty file raise a RawFormatError that names the file and says what to do."""
    with open(path, "rb") as probe:
        zipped = probe.read(2) == GZIP_MAGIC
    number, seen = 0, False
    try:
        raw = gzip.open(path, "rb") if zipped else open(path, "rb")
        with raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            for number, line in enumerate(text, 1):
                line = line.rstrip("\r\n")
                if line.strip():
                    seen = True
                    yield number, line
    except UnicodeDecodeError as err:
        raise RawFormatError(path, number + 1, f"not {encoding.upper()} text ({err.reason} at byte {err.start} of "
                                               f"the line): download the file again, or check it is the right one") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise RawFormatError(path, number + 1, f"the gzip file is damaged or cut short ({err}): download it "
                                               f"again") from None
    if not seen:
        raise RawFormatError(path, None, "the file is empty: download it again (docs/datasets.md says from where)")


def split_fields(path: Path, number: int, line: str, sep: str, n: int, layout: str) -> list[str]:
    """``line`` cut at ``sep`` into exactly ``n`` fields, else a RawFormatError naming the expected layout."""
    fields = line.split(sep)
    if len(fields) != n:
        raise RawFormatError(path, number, f"expected {n} fields separated by {sep!r} ({layout}), "
                                           f"found {len(fields)}")
    return fields


def parse_int(path: Path, number: int, text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RawFormatError(path, number, f"{what} must be an integer, got {text!r}") from None


def dense_ids(values: ArrayLike, among: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Raw values numbered 1..n in sorted order of the n distinct ones; 0 stays the padding id.

    Returns the ids (int64, one per value) and the sorted distinct values ``names``: id i stands for
    ``names[i - 1]`` and the vocab size, padding included, is ``len(names) + 1``. With ``among``, its distinct
    values are numbered instead and every value must be one of them (MovieLens: every listed movie, rated or not)."""
    values = np.asarray(values)
    names = np.unique(values if among is None else among)
    if among is not None:
        unknown = values[~np.isin(values, names)]
        if len(unknown):
            raise InputError(f"{unknown[0].item()!r} is not among the {len(names)} values to number")
    return np.searchsorted(names, values).astype(np.int64) + 1, names


def sample_users(user: np.ndarray, max_users: int | None, rng: np.random.Generator) -> np.ndarray:
    """Mask of the rows of ``max_users`` users drawn by ``rng``; all rows if ``max_users`` is None or at least
    the number of users. Whole users are kept, so every kept history is complete."""
    names = np.unique(user)
    if max_users is None or max_users >= len(names):
        return np.ones(len(user), dtype=bool)
    return np.isin(user, rng.choice(names, max_users, replace=False))


def encode(train: np.ndarray, test: np.ndarray, min_count: int = 1) -> tuple[np.ndarray, np.ndarray, int]:
    """Ids of string values, learned on ``train``: values seen at least ``min_count`` times get 2, 3, ...
    (sorted order), everything else ``OTHER`` (1). Returns the train ids, test ids and the vocab size."""
    values, counts = np.unique(train, return_counts=True)
    kept = values[counts >= min_count]  # sorted, as np.unique returns them

    def ids(x: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(kept, x).clip(max=max(len(kept) - 1, 0))
        hit = (kept[pos] == x) if len(kept) else np.zeros(len(x), bool)
        return np.where(hit, pos + 2, OTHER).astype(np.int64)

    return ids(train), ids(test), len(kept) + 2


def log_standardized(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts and amounts (heavy-tailed, some negative) as dense inputs: sign(x) log(1 + |x|), then standardized
    with the training part's mean and spread; a missing value (NaN) becomes the mean, 0. DCN log-transforms
    Criteo's integer features the same way before they enter x_0 (its experiments on Criteo)."""
    logged = [np.sign(x) * np.log1p(np.abs(x)) for x in (train, test)]
    seen = logged[0][~np.isnan(logged[0])]
    mean, std = (seen.mean(), seen.std()) if len(seen) else (0.0, 0.0)
    return tuple(np.nan_to_num((x - mean) / (std or 1.0)).astype(np.float32) for x in logged)


def right_padded(seq: np.ndarray, end: np.ndarray, length: np.ndarray, T: int, chunk: int = 200_000) -> np.ndarray:
    """Rows ``seq[end - length : end]`` right-padded with 0 to width ``T`` -> (N, T) int64.

    ``seq`` holds every user's behaviours back to back (ids >= 1), ``end`` one past a row's last behaviour
    and ``length`` <= T how many to keep: the most recent ones, oldest first, as ShopSim's histories."""
    out = np.zeros((len(end), T), dtype=np.int64)
    cols = np.arange(T)
    for s in range(0, len(end), chunk):  # bounds the (rows, T) index array for Amazon-sized data
        e, n = end[s:s + chunk, None], length[s:s + chunk, None]
        idx = e - n + cols  # (rows, T)
        valid = cols < n
        out[s:s + chunk] = np.where(valid, seq[np.where(valid, idx, 0)], 0)
    return out


def tabular(train: dict[str, np.ndarray], train_labels: dict[str, np.ndarray], test: dict[str, np.ndarray],
            test_labels: dict[str, np.ndarray], min_count: int = 1, dense: tuple[str, ...] = ()
            ) -> tuple[CTRData, CTRData]:
    """(train, test) of rows made of fields only, no behaviours (Criteo, census).

    ``train`` and ``test`` map field -> values: strings for a categorical field, which get ids learned on
    ``train`` by ``encode``; numbers (NaN if missing) for the fields named in ``dense``, which are
    ``log_standardized``. The labels map name -> 0/1 values. There are no user ids, so GAUC equals AUC.
    """
    train_ids, test_ids, sizes = {}, {}, {}
    for name in train:
        if name in dense:
            train_ids[name], test_ids[name] = log_standardized(train[name], test[name])
        else:
            train_ids[name], test_ids[name], sizes[name] = encode(train[name], test[name], min_count)
    vocab = Vocab(sizes, dense=tuple(name for name in train if name in dense))
    return tuple(CTRData({k: torch.as_tensor(v) for k, v in ids.items()},
                         {k: torch.as_tensor(v, dtype=torch.float32) for k, v in labels.items()}, vocab)
                 for ids, labels in ((train_ids, train_labels), (test_ids, test_labels)))
