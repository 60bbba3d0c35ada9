"""Adapter for the floor: course_lib's DCN and MMoE rewritten for speed alone, the shortest training step we
could write, to see what model code can gain in the shared loop (docs/benchmarks.md, "Speed studies
(benchmarks/perf/)", "How far model code alone can go").

    python -m benchmarks.perf.step_phases --models DCN,MMoE --libraries floor,course_lib,deepctr,rechub

A floor model is built from the course_lib model of the same settings and seed, and copies its weights, so
its forward pass is the same function (tests/test_bench_smoke.py compares logits and gradients). The one
difference in training: row 0 of an impression field's block gets gradients (course_lib's ``padding_idx``
keeps it at zero), which ShopSim never exercises, since its impressions have no id 0. It does less work:
* one embedding table for every field, its rows at per-field offsets: one gather for an impression's
  fields and one for both histories, and one tensor for Adam, where course_lib keeps a table per field;
* no checks of the input (course_lib's ``FieldEmbedding.validate``);
* DCN's cross layers add the bias inside the matrix product (``F.linear``) and the residual inside the
  element-wise product (``torch.addcmul``).
It is not for teaching: no field owns a table a learner could look at, and an id beyond its field's
vocabulary silently reads another field's rows.
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmarks import course
from benchmarks.settings import Settings
from course_lib.data import CTRData
from course_lib.models import DCN, MultiTaskCTR
from course_lib.data import history_mask
from course_lib.nn import FieldEmbedding

LIBRARY = "floor"
OUTPUT = "logits"


class FusedFields(nn.Module):
    """A FieldEmbedding's tables stacked into one. forward -> (fields, pooled): the impression's fields
    (B, (n + 2) D) in the order n context fields, item, cat; the masked sums of hist_item and hist_cat (B, 2D)."""

    def __init__(self, embed: FieldEmbedding):
        super().__init__()
        self.fields = [*embed.vocab.context, *embed.vocab.goods]
        sizes = torch.tensor([embed.vocab[f] for f in self.fields])
        self.register_buffer("first_row", sizes.cumsum(0) - sizes)  # of each field's block in the table
        self.table = nn.Parameter(torch.cat([embed.tables[f].weight.detach() for f in self.fields]))

    def forward(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        B = len(batch["item"])
        ids = torch.stack([batch[f] for f in self.fields], 1) + self.first_row  # (B, n + 2)
        goods = torch.stack([batch["hist_item"], batch["hist_cat"]], -1) + self.first_row[-2:]  # (B, T, 2)
        real = history_mask(batch["hist_len"], goods.shape[1])  # (B, T)
        pooled = (self.table[goods] * real[..., None, None]).sum(1)  # (B, 2, D)
        return self.table[ids].view(B, -1), pooled.view(B, -1)


class FloorDCN(nn.Module):
    """A parallel, full-rank DCN-V2 with sum pooling (the benchmark's), with ``dcn``'s weights."""

    def __init__(self, dcn: DCN):
        super().__init__()
        if (dcn.structure, dcn.cross.version, dcn.cross.rank, dcn.pooling) != ("parallel", "v2", None, "sum"):
            raise ValueError("the floor DCN is the benchmark's: parallel, version 'v2', full rank, sum pooling")
        self.fields = FusedFields(dcn.embed)
        self.W, self.b = (nn.Parameter(p.detach().clone()) for p in (dcn.cross.W, dcn.cross.b))
        self.deep, self.logit = copy.deepcopy(dcn.deep), copy.deepcopy(dcn.logit)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        x0 = xl = torch.cat(self.fields(batch), -1)  # (B, d): context, item, cat, pooled histories
        for W, b in zip(self.W, self.b):
            xl = torch.addcmul(xl, x0, F.linear(xl, W, b))  # x_l + x_0 * (W x_l + b)
        return self.logit(torch.cat([xl, self.deep(x0)], -1)).squeeze(-1)


class FloorMultiTask(nn.Module):
    """``MultiTaskCTR`` (sum pooling) with its embeddings fused; the experts, gates and towers are its own."""

    def __init__(self, model: MultiTaskCTR):
        super().__init__()
        if model.pooling != "sum" or model.n_tasks == 1:
            raise ValueError("the floor multi-task model is the benchmark's: several tasks, sum pooling")
        self.fields, self.core = FusedFields(model.embed), copy.deepcopy(model.core)
        self.context_width = model.embed.dim * len(model.embed.vocab.context)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        fields, pooled = self.fields(batch)
        c = self.context_width
        return self.core(torch.cat([fields[:, :c], pooled, fields[:, c:]], -1))  # context, user, ad: (B, K)


def build(model: str, data: CTRData, s: Settings) -> nn.Module:
    net = course.build(model, data, s)  # the same initial weights as course_lib's model
    if model == "DCN":
        return FloorDCN(net)
    if model == "MMoE":
        return FloorMultiTask(net)
    raise ValueError(f"the floor covers DCN and MMoE, not {model!r}")


inputs = course.inputs


def forward(net: nn.Module, x: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    return net(x), torch.zeros(())
