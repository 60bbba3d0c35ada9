"""Each chapter's main experiment on a paper's public dataset: the notebooks' "Run it on the real data".

``run_on_real_data(DATA, chapter)`` trains the chapter's models on a subsample that runs in a few minutes
on a laptop and prints its test metrics next to the paper's numbers (full data, tuned models: expect the
ordering of the models to carry over more than the values). With ``DATA = "sim"``, or when the files are not
in place, it only says what to set and where to put which files. It sits above data, models and training,
all three of which it uses.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from .data.real import LOADERS, available, load
from .data.real.common import where
from .errors import InputError
from .models import DCN, DIEN, DIN, ESMM, EmbeddingMLP, LogisticRegression, MultiTaskCTR
from .runtime import set_seed
from .train import device_of, evaluate, fit


@dataclass(frozen=True)
class Experiment:
    what: str  # the comparison, for the messages
    subsample: dict[str, dict]  # dataset -> loader arguments of a subsample that trains in a few minutes
    models: dict[str, tuple[Callable[[dict], nn.Module], float]]  # name -> (builder from vocab, Adam lr)
    paper_metric: str  # key of ``evaluate``'s scores that the paper reports
    paper: dict[str, dict[str, str]]  # dataset -> model -> the paper's number ("-": not reported)
    source: str  # where the paper's numbers come from, and what differs
    labels: tuple[str, ...] = ("click",)
    epochs: int = 2
    batch_size: int = 256
    shown: tuple[str, ...] = ("logloss", "auc", "gauc")


EXPERIMENTS = {
    1: Experiment(
        "LR vs Embedding&MLP",
        {"amazon": dict(max_users=20_000), "movielens": dict(max_users=1_500)},
        {"LR": (LogisticRegression, 1e-2), "Embedding&MLP": (EmbeddingMLP, 1e-3)},
        "gauc", {"amazon": {"LR": "0.7742", "Embedding&MLP": "0.8624"},
                 "movielens": {"LR": "0.7263", "Embedding&MLP": "0.7300"}},
        "DIN paper, Table 3 (GAUC). Its MovieLens is the 20M version; the course loads MovieLens-1M."),
    2: Experiment(
        "Embedding&MLP vs DIN",
        {"amazon": dict(max_users=20_000)},
        {"Embedding&MLP": (EmbeddingMLP, 1e-3), "DIN": (lambda v: DIN(v, activation="prelu"), 1e-3),
         "DIN + Dice": (lambda v: DIN(v, activation="dice"), 1e-3)},
        "gauc", {"amazon": {"Embedding&MLP": "0.8624", "DIN": "0.8818", "DIN + Dice": "0.8871"}},
        "DIN paper, Table 3 (GAUC, Amazon Electronics). After a batch-norm fix the authors' README gives "
        "DIN 0.8698, DIN + Dice 0.8711."),
    3: Experiment(
        "DIN vs DIEN",
        {"amazon": dict(max_users=10_000, max_len=30)},
        {"DIN": (lambda v: DIN(v, activation="prelu"), 1e-3), "DIEN": (DIEN, 1e-3)},
        "auc", {"amazon": {"DIN": "0.7603", "DIEN": "0.7792"}},
        "DIEN paper, results table (AUC, Amazon Electronics). DIEN's authors built their Electronics samples "
        "differently from DIN's (hence lower AUCs than DIN's Table 3); histories here are cut to 30."),
    4: Experiment(
        "Embedding&MLP vs DCN",
        {"criteo": dict(max_rows=300_000)},
        {"Embedding&MLP": (EmbeddingMLP, 1e-3), "DCN": (lambda v: DCN(v, version="v1"), 1e-3),
         "DCN-V2": (lambda v: DCN(v, version="v2"), 1e-3)},
        "logloss", {"criteo": {"Embedding&MLP": "-", "DCN": "0.4419", "DCN-V2": "-"}},
        "DCN paper, experiments on Criteo (best test logloss on the full data, lower is better; its DNN "
        "baseline is worse than DCN). A subsample of the first day scores a higher logloss.",
        epochs=1, batch_size=512, shown=("logloss", "auc")),
    5: Experiment(
        "Shared-Bottom vs MMoE",
        {"census": dict(task_group=1)},
        {"Shared-Bottom": (lambda v: MultiTaskCTR(v, kind="shared_bottom", n_experts=8, expert_hidden=16,
                                                  tower_hidden=8), 1e-3),
         "MMoE": (lambda v: MultiTaskCTR(v, kind="mmoe", n_experts=8, expert_hidden=16, tower_hidden=8), 1e-3)},
        "income/auc", {"census": {"Shared-Bottom": "0.9361 / 0.9295", "MMoE": "0.9410 / 0.9359"}},
        "MMoE paper, census-income experiment (group 1: income AUC, best / mean over runs). Shared-Bottom "
        "is matched to MMoE's parameter count.",
        labels=("income", "marital"), batch_size=512, shown=("income/auc", "marital/auc")),
    6: Experiment(
        "Shared-Bottom vs MMoE vs PLE vs ESMM",
        {"aliccp": dict(max_rows=1_000_000)},
        {name: (lambda v, kind=kind: MultiTaskCTR(v, kind=kind, n_experts=4, expert_hidden=64, tower_hidden=32), 1e-3)
         for name, kind in (("Shared-Bottom", "shared_bottom"), ("MMoE", "mmoe"), ("PLE", "ple"))}
        | {"ESMM": (lambda v: ESMM(v, embed_dim=12, hidden=(200, 80)), 1e-3)},
        "auc", {"aliccp": {"Shared-Bottom": "-", "MMoE": "CTR 0.6094", "PLE": "CTR 0.6112", "ESMM": "CTCVR 0.6532"}},
        "PLE paper, Table 5 (CTR AUC on Ali-CCP; its CVR sample space is not stated) and ESMM paper, Table 2 "
        "(CTCVR AUC 65.32 on all impressions, CVR AUC 68.56 on clicked ones). Here 'conversion' is click AND "
        "conversion, so its AUC is the CTCVR AUC; ESMM's towers are the authors' code's (embedding 12, 200 -> 80).",
        labels=("click", "conversion"), epochs=1, batch_size=1024, shown=("click/auc", "conversion/auc")),
}


def instructions(chapter: int) -> str:
    """What to set and where to put which files (no machine-specific paths: the text is reproducible)."""
    e = EXPERIMENTS[chapter]
    out = [f'DATA = "sim": this section runs only on a paper\'s dataset. To compare {e.what} on real data, '
           f"set DATA in the parameter cell at the top to one of:"]
    for name in e.subsample:
        s = LOADERS[name][1]
        out.append(f'  "{name}": {s.name}; put {", ".join(s.files)} in <datasets>/{s.folder}/ (from {s.url})')
    out.append("<datasets> is $COURSE_LIB_DATASETS if set, else the course's user data folder "
               "(course_lib.data.datasets_dir() prints it). docs/datasets.md says how to get each file.")
    return "\n".join(out)


def run_on_real_data(data: str, chapter: int, root: str | os.PathLike | None = None, device: str = "cpu",
                     **loader_args) -> dict[str, dict[str, float]] | None:
    """Train and evaluate the chapter's models on ``data``; returns their test scores (None if skipped).

    ``device``: where to train ("cpu", "cuda", "mps"); ``loader_args`` override the default subsample (e.g.
    ``max_users=None`` for the full data)."""
    if chapter not in EXPERIMENTS:
        raise InputError(f"chapter must be one of {sorted(EXPERIMENTS)}, got {chapter!r}")
    e = EXPERIMENTS[chapter]
    device_of(device)  # a DEVICE this machine lacks is an error now, not after minutes of loading
    if data == "sim":
        print(instructions(chapter))
        return None
    if data not in e.subsample:
        raise InputError(f"DATA = {data!r} has no experiment in chapter {chapter}; choose one of "
                         f"{['sim', *e.subsample]}")
    if not available(data, root):
        print(f'The files for DATA = "{data}" are not in place, so this section is skipped.')
        print(where(LOADERS[data][1]))
        return None
    train, test = load(data, root=root, **(e.subsample[data] | loader_args))
    print(f"{LOADERS[data][1].name}: {len(train):,} training and {len(test):,} test impressions")
    label, scores = (e.labels if len(e.labels) > 1 else e.labels[0]), {}
    for name, (build, lr) in e.models.items():
        set_seed(0)
        model = build(train.vocab)
        fit(model, train, epochs=e.epochs, batch_size=e.batch_size, lr=lr, label=label,  # DIEN: its own loss
            device=device)
        scores[name] = evaluate(model, test, label)
    width = max(12, *(len(m) + 2 for m in e.shown))  # "conversion/auc" needs more than 12 characters
    print(f"{'test':<16}" + "".join(f"{m:>{width}}" for m in e.shown) + f"{'paper ' + e.paper_metric:>20}")
    for name, s in scores.items():
        print(f"{name:<16}" + "".join(f"{s[m]:>{width}.4f}" for m in e.shown) + f"{e.paper[data][name]:>20}")
    print(f"Paper: {e.source}")
    return scores
