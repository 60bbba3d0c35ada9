"""Where the benchmarks write: docs/benchmarks.md, each script into its own marked block."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def publish(path: Path, text: str, begin: str, end: str) -> None:
    """Print ``text`` and put it between ``begin`` and ``end`` in ``path`` (the prose around the block
    stays); without those markers, append the block (a new file holds the block alone)."""
    print("\n" + text)
    block = f"{begin}\n{text}\n{end}\n"
    old = path.read_text() if path.exists() else ""
    if begin in old and end in old:
        new = old[:old.index(begin)] + block.rstrip("\n") + old[old.index(end) + len(end):]
    else:
        new = old + ("\n" if old else "") + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
    print(f"written to {path}")
