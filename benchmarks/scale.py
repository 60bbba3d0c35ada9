"""ShopSim at the size of the DIN paper's Amazon (Electronics) data: generation time, one DIN epoch's time
and peak memory (the design's budget: epoch under 5 minutes, peak memory under 6 GB on 2 cores).

    python -m benchmarks.scale                    # writes its table into docs/benchmarks.md
    python -m benchmarks.scale --fraction 0.01    # the same pipeline on 1% of the impressions

The epoch is course_lib's own ``fit`` over every impression (no split: a split would copy the data, and
the budget is about the training pass). Peak memory is the process's peak resident set (VmHWM).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from benchmarks.harness import peak_rss
from benchmarks.report import DOC, publish
from benchmarks.settings import Settings
from course_lib.data import CTRData, ShopSim
from course_lib.models import DIN
from course_lib.runtime import set_seed
from course_lib.train import fit

# DIN paper, Table 1, Amazon (Electro.): 192,403 users, 63,001 goods, 801 categories, 1,689,188 samples.
AMAZON = dict(n_users=192_403, n_items=63_001, n_categories=801, max_len=100)
N_SAMPLES = 1_689_188
BEGIN, END = "<!-- scale: written by benchmarks/scale.py -->", "<!-- end of scale -->"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the 1,689,188 impressions")
    parser.add_argument("--out", type=Path, default=DOC)
    parser.add_argument("--device", default="cpu", help='where to train: "cpu" (default), "cuda" or "mps"')
    args = parser.parse_args(argv)
    s = Settings()
    torch.set_num_threads(s.threads)
    n = round(N_SAMPLES * args.fraction)
    start, cpu = time.perf_counter(), time.process_time()
    data = ShopSim(**AMAZON, seed=0).generate(n)
    generation, gen_cpu = time.perf_counter() - start, time.process_time() - cpu
    gen_peak = peak_rss()
    print(f"generated {n:_} impressions in {generation:.1f} s", flush=True)
    data = CTRData(data.features, data.labels, data.vocab)  # training needs no ground truth: free it
    set_seed(0)
    model = DIN(data.vocab, s.embed_dim, s.hidden, s.attention_hidden)
    start, cpu = time.perf_counter(), time.process_time()
    history = fit(model, data, epochs=1, batch_size=s.batch_size, lr=s.lr, progress=False, device=args.device)
    epoch, epoch_cpu = time.perf_counter() - start, time.process_time() - cpu
    gb = lambda b: b / 2 ** 30  # noqa: E731
    text = "\n".join([
        f"ShopSim({', '.join(f'{k}={v:_}' for k, v in AMAZON.items())}, seed=0).generate({n:_}); mean history "
        f"length {data.features['hist_len'].float().mean():.1f}; torch.set_num_threads({s.threads}); "
        f"DIN with the settings of the comparison (batch {s.batch_size}), on {args.device}.", "",
        "| step | wall time | CPU time (all threads) | peak memory of the process so far |", "|---|---|---|---|",
        f"| generate {n:_} impressions | {generation:.1f} s | {gen_cpu:.1f} s | {gb(gen_peak):.2f} GB |",
        f"| one DIN epoch (course_lib `fit`, loss {history.train_loss[0]:.4f}) | {epoch:.1f} s "
        f"({n / epoch:.0f} samples/s) | {epoch_cpu:.1f} s | {gb(peak_rss()):.2f} GB |"])
    publish(args.out, text, BEGIN, END)


if __name__ == "__main__":
    main()
