"""The base model of the DIN paper (section 4.2) and the logistic-regression baseline.

Embedding & MLP:  v_U = pool_t e_t  (sum or mean over the real behaviours)
                  p = sigmoid(MLP([context, v_U, e_ad, dense]))
The user vector v_U is the same whatever the candidate ad: the bottleneck DIN removes. The MLP's activation
is ReLU by default; the DIN paper's BaseModel (Fig. 2) uses PReLU, as its DIN does, so an ablation against
DIN or DIEN builds it with ``activation="prelu"`` and the pooling is the only difference. Any dataset works:
without behaviours the pooled vector and the ad are empty, and the model is an MLP over the embedded fields.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..data import Vocab
from ..nn import MLP, FieldEmbedding, masked_pool
from ..nn.embedding import check_pooling


class EmbeddingMLP(nn.Module):
    def __init__(self, vocab: Vocab, embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 pooling: str = "sum", activation: str = "relu"):
        super().__init__()
        self.pooling = check_pooling(pooling)
        self.embed = FieldEmbedding(vocab, embed_dim)
        self.mlp = MLP(self.embed.width(), hidden, activation=activation)

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """[context, v_U, e_ad, dense] (B, F*D + 2GD + N): v_U is one vector per user, whatever the ad."""
        e = self.embed(batch)
        user = masked_pool(e.history, e.mask, self.pooling)  # (B, G*D)
        return torch.cat([e.context, user, e.ad, e.dense], -1)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)  # a wrong batch gets a clear error here, not deep inside torch
        return self.mlp(self.mlp_input(batch)).squeeze(-1)  # (B,)


class LogisticRegression(nn.Module):
    """p = sigmoid(b + sum of one weight per active id + w . dense); the history is multi-hot (weights summed).

    The history shares the ad's weight table, as the embeddings do: clicking item j before and being shown
    item j now add the same weight w_j (the DIN paper's LR gives behaviour ids a group of their own)."""

    def __init__(self, vocab: Vocab):
        super().__init__()
        self.embed = FieldEmbedding(vocab, dim=1, init_std=0.0)
        self.bias = nn.Parameter(torch.zeros(()))
        self.dense = nn.Linear(len(self.embed.vocab.dense), 1, bias=False) if self.embed.vocab.dense else None

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)
        e = self.embed(batch)
        history = masked_pool(e.history, e.mask, "sum")  # (B, G)
        logit = self.bias + e.ad.sum(-1) + history.sum(-1) + e.context.sum(-1)  # (B,)
        return logit if self.dense is None else logit + self.dense(e.dense).squeeze(-1)
