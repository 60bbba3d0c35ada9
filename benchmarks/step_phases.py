"""Where one training step's time goes: fetching the batch, forward, backward and Adam, per library.

    python benchmarks/step_phases.py --models DCN,MMoE     # a markdown table of milliseconds per step

All libraries run in this one process, on the same batches, with the harness's loss and optimizer; each
phase is timed with ``time.perf_counter``. The libraries take turns in rounds of ``--steps`` steps (the
order rotates from round to round), so a change in the shared machine's load hits them alike. Each phase
and the whole step get their median over the rounds (so the phases add up to the step only roughly), and the
speed ratio is the median over the rounds of (that library's step time / course_lib's, same round).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ADAPTERS, loss_of, prepare, take  # noqa: E402
from settings import Settings  # noqa: E402


class Stepper:
    """One library's model, inputs and Adam, stepping through the training rows in a fixed shuffled order."""

    def __init__(self, library: str, model: str, s: Settings):
        self.run = prepare(library, model, 0, s)
        self.batches = torch.randperm(len(self.run.train), generator=torch.Generator().manual_seed(0)).split(
            s.batch_size)
        self.step = 0
        self.run.net.train()

    def ms_per_phase(self, steps: int) -> list[float]:
        """Mean milliseconds of (batch, forward, backward, Adam) over the next ``steps`` steps."""
        run, total = self.run, [0.0] * 4
        for _ in range(steps):
            index = self.batches[self.step % len(self.batches)]
            self.step += 1
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
            total = [a + b for a, b in zip(total, (t1 - t0, t2 - t1, t3 - t2, t4 - t3))]
        return [1000 * t / steps for t in total]


def rows(model: str, libraries: list[str], s: Settings, rounds: int, steps: int, warmup: int = 20) -> list[str]:
    """One markdown row per library: median ms per phase, their sum, and the speed ratio against course_lib."""
    steppers = {library: Stepper(library, model, s) for library in libraries}
    for stepper in steppers.values():
        stepper.ms_per_phase(warmup)
    timed = {library: [] for library in libraries}  # per library, per round: ms of the four phases
    for r in range(rounds):
        for library in libraries[r % len(libraries):] + libraries[:r % len(libraries)]:
            timed[library].append(steppers[library].ms_per_phase(steps))
    out = []
    for library, per_round in timed.items():
        ms = [statistics.median(r[k] for r in per_round) for k in range(4)]
        total = statistics.median(sum(r) for r in per_round)
        ratio = (f"{statistics.median(sum(r) / sum(c) for r, c in zip(per_round, timed['course_lib'])):.2f}"
                 if "course_lib" in timed else "-")
        name = steppers[library].run.adapter.LIBRARY
        out.append(f"| {model} {name} | " + " | ".join(f"{v:.2f}" for v in ms) + f" | {total:.2f} | {ratio} |")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="DCN,MMoE")
    parser.add_argument("--libraries", default=",".join(ADAPTERS))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20, help="steps per library per round")
    args = parser.parse_args(argv)
    s = Settings()
    print("| one step, ms | batch | forward | backward | Adam | total | speed ratio |\n|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        print("\n".join(rows(model, args.libraries.split(","), s, args.rounds, args.steps)), flush=True)


if __name__ == "__main__":
    main()
