"""Deep & Cross Network on ShopSim's fields: DCN (Wang et al., ADKDD 2017, arXiv 1708.05123, section 2) and
DCN-V2 (Wang et al., WWW 2021, arXiv 2008.13535, section 3: stacked and parallel structures).

Input x_0 (B, d), d = (F + 4) D: the field embeddings side by side, in the order of ``DCN.fields``

    [ context fields (user, age, gender, pos, device: vocab order) | item | cat | hist_item | hist_cat ]
      each field one block of D columns; hist_* = the masked pool of the behaviour embeddings.

    parallel:  logit = w^T [x_L ; h] + b,  h = ReLULayers(x_0)   (side by side; DCN section 2.4, Eq. 5)
    stacked:   logit = MLP(x_L)                                (the deep network on top of the cross network)

where x_L = CrossNet(x_0) (course_lib.nn.cross) and h is the deep network's last hidden layer, so the parallel
structure needs at least one hidden layer; the stacked one accepts ``hidden=()`` (x_L -> logit).
``cross_weight_blocks`` maps the first cross layer's W back to field pairs (DCN-V2 Fig. 6).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..nn import MLP, CrossNet, FieldEmbedding, masked_pool
from ..nn.mlp import ReLULayers, as_sizes


class DCN(nn.Module):
    def __init__(self, vocab: dict[str, int], embed_dim: int = 8, cross_layers: int = 3,
                 hidden: int | tuple[int, ...] = (200, 80), version: str = "v2", structure: str = "parallel",
                 rank: int | None = None, pooling: str = "sum"):
        super().__init__()
        if structure not in ("parallel", "stacked"):
            raise ValueError(f"structure must be 'parallel' or 'stacked', got {structure!r}")
        if pooling not in ("sum", "mean"):
            raise ValueError(f"pooling must be 'sum' or 'mean', got {pooling!r}")
        if structure == "parallel" and not as_sizes(hidden):
            raise ValueError("the parallel structure needs a deep network beside the cross network: give hidden "
                             "at least one layer size, for example (200, 80)")
        self.embed, self.structure, self.pooling = FieldEmbedding(vocab, embed_dim), structure, pooling
        self.fields = [*self.embed.context_fields, "item", "cat", "hist_item", "hist_cat"]
        d = embed_dim * len(self.fields)
        self.cross = CrossNet(d, cross_layers, version, rank)
        if structure == "parallel":
            self.deep = ReLULayers(d, hidden)  # x_0 -> h
            self.logit = nn.Linear(d + self.deep.out_dim, 1)  # w, b on [x_L ; h]
        else:
            self.deep = MLP(d, hidden)  # x_L -> logit

    def field_slices(self) -> dict[str, slice]:
        """Columns of x_0 (and rows / columns of every cross weight) that belong to each field."""
        D = self.embed.dim
        return {f: slice(i * D, (i + 1) * D) for i, f in enumerate(self.fields)}

    def inputs(self, batch: dict[str, Tensor]) -> Tensor:
        """x_0 (B, d): the field embeddings concatenated in the order of ``self.fields``."""
        e = self.embed(batch)
        history = masked_pool(e.history, e.mask, self.pooling)  # (B, 2D): pooled hist_item, hist_cat
        return torch.cat([e.context, e.ad, history], -1)  # (B, (F + 4) D)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        x0 = self.inputs(batch)
        xL = self.cross(x0)  # (B, d)
        if self.structure == "stacked":
            return self.deep(xL).squeeze(-1)  # (B,)
        return self.logit(torch.cat([xL, self.deep(x0)], -1)).squeeze(-1)  # (B,)

    @torch.no_grad()
    def cross_weight_blocks(self, layer: int = 0) -> tuple[list[str], Tensor]:
        """Field names and the (n, n) Frobenius norms of W's D x D blocks: entry (i, j) = how strongly
        field j (in x_l) is crossed into field i (in x_0), as in DCN-V2 Fig. 6."""
        W, slices = self.cross.weight(layer), list(self.field_slices().values())
        norms = torch.tensor([[W[r, c].norm().item() for c in slices] for r in slices])  # (n, n)
        return list(self.fields), norms
