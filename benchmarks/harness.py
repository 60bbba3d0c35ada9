"""One benchmark run: build a model with one library's adapter, train it, time it, measure it, score it.

``run_one``: every library goes through the same loop below (Adam, binary cross-entropy, the same shuffled
order of the same training rows), so the only thing that differs between libraries is the model code.
``run_own_loop``: every library trains with its own loop and data pipeline, as its users would.
"""
from __future__ import annotations

import importlib
import time
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmarks.settings import Settings
from benchmarks.workload import labels, make_data, tasks
from course_lib.data import CTRData
from course_lib.metrics import auc, gauc
from course_lib.runtime import set_seed

# library name -> adapter module; "floor" (course_lib rewritten for speed alone) is for benchmarks.perf.step_phases
ADAPTERS = {"course_lib": "benchmarks.course", "floor": "benchmarks.perf.floor", "deepctr": "benchmarks.deepctr",
            "rechub": "benchmarks.rechub"}


def take(x: dict[str, Tensor], index: Tensor) -> dict[str, Tensor]:
    return {k: v[index] for k, v in x.items()}


def reset_peak_rss() -> int:
    """Reset the kernel's high-water mark of this process's resident memory; return the current RSS (bytes)."""
    Path("/proc/self/clear_refs").write_text("5")  # "5" resets VmHWM to the current RSS (Linux >= 4.0)
    return _status_kb("VmRSS") * 1024


def peak_rss() -> int:
    return _status_kb("VmHWM") * 1024


def _status_kb(key: str) -> int:
    line = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith(key + ":"))
    return int(line.split()[1])


def loss_of(adapter, net, x: dict[str, Tensor], y: Tensor) -> Tensor:
    """The training loss of one batch: the adapter's own ``loss`` if it has one (course_lib's DIEN: its target
    and auxiliary losses from one pass), else the logloss of its forward plus the extra term it returns."""
    if hasattr(adapter, "loss"):
        return adapter.loss(net, x, y)
    out, extra = adapter.forward(net, x)
    if adapter.OUTPUT == "logits":
        return F.binary_cross_entropy_with_logits(out, y) + extra
    return F.binary_cross_entropy(out, y) + extra


@torch.no_grad()
def predict(adapter, net, x: dict[str, Tensor], n: int, batch_size: int = 4096) -> Tensor:
    net.eval()
    outs = [adapter.forward(net, take(x, torch.arange(i, min(i + batch_size, n))))[0] for i in range(0, n, batch_size)]
    scores = torch.cat(outs)
    return scores.reshape(n, -1)  # (N, K) logits or probabilities: AUC only needs the order


def evaluate(adapter, net, data: CTRData, model: str) -> dict[str, dict[str, float]]:
    """{task: {"auc", "gauc"}} of the trained ``net`` on ``data`` (GAUC weights each user by impressions)."""
    scores = predict(adapter, net, adapter.inputs(net, data), len(data))
    return {task: dict(auc=auc(data.labels[task], scores[:, k]), gauc=gauc(data.labels[task], scores[:, k],
                                                                         data.features["user"]))
            for k, task in enumerate(tasks(model))}


class Setup(NamedTuple):
    adapter: ModuleType  # the library's adapter module (course.py, perf/floor.py, deepctr.py, rechub.py)
    net: nn.Module
    train: CTRData
    valid: CTRData | None  # rows to choose a learning rate on (only with Settings.valid_fraction > 0)
    test: CTRData
    x_train: dict[str, Tensor]  # the training rows in the library's own input format
    y: Tensor  # (N,) or (N, K) training labels
    optimizer: torch.optim.Optimizer


def prepare(library: str, model: str, seed: int, s: Settings) -> Setup:
    """``model`` from ``library``, seeded with ``seed``, with its inputs, labels and Adam: all but training."""
    torch.set_num_threads(s.threads)
    adapter = importlib.import_module(ADAPTERS[library])
    train, valid, test = make_data(s)
    set_seed(seed)
    net = adapter.build(model, train, s)
    optimizer = torch.optim.Adam(net.parameters(), lr=s.lr)
    return Setup(adapter, net, train, valid, test, adapter.inputs(net, train), labels(train, model), optimizer)


def run_one(library: str, model: str, seed: int, s: Settings) -> dict:
    """Train ``model`` from ``library`` for ``s.epochs`` epochs; return its scores, speed and memory.

    Per task: test AUC and GAUC under the task's name, and validation ones under "valid" when there is a
    validation part."""
    adapter, net, train, valid, test, x_train, y, optimizer = prepare(library, model, seed, s)
    rss_before = reset_peak_rss()
    epoch_seconds = []
    for epoch in range(s.epochs):
        start = time.perf_counter()
        net.train()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed * 1000 + epoch))
        for index in order.split(s.batch_size):
            loss = loss_of(adapter, net, take(x_train, index), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
    extra_memory = peak_rss() - rss_before
    # Every epoch is the same work, so the fastest one is the least disturbed by the shared machine's other
    # jobs (as timeit reports the minimum): a DCN or MMoE epoch lasts under a second.
    result = dict(library=adapter.LIBRARY, model=model, seed=seed, lr=s.lr,
                  throughput=len(train) / min(epoch_seconds), memory_mb=extra_memory / 2 ** 20)
    result |= evaluate(adapter, net, test, model)
    if valid is not None:
        result["valid"] = evaluate(adapter, net, valid, model)
    return result


def run_own_loop(library: str, model: str, seed: int, s: Settings) -> dict:
    """Train ``model`` with ``library``'s own training loop (its ``fit`` and data pipeline, as its users do);
    return the samples/s of the whole call, all epochs and the loop's own per-call work included.

    Same model, data, batch size, epochs and Adam as ``run_one``; the loss is each loop's own (DeepCTR-Torch
    sums it over the batch where the others average it, which changes the step size but not the speed)."""
    run = prepare(library, model, seed, s)
    train = run.adapter.own_loop(run, model, seed, s)
    start = time.perf_counter()
    train()
    return dict(library=run.adapter.LIBRARY, model=model, seed=seed, loop=run.adapter.OWN_LOOP,
                throughput=s.epochs * len(run.train) / (time.perf_counter() - start))
