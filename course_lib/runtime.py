"""A notebook's run on this machine: seeds, CPU threads and where its figures go (``course_lib.settings``).

A chapter's first cell calls ``setup_notebook()``; tiny models train inside ``with one_thread():``; figures are
saved with ``fig.savefig(figure_path("din_tsne.png"))``, in the folder COURSE_LIB_FIGURES names.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from . import settings


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch: model initialisation and sampling become reproducible."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_notebook(seed: int = 0) -> None:
    """A chapter's first cell: seed everything and use ``settings.threads()`` CPU threads."""
    set_seed(seed)
    torch.set_num_threads(settings.threads())


@contextmanager
def one_thread() -> Iterator[None]:
    """Run tiny models on one thread (as fast as two, and far faster on a busy machine), then restore."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def figure_path(name: str) -> Path:
    """Where a notebook saves the figure ``name`` (``"din_tsne.png"``); the folder is created if needed."""
    folder = settings.figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
