"""Deep & Cross Network on any dataset's fields: DCN (Wang et al., ADKDD 2017, arXiv 1708.05123, section 2) and
DCN-V2 (Wang et al., WWW 2021, arXiv 2008.13535, section 3: stacked and parallel structures).

Input x_0 (B, d): the fields side by side, in the order of ``DCN.fields`` (the embedding and stacking layer)

    [ context fields (ShopSim: user, age, gender, pos, device) | the ad's goods (item, cat) |
      the pooled sequences (hist_item, hist_cat) | the dense fields (Criteo: I1..I13), one column each ]
      each categorical field one block of D columns; a sequence is the masked pool of its embeddings.

    parallel:  logit = w^T [x_L ; h] + b,  h = ReLULayers(x_0)   (side by side; DCN section 2.4, Eq. 5)
    stacked:   logit = MLP(x_L)                                (the deep network on top of the cross network)

where x_L = CrossNet(x_0) (course_lib.nn.cross) and h is the deep network's last hidden layer, so the parallel
structure needs at least one hidden layer; the stacked one accepts ``hidden=()`` (x_L -> logit).
``cross_weight_blocks`` maps the first cross layer's W back to field pairs (DCN-V2 Fig. 6).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..data import Vocab
from ..errors import InputError
from ..nn import MLP, CrossNet, FieldEmbedding, ReLULayers, masked_pool
from ..nn.embedding import check_pooling
from ..nn.mlp import as_sizes


class DCN(nn.Module):
    def __init__(self, vocab: Vocab, embed_dim: int = 8, cross_layers: int = 3,
                 hidden: int | tuple[int, ...] = (200, 80), version: str = "v2", structure: str = "parallel",
                 rank: int | None = None, pooling: str = "sum"):
        super().__init__()
        if structure not in ("parallel", "stacked"):
            raise InputError(f"structure must be 'parallel' or 'stacked', got {structure!r}")
        if structure == "parallel" and not as_sizes(hidden):
            raise InputError("the parallel structure needs a deep network beside the cross network: give hidden "
                             "at least one layer size, for example (200, 80)")
        self.structure, self.pooling = structure, check_pooling(pooling)
        self.embed = FieldEmbedding(vocab, embed_dim)
        vocab = self.embed.vocab
        self.fields = [*vocab.context, *vocab.goods, *vocab.sequences, *vocab.dense]
        d = self.embed.width()
        self.cross = CrossNet(d, cross_layers, version, rank)
        if structure == "parallel":
            self.deep = ReLULayers(d, hidden)  # x_0 -> h
            self.logit = nn.Linear(d + self.deep.out_dim, 1)  # w, b on [x_L ; h]
        else:
            self.deep = MLP(d, hidden)  # x_L -> logit

    def field_slices(self) -> dict[str, slice]:
        """Columns of x_0 (and rows / columns of every cross weight) that belong to each field: D for a
        categorical field or a sequence, 1 for a dense field."""
        widths = [1 if f in self.embed.vocab.dense else self.embed.dim for f in self.fields]
        ends = torch.tensor(widths).cumsum(0).tolist()
        return {f: slice(end - w, end) for f, w, end in zip(self.fields, widths, ends)}

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """x_0 (B, d): the fields side by side in the order of ``self.fields``; the cross network and the deep
        network both read it."""
        e = self.embed(batch)
        history = masked_pool(e.history, e.mask, self.pooling)  # (B, G*D): the pooled sequences
        return torch.cat([e.context, e.ad, history, e.dense], -1)  # (B, d)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)  # a wrong batch gets a clear error here, not deep inside torch
        x0 = self.mlp_input(batch)
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
