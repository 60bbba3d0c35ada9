"""Where one training step's time goes: fetching the batch, forward, backward and Adam, per library.

    python -m benchmarks.perf.step_phases --models DCN,MMoE     # a markdown table of milliseconds per step
    python -m benchmarks.perf.step_phases --libraries course_lib --adams default,foreach,fused   # Adam's kernels

All libraries run in this one process, on the same batches, with the harness's loss and optimizer; each
phase is timed with ``time.perf_counter``. The libraries take turns in rounds of ``--steps`` steps (the
order rotates from round to round), so a change in the shared machine's load hits them alike. Each phase
and the whole step get their median over the rounds (so the phases add up to the step only roughly), and the
speed ratio is the median over the rounds of (that row's step time / the first row's, same round): with the
default arguments, how many times as fast as each library course_lib is. ``--adams`` times every library with
each of PyTorch's Adam implementations: ``default`` (what ``torch.optim.Adam`` picks on CPU: a Python loop
over the parameters, several tensor operations each), ``foreach`` (each operation once for a list of tensors)
and ``fused`` (one fused operation per step, no Python loop over the parameters).
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import time

import torch

from benchmarks.harness import ADAPTERS, loss_of, prepare, take
from benchmarks.settings import Settings


class Stepper:
    """One library's model, inputs and Adam, stepping through the training rows in a fixed shuffled order."""

    def __init__(self, library: str, model: str, s: Settings, adam: str = "default"):
        self.run = prepare(library, model, 0, s)
        if adam != "default":  # "foreach" or "fused"
            self.run = self.run._replace(optimizer=torch.optim.Adam(self.run.net.parameters(), lr=s.lr, **{adam: True}))
        self.label = self.run.adapter.LIBRARY + ("" if adam == "default" else f" (Adam {adam})")
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


def rows(model: str, contestants: list[tuple[str, str]], s: Settings, rounds: int, steps: int,
         warmup: int = 20) -> list[str]:
    """One markdown row per (library, Adam implementation): median ms per phase, their sum, and the speed ratio
    against the first of ``contestants``."""
    steppers = [Stepper(library, model, s, adam) for library, adam in contestants]
    for stepper in steppers:
        stepper.ms_per_phase(warmup)
    timed = [[] for _ in steppers]  # per contestant, per round: ms of the four phases
    order = list(range(len(steppers)))
    for r in range(rounds):
        k = r % len(order)  # each round starts with the next contestant
        for i in order[k:] + order[:k]:
            timed[i].append(steppers[i].ms_per_phase(steps))
    out = []
    for stepper, per_round in zip(steppers, timed):
        ms = [statistics.median(r[k] for r in per_round) for k in range(4)]
        total = statistics.median(sum(r) for r in per_round)
        ratio = statistics.median(sum(r) / sum(first) for r, first in zip(per_round, timed[0]))
        phases = " | ".join(f"{v:.2f}" for v in ms)
        out.append(f"| {model} {stepper.label} | {phases} | {total:.2f} | {ratio:.2f} |")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="DCN,MMoE")
    parser.add_argument("--libraries", default="course_lib,deepctr,rechub",
                        help=f"comma-separated among {', '.join(ADAPTERS)}; the first one is the reference")
    parser.add_argument("--adams", default="default", help="comma-separated among default, foreach, fused")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20, help="steps per library per round")
    args = parser.parse_args(argv)
    libraries, adams = args.libraries.split(","), args.adams.split(",")
    if not set(libraries) <= set(ADAPTERS):
        parser.error(f"--libraries takes {', '.join(ADAPTERS)}; got {args.libraries!r}")
    if not set(adams) <= {"default", "foreach", "fused"}:
        parser.error(f"--adams takes default, foreach and fused; got {args.adams!r}")
    contestants = list(itertools.product(libraries, adams))
    s = Settings()
    print("| one step, ms | batch | forward | backward | Adam | total | speed ratio |\n|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        print("\n".join(rows(model, contestants, s, args.rounds, args.steps)), flush=True)


if __name__ == "__main__":
    main()
