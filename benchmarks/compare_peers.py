"""Accuracy and speed of course_lib's DIN, DIEN, DCN and MMoE against DeepCTR-Torch and torch-rechub.

    python -m benchmarks.compare_peers                        # full run, writes docs/benchmarks.md
    python -m benchmarks.compare_peers --smoke --peers none --out /tmp/b.md   # seconds, course_lib only
    python -m benchmarks.compare_peers --lrs 1e-3,3e-3,1e-2 --models DCN,MMoE   # test AUC per learning rate,
                                                          # and each library's rate chosen on validation rows
    python -m benchmarks.compare_peers --own-loops        # samples/s with each library's own fit and data loader

Run from the repository root (as the Makefile's bench targets do): every run's fresh process is spawned
with this process's ``sys.path`` and working directory, so it imports the ``benchmarks`` package too.

Every run (library x model x seed) trains in its own fresh process (except with --smoke, --in-process or
--own-loops, which measures no memory), so its peak memory is its own.
Runs are interleaved (seed -> model -> library), so a change in the load of the shared machine hits
course_lib and the peers alike, and the ratios compare runs made minutes apart. Settings: settings.py.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import torch

from benchmarks.harness import run_one, run_own_loop
from benchmarks.report import DOC, publish
from benchmarks.settings import MODELS, Settings
from benchmarks.workload import tasks

BEGIN, END = "<!-- results: written by benchmarks/compare_peers.py -->", "<!-- end of results -->"
SWEEP_BEGIN, SWEEP_END = "<!-- learning rates: written by benchmarks/compare_peers.py --lrs -->", "<!-- end of sweep -->"
OWN_BEGIN, OWN_END = "<!-- own loops: written by benchmarks/compare_peers.py --own-loops -->", "<!-- end of own loops -->"
PEER_PACKAGES = {"deepctr": "deepctr-torch", "rechub": "torch-rechub"}
Runner = Callable[[str, str, int, Settings], dict]  # (library, model, seed, settings) -> one run's results


def isolated(runner: Runner, library: str, model: str, seed: int, s: Settings) -> dict:
    """``runner`` in a fresh process: the run's peak memory is not hidden by what earlier runs freed."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(runner, library, model, seed, s).result()


def run_all(libraries: list[str], models: list[str], s: Settings, isolate: bool = True,
            runner: Runner = run_one) -> list[dict]:
    """``runner`` for every seed, model and library, interleaved in that order."""
    results = []
    for seed in s.seeds:
        for model in models:
            for library in libraries:
                r = isolated(runner, library, model, seed, s) if isolate else runner(library, model, seed, s)
                scores = "  ".join(f"{t} AUC {r[t]['auc']:.4f}" for t in tasks(model) if t in r)
                print(f"seed {seed}  lr {s.lr:g}  {model:5s} {r['library']:14s} {r['throughput']:9.0f} samples/s  "
                      f"{scores}", flush=True)
                results.append(r)
    return results


def mean_sd(values: list[float], digits: int = 4) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"


def tables(results: list[dict], models: list[str]) -> str:
    """One markdown table per model: rows library (x task); ratios are course_lib / that library."""
    out = []
    for model in models:
        runs = [r for r in results if r["model"] == model]
        libraries = list(dict.fromkeys(r["library"] for r in runs))
        by_lib = {lib: [r for r in runs if r["library"] == lib] for lib in libraries}
        mean = lambda lib, key: statistics.mean(r[key] for r in by_lib[lib])  # noqa: E731
        out += [f"### {model}", "",
                "| library | task | test AUC | test GAUC | samples/s | peak MB | speed ratio | memory ratio |",
                "|---|---|---|---|---|---|---|---|"]
        for lib in libraries:
            for task in tasks(model):
                auc = mean_sd([r[task]["auc"] for r in by_lib[lib]])
                gauc = mean_sd([r[task]["gauc"] for r in by_lib[lib]])
                speed = mean("course_lib", "throughput") / mean(lib, "throughput")
                memory = mean("course_lib", "memory_mb") / max(mean(lib, "memory_mb"), 1e-9)
                out.append(f"| {lib} | {task} | {auc} | {gauc} | {mean(lib, 'throughput'):.0f} | "
                           f"{mean(lib, 'memory_mb'):.1f} | {speed:.2f} | {memory:.2f} |")
        out.append("")
    return "\n".join(out)


def own_loop_table(results: list[dict], models: list[str]) -> str:
    """The loops used, then one markdown table: samples/s of every model x library in its own training loop
    (mean ± sd over seeds). The speed ratio pairs the runs of one seed, made one after the other: the median
    over seeds of course_lib's samples/s divided by that library's."""
    loops = {r["library"]: r["loop"] for r in results}
    out = ["Loops: " + "; ".join(f"{lib}: {loop}" for lib, loop in loops.items()) + ".", "",
           "| model | library | samples/s | speed ratio |", "|---|---|---|---|"]
    for model in models:
        speed = {lib: [r["throughput"] for r in results if r["model"] == model and r["library"] == lib]
                 for lib in loops}
        for lib, values in speed.items():
            ratio = statistics.median(c / v for c, v in zip(speed["course_lib"], values))
            out.append(f"| {model} | {lib} | {mean_sd(values, 0)} | {ratio:.2f} |")
    return "\n".join(out) + "\n"


