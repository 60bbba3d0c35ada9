"""Minimal reproductions of the peers' differences from the papers that change results (docs/benchmarks.md
shows this file's code and its printed output). Run: python -m benchmarks.peer_differences"""
from __future__ import annotations

import torch
from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat
from deepctr_torch.layers import DNN
from deepctr_torch.layers.sequence import AUGRUCell
from deepctr_torch.models import DIN as DeepCTRDIN
from torch_rechub.basic.activation import Dice as RechubDice
from torch_rechub.basic.features import SequenceFeature, SparseFeature
from torch_rechub.basic.layers import CrossNetV2
from torch_rechub.models.multi_task import MMOE
from torch_rechub.models.ranking import DIN as RechubDIN

from course_lib.data import ShopSim
from course_lib.models import DIN


def rechub_din_padding():
    """torch-rechub DIN: no padding mask. Padding embeds to 0, so it adds nothing to the pooled vector, but
    its scores enter the BatchNorm statistics of the activation unit: in training, more padding in the
    batch changes the prediction for the same behaviours."""
    torch.manual_seed(0)
    goods = [SparseFeature("item", 10, 4, padding_idx=0)]
    hist = [SequenceFeature("hist_item", 10, 4, pooling="concat", shared_with="item", padding_idx=0)]
    model = RechubDIN([SparseFeature("user", 5, 4)], hist, goods, {"dims": [8]}, {"dims": [8]}).train()
    for p in model.parameters():
        torch.nn.init.normal_(p)  # weights away from the tiny initialisation, as after training
    x = {"user": torch.tensor([1, 2]), "item": torch.tensor([3, 4]), "hist_item": torch.tensor([[3, 5, 0], [4, 0, 0]])}
    wider = x | {"hist_item": torch.cat([x["hist_item"], torch.zeros(2, 3, dtype=torch.long)], 1)}  # same behaviours
    print("rechub DIN (training mode), 3 vs 6 history slots:", model(x).tolist(), model(wider).tolist())


def deepctr_din_padding():
    """DeepCTR-Torch DIN: padding enters the batch statistics of Dice inside the activation unit."""
    torch.manual_seed(0)
    cols = lambda T: [SparseFeat("user", 5, 4), SparseFeat("item", 10, 4),  # noqa: E731
                      VarLenSparseFeat(SparseFeat("hist_item", 10, 4, embedding_name="item"), T, length_name="hist_len")]
    model = DeepCTRDIN(cols(3), ["item"], dnn_hidden_units=(8,), att_hidden_size=(8,), att_activation="Dice")
    wide = DeepCTRDIN(cols(6), ["item"], dnn_hidden_units=(8,), att_hidden_size=(8,), att_activation="Dice")
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)  # weights away from the tiny initialisation, as after training
    wide.load_state_dict(model.state_dict())  # the same weights
    X = torch.tensor([[1, 3, 3, 5, 0, 2], [2, 4, 4, 0, 0, 1]], dtype=torch.float)  # user, item, hist(3), hist_len
    X_wide = torch.cat([X[:, :5], torch.zeros(2, 3), X[:, 5:]], 1)  # three more padding slots
    model.train(), wide.train()
    print("DeepCTR DIN (training mode), 3 vs 6 history slots:", model(X)[:, 0].tolist(), wide(X_wide)[:, 0].tolist())


def course_lib_din_padding():
    """course_lib DIN for contrast: the activation unit only sees real behaviours (training mode too)."""
    data = ShopSim(n_users=20, n_items=10, n_categories=3, max_len=3, min_len=1).generate(2)
    torch.manual_seed(0)
    model = DIN(data.vocab, 4, 8, 8).train()
    x = data.batch(torch.arange(2))
    wider = x | {f: torch.cat([x[f], torch.zeros(2, 3, dtype=torch.long)], 1) for f in ("hist_item", "hist_cat")}
    print("course_lib DIN (training mode), 3 vs 6 history slots:", torch.sigmoid(model(x)).tolist(),
          torch.sigmoid(model(wider)).tolist())


def deepctr_augru_tied_bias():
    """DeepCTR-Torch AUGRUCell registers bias_hh under the name bias_ih: one bias serves both products."""
    cell = AUGRUCell(4, 4)
    print("DeepCTR AUGRUCell: bias_ih is bias_hh:", cell.bias_ih is cell.bias_hh,
          "| parameters:", [name for name, _ in cell.named_parameters()])


def deepctr_dnn_dice():
    """DeepCTR-Torch's DNN cannot use Dice on a 2-D input (the top MLP of DIN/DIEN)."""
    try:
        DNN(6, (4,), activation="dice")(torch.randn(3, 6))
    except AssertionError:
        print("DeepCTR DNN(activation='dice') on (B, 6): AssertionError (Dice is built for 3-D input)")


def rechub_cross_bias():
    """torch-rechub CrossNetV2: x0 * W x + b + x; DCN-V2 Eq. (1) is x0 * (W x + b) + x."""
    layer = CrossNetV2(2, 1)
    torch.nn.init.zeros_(layer.w[0].weight)
    torch.nn.init.ones_(layer.b[0])
    x0 = torch.tensor([[2.0, 3.0]])
    print("rechub CrossNetV2 with W=0, b=1 on x0=[2, 3]:", layer(x0).tolist(), "| Eq. (1) gives", (x0 * 1 + x0).tolist())


def rechub_dice_statistics():
    """torch-rechub Dice: mean and variance over the neurons of one example, not over the batch per neuron."""
    torch.manual_seed(0)
    dice = RechubDice()
    x = torch.tensor([[1.0, 2.0, 3.0]])
    batch = torch.cat([x, 100 * torch.randn(7, 3)])
    print("rechub Dice: row [1, 2, 3] alone and in a batch of 8 (same: no batch statistics):",
          [round(v, 4) for v in dice(x)[0].tolist()], [round(v, 4) for v in dice(batch)[0].tolist()])


def rechub_mmoe_gate():
    """torch-rechub MMOE: every gate is Linear -> BatchNorm1d -> Softmax (the paper: softmax(W x), no bias)."""
    features = [SparseFeature("user", 5, 4)]
    model = MMOE(features, ["classification"] * 2, 3, {"dims": [4]}, [{"dims": [2]}] * 2)
    print("rechub MMOE gate:", [type(m).__name__ for m in model.gates[0].mlp])


if __name__ == "__main__":
    for repro in (rechub_din_padding, deepctr_din_padding, course_lib_din_padding, deepctr_augru_tied_bias, deepctr_dnn_dice,
                  rechub_cross_bias, rechub_dice_statistics, rechub_mmoe_gate):
        repro()
