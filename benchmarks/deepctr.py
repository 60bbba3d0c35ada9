"""Adapter for DeepCTR-Torch 0.3.0: feature columns, one float matrix X as input, probabilities as output.

Settings that DeepCTR cannot take as they are (stated in docs/benchmarks.md):
* its top MLP (``DNN``) cannot run Dice on a 2-D input (Dice asserts a 3-D input there), so DIN's MLP
  uses PReLU; the activation unit does use Dice, as in the paper;
* its DIEN scores the auxiliary loss with a small MLP (100-50-1, sigmoid) instead of the inner product of
  the paper's Eq. (6), and its attention is the MLP unit with softmax (att_weight_normalization=True);
* L2 penalties are set to 0 (course_lib has none); initialisation is the library's own (std 1e-4).
"""
from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat
from deepctr_torch.models import DCN, DIEN, DIN, MMOE
from torch import Tensor, nn

from benchmarks.settings import Settings
from benchmarks.workload import negatives, tasks
from course_lib.data import CTRData

ITEM_FIELDS = ("item", "cat")  # the good fields of ShopSim, the benchmark's data (data.vocab.goods)

if TYPE_CHECKING:
    from benchmarks.harness import Setup

LIBRARY = "DeepCTR-Torch"
OUTPUT = "probabilities"
OWN_LOOP = "`model.compile`, `model.fit`"


def columns(data: CTRData, s: Settings, prefixes: tuple[str, ...] = ("hist_",)) -> list:
    """Every field as a SparseFeat; each history as a VarLenSparseFeat sharing its good's table."""
    sparse = [SparseFeat(f, n, embedding_dim=s.embed_dim) for f, n in data.vocab.items()]
    history = [VarLenSparseFeat(SparseFeat(p + f, data.vocab[f], embedding_dim=s.embed_dim, embedding_name=f),
                                maxlen=data.max_len, combiner="sum", length_name="hist_len")
               for p in prefixes for f in ITEM_FIELDS]
    return sparse + history


def build(model: str, data: CTRData, s: Settings) -> nn.Module:
    # DeepCTR re-seeds torch in every constructor (default 1024: the same weights for every run); give it
    # the run's seed instead.
    no_l2 = dict(l2_reg_embedding=0.0, seed=torch.initial_seed())
    if model == "DIN":
        return DIN(columns(data, s), list(ITEM_FIELDS), dnn_hidden_units=s.hidden, dnn_activation="prelu",
                   att_hidden_size=s.attention_hidden, att_activation="Dice", att_weight_normalization=False,
                   **no_l2)
    if model == "DIEN":
        return DIEN(columns(data, s, ("hist_", "neg_hist_")), list(ITEM_FIELDS), gru_type="AUGRU",
                    use_negsampling=True, alpha=s.aux_weight, dnn_hidden_units=s.hidden, dnn_activation="prelu",
                    att_hidden_units=s.attention_hidden, **no_l2)
    if model == "DCN":
        return DCN([], columns(data, s), cross_num=s.cross_layers, cross_parameterization="matrix",
                   dnn_hidden_units=s.hidden, l2_reg_linear=0.0, l2_reg_cross=0.0, **no_l2)
    if model == "MMoE":
        return MMOE(columns(data, s), num_experts=s.n_experts, expert_dnn_hidden_units=(s.expert_hidden,),
                    gate_dnn_hidden_units=(), tower_dnn_hidden_units=(s.tower_hidden,),
                    task_names=("click", "conversion"), l2_reg_linear=0.0, **no_l2)
    raise ValueError(f"unknown model {model!r}")


def fields(net: nn.Module, data: CTRData) -> dict[str, Tensor]:
    """The model's input fields by name, in its ``feature_index`` order (DIEN's include the negatives)."""
    available = data.features | (negatives(data) if isinstance(net, DIEN) else {})
    return {name: available[name] for name in net.feature_index}


def inputs(net: nn.Module, data: CTRData) -> dict[str, Tensor]:
    """X (N, columns) float, laid out by the model's ``feature_index`` (as DeepCTR's own ``fit`` builds it)."""
    return {"X": torch.cat([v.reshape(len(data), -1).float() for v in fields(net, data).values()], 1)}


def forward(net: nn.Module, x: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    p = net(x["X"])  # (B, 1) or (B, K) probabilities; DIEN leaves alpha * L_aux in net.aux_loss
    return p.squeeze(-1) if p.shape[-1] == 1 else p, net.aux_loss.squeeze()


def own_loop(run: Setup, model: str, seed: int, s: Settings) -> Callable[[], None]:
    """Training as DeepCTR-Torch's documentation shows it, on ``run`` (harness.Setup): ``compile`` then
    ``fit`` on a dict of NumPy arrays (``fit`` stacks them into one matrix and batches it with a
    ``DataLoader`` over a ``TensorDataset``). ``fit`` shuffles with torch's global generator, seeded by
    ``prepare``."""
    x = {name: values.numpy() for name, values in fields(run.net, run.train).items()}
    loss = ["binary_crossentropy"] * len(tasks(model)) if model == "MMoE" else "binary_crossentropy"
    run.net.compile(torch.optim.Adam(run.net.parameters(), lr=s.lr, fused=s.peer_fused_adam), loss)

    def train() -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # fit prints the device and the number of samples
            run.net.fit(x, run.y.numpy(), batch_size=s.batch_size, epochs=s.epochs, verbose=0)
    return train