def sweep_tables(results: list[dict], models: list[str], lrs: list[float]) -> str:
    """One markdown table per model: test AUC (mean ± sd over seeds) of each library x task at each lr."""
    out = []
    for model in models:
        runs = [r for r in results if r["model"] == model]
        out += [f"### {model}", "", "| library | task | " + " | ".join(f"lr {lr:g}" for lr in lrs) + " |",
                "|---|---|" + "---|" * len(lrs)]
        for lib in dict.fromkeys(r["library"] for r in runs):
            for task in tasks(model):
                cells = [mean_sd([r[task]["auc"] for r in runs if r["library"] == lib and r["lr"] == lr])
                         for lr in lrs]
                out.append(f"| {lib} | {task} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def chosen_rates(results: list[dict], models: list[str], lrs: list[float]) -> str:
    """One markdown table per model: each library at the rate whose mean validation AUC (over seeds and
    tasks) is highest, with its validation and test AUC there."""
    out = []
    for model in models:
        runs = [r for r in results if r["model"] == model]
        out += [f"### {model}: each library at its rate chosen on the validation rows", "",
                "| library | chosen lr | task | validation AUC | test AUC |", "|---|---|---|---|---|"]
        for lib in dict.fromkeys(r["library"] for r in runs):
            by_lr = {lr: [r for r in runs if r["library"] == lib and r["lr"] == lr] for lr in lrs}
            valid_auc = {lr: statistics.mean(r["valid"][t]["auc"] for r in rs for t in tasks(model))
                         for lr, rs in by_lr.items()}
            best = max(lrs, key=valid_auc.get)
            for task in tasks(model):
                valid = mean_sd([r["valid"][task]["auc"] for r in by_lr[best]])
                test = mean_sd([r[task]["auc"] for r in by_lr[best]])
                out.append(f"| {lib} | {best:g} | {task} | {valid} | {test} |")
        out.append("")
    return "\n".join(out)


def machine(s: Settings, libraries: list[str]) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    versions = ", ".join(f"{PEER_PACKAGES[lib]} {version(PEER_PACKAGES[lib])}" for lib in libraries
                         if lib in PEER_PACKAGES)
    return (f"Run of {date.today()} on {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"torch {torch.__version__}{', ' + versions if versions else ''}; torch.set_num_threads({s.threads}); "
            f"{len(s.seeds)} seed(s), {s.n_samples} impressions ({1 - s.valid_fraction - s.test_fraction:.0%} train"
            f"{f', {s.valid_fraction:.0%} validation' if s.valid_fraction else ''}, {s.test_fraction:.0%} test), "
            f"{s.epochs} epoch(s), batch {s.batch_size}.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny data, one seed (checks the pipeline only)")
    parser.add_argument("--peers", default="deepctr,rechub",
                        help="comma-separated peers among deepctr, rechub; 'none' for course_lib alone")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated among {', '.join(MODELS)}")
    parser.add_argument("--in-process", action="store_true",
                        help="run everything in this process (faster start; --smoke implies it)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--lrs", help="comma-separated learning rates: test AUC at each, and each library at "
                                    "the rate chosen on validation rows (instead of the speed and memory tables)")
    mode.add_argument("--own-loops", action="store_true",
                      help="samples/s with each library's own training loop and data pipeline (in this process)")
    parser.add_argument("--fused-adam", action="store_true",
                        help="with --own-loops: the peers' Adam runs its fused kernel too, as course_lib's fit does")
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    if args.fused_adam and not args.own_loops:
        parser.error("--fused-adam goes with --own-loops (the shared loop gives every library the same Adam)")
    peers = [] if args.peers == "none" else args.peers.split(",")
    models = args.models.split(",")
    unknown = [p for p in peers if p not in PEER_PACKAGES] + [m for m in models if m not in MODELS]
    if unknown:
        parser.error(f"unknown peer or model {unknown}; peers: {list(PEER_PACKAGES)}, models: {list(MODELS)}")
    for peer in peers:
        try:
            version(PEER_PACKAGES[peer])
        except PackageNotFoundError:
            parser.error(f"{PEER_PACKAGES[peer]} is not installed: run `make bench` (it installs the 'bench' "
                         f"extra of pyproject.toml), or pass --peers none")
    s = Settings.smoke() if args.smoke else Settings()
    libraries, isolate = ["course_lib", *peers], not (args.smoke or args.in_process)
    if args.lrs:
        try:
            lrs = [float(lr) for lr in args.lrs.split(",")]
        except ValueError:
            parser.error(f"--lrs takes comma-separated numbers such as 1e-3,3e-3; got {args.lrs!r}")
        results = [r for lr in lrs for r in run_all(libraries, models, s.sweep(lr), isolate)]
        text = (f"{machine(s.sweep(lrs[0]), libraries)}\n\nTest AUC at every rate:\n\n"
                f"{sweep_tables(results, models, lrs)}\n{chosen_rates(results, models, lrs)}")
        block = (SWEEP_BEGIN, SWEEP_END)
    elif args.own_loops:
        s = replace(s, peer_fused_adam=args.fused_adam)
        results = run_all(libraries, models, s, isolate=False, runner=run_own_loop)
        adam = ("Adam: `fused=True` in every loop." if s.peer_fused_adam else
                "Adam: `fused=True` in course_lib's `fit`, PyTorch's default in the peers' loops.")
        text = f"{machine(s, libraries)}\n\n{adam}\n\n{own_loop_table(results, models)}"
        block = (OWN_BEGIN, OWN_END)
    else:
        results = run_all(libraries, models, s, isolate)
        text, block = f"{machine(s, libraries)}\n\n{tables(results, models)}", (BEGIN, END)
    publish(args.out, text, *block)


if __name__ == "__main__":
    main()
