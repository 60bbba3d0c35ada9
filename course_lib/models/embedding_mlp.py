"""The base model of the DIN paper (section 4.2) and the logistic-regression baseline.

Embedding & MLP:  v_U = pool_t e_t  (sum or mean over the real behaviours)
                  p = sigmoid(MLP([context, v_U, e_ad]))
The user vector v_U is the same whatever the candidate ad: the bottleneck DIN removes. The MLP's activation
is ReLU by default; the DIN paper's BaseModel (Fig. 2) uses PReLU, as its DIN does, so an ablation against
DIN or DIEN builds it with ``activation="prelu"`` and the pooling is the only difference.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..nn import MLP, FieldEmbedding, masked_pool


class EmbeddingMLP(nn.Module):
    def __init__(self, vocab: dict[str, int], embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 pooling: str = "sum", activation: str = "relu"):
        super().__init__()
        if pooling not in ("sum", "mean"):
            raise ValueError(f"pooling must be 'sum' or 'mean', got {pooling!r}")
        self.embed, self.pooling = FieldEmbedding(vocab, embed_dim), pooling
        n_context = len(self.embed.context_fields)
        # context, pooled (item, cat), ad (item, cat)
        self.mlp = MLP(embed_dim * (n_context + 4), hidden, activation=activation)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        e = self.embed(batch)
        user = masked_pool(e.history, e.mask, self.pooling)  # (B, 2D): one vector per user, any ad
        return self.mlp(torch.cat([e.context, user, e.ad], -1)).squeeze(-1)  # (B,)


class LogisticRegression(nn.Module):
    """p = sigmoid(b + sum of one weight per active id); the history is multi-hot (its weights summed).

    The history shares the ad's weight table, as the embeddings do: clicking item j before and being shown
    item j now add the same weight w_j (the DIN paper's LR gives behaviour ids a group of their own)."""

    def __init__(self, vocab: dict[str, int]):
        super().__init__()
        self.embed = FieldEmbedding(vocab, dim=1, init_std=0.0)
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        e = self.embed(batch)
        history = masked_pool(e.history, e.mask, "sum")  # (B, 2)
        return self.bias + e.ad.sum(-1) + history.sum(-1) + e.context.sum(-1)  # (B,)
