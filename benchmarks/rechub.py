"""Adapter for torch-rechub 0.9.0: Feature objects, a dict of tensors as input, probabilities as output.

Settings that torch-rechub fixes or cannot take as they are (stated in docs/benchmarks.md):
* its ``MLP`` puts BatchNorm1d before every activation (top MLPs, attention units, experts, towers, gates);
* DIN and DIEN attend over each history field (item, cat) separately with D-wide embeddings, not over the
  2D-wide good; DIEN runs one GRU + AUGRU per field; its top MLP always uses its Dice;
* initialisation is the library's own (embeddings std 1e-4).
Feature objects cache their embedding table (``Feature.get_embedding_layer``), so ``build`` makes new
ones every time: reusing them would share embeddings between seeds.
"""
from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from torch import Tensor, nn
from torch.utils.data import DataLoader, Subset
from torch_rechub.basic.features import SequenceFeature, SparseFeature
from torch_rechub.models.multi_task import MMOE
from torch_rechub.models.ranking import DCNv2, DIEN, DIN
from torch_rechub.trainers import CTRTrainer, MTLTrainer
from torch_rechub.utils.data import TorchDataset

from benchmarks.settings import Settings
from benchmarks.workload import negatives, tasks
from course_lib.data import CTRData

ITEM_FIELDS = ("item", "cat")  # the good fields of ShopSim, the benchmark's data (data.vocab.goods)

if TYPE_CHECKING:
    from benchmarks.harness import Setup

LIBRARY = "torch-rechub"
OUTPUT = "probabilities"
OWN_LOOP = "`DataLoader(TorchDataset)`, `CTRTrainer.fit` (MMoE: `MTLTrainer.fit`)"


def _goods(data: CTRData, s: Settings) -> list[SparseFeature]:
    return [SparseFeature(f, data.vocab[f], s.embed_dim, padding_idx=0) for f in ITEM_FIELDS]


def _context(data: CTRData, s: Settings) -> list[SparseFeature]:
    return [SparseFeature(f, n, s.embed_dim) for f, n in data.vocab.items() if f not in ITEM_FIELDS]


def _histories(data: CTRData, s: Settings, prefix: str, pooling: str) -> list[SequenceFeature]:
    return [SequenceFeature(prefix + f, data.vocab[f], s.embed_dim, pooling=pooling, shared_with=f, padding_idx=0)
            for f in ITEM_FIELDS]


def build(model: str, data: CTRData, s: Settings) -> nn.Module:
    mlp = {"dims": list(s.hidden)}
    if model == "DIN":
        return DIN(_context(data, s), _histories(data, s, "hist_", "concat"), _goods(data, s), mlp,
                   {"dims": list(s.attention_hidden), "activation": "dice"})
    if model == "DIEN":
        return DIEN(_context(data, s), _histories(data, s, "hist_", "concat"),
                    _histories(data, s, "neg_hist_", "concat"), _goods(data, s), mlp, alpha=s.aux_weight)
    flat = _context(data, s) + _goods(data, s) + _histories(data, s, "hist_", "sum")
    if model == "DCN":
        return DCNv2(flat, s.cross_layers, mlp, model_structure="parallel", use_low_rank_mixture=False)
    if model == "MMoE":
        return MMOE(flat, ["classification"] * 2, s.n_experts, {"dims": [s.expert_hidden]},
                    [{"dims": [s.tower_hidden]}] * 2)
    raise ValueError(f"unknown model {model!r}")


def inputs(net: nn.Module, data: CTRData) -> dict[str, Tensor]:
    """The CTRData fields as they are; DIEN also gets its negative histories."""
    return data.features | negatives(data) if isinstance(net, DIEN) else data.features


def forward(net: nn.Module, x: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    out = net(x)  # DIEN returns (probabilities, alpha * L_aux)
    return out if isinstance(out, tuple) else (out, out.new_zeros(()))


def own_loop(run: Setup, model: str, seed: int, s: Settings) -> Callable[[], None]:
    """Training as torch-rechub's documentation shows it, on ``run`` (harness.Setup): a ``DataLoader`` over
    its ``TorchDataset`` of NumPy arrays (what ``DataGenerator.generate_dataloader`` builds), then
    ``CTRTrainer`` / ``MTLTrainer.fit``. The loader shuffles with torch's global generator, seeded by ``prepare``."""
    x = {name: values.numpy() for name, values in run.x_train.items()}
    loader = DataLoader(TorchDataset(x, run.y.numpy()), batch_size=s.batch_size, shuffle=True)
    params = dict(optimizer_params={"lr": s.lr, "weight_decay": 0.0, "fused": s.peer_fused_adam}, n_epoch=s.epochs)
    if model == "MMoE":
        trainer = MTLTrainer(run.net, ["classification"] * len(tasks(model)), **params)
    else:
        trainer = CTRTrainer(run.net, loss_mode=model != "DIEN", **params)  # DIEN returns (p, alpha * L_aux)

    # MTLTrainer.fit requires validation data and scores its AUC after every epoch: a few batches of training
    # rows keep that small (enough rows for both classes of each task).
    rows = range(min(len(loader.dataset), 4 * s.batch_size))
    valid = [DataLoader(Subset(loader.dataset, rows), s.batch_size)] if model == "MMoE" else []

    def train() -> None:
        with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):  # its tqdm bar; fit saves the weights at the end
            trainer.model_path = out
            trainer.fit(loader, *valid)
    return train
