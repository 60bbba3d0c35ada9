"""Where one training step's time goes: fetching the batch, forward, backward and Adam, per library.

    python benchmarks/step_phases.py --models DCN,MMoE     # a markdown table of milliseconds per step

All libraries run in this one process, on the same batches, with the harness's loss and optimizer;
each phase is timed with ``time.perf_counter`` and averaged over ``--steps`` steps after a warm-up.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ADAPTERS, loss_of, prepare, take  # noqa: E402
from settings import Settings  # noqa: E402


def phases(library: str, model: str, s: Settings, steps: int, warmup: int = 20) -> tuple[str, list[float]]:
    """The library's name and its mean milliseconds per step of (batch, forward, backward, Adam)."""
    run = prepare(library, model, 0, s)
    batches = torch.randperm(len(run.train), generator=torch.Generator().manual_seed(0)).split(s.batch_size)
    total = [0.0] * 4
    run.net.train()
    for i in range(warmup + steps):
        index = batches[i % len(batches)]
        t0 = time.perf_counter()
        xb, yb = take(run.x_train, index), run.y[index]
        t1 = time.perf_counter()
        loss = loss_of(run.adapter, run.net, xb, yb)
        t2 = time.perf_counter()
        run.optimizer.zero_grad()
        loss.backward()
        t3 = time.perf_counter()
        run.optimizer.step()
        t4 = time.perf_counter()
        if i >= warmup:
            total = [a + b for a, b in zip(total, (t1 - t0, t2 - t1, t3 - t2, t4 - t3))]
    return run.adapter.LIBRARY, [1000 * t / steps for t in total]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="DCN,MMoE")
    parser.add_argument("--libraries", default=",".join(ADAPTERS))
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    s = Settings()
    print("| one step, ms | batch | forward | backward | Adam | total |\n|---|---|---|---|---|---|")
    for model in args.models.split(","):
        for library in args.libraries.split(","):
            name, ms = phases(library, model, s, args.steps)
            print(f"| {model} {name} | " + " | ".join(f"{v:.2f}" for v in ms) + f" | {sum(ms):.2f} |", flush=True)


if __name__ == "__main__":
    main()
