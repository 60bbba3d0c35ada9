"""Entire Space Multi-task Model (ESMM).

Ma, Zhao, Huang, Wang, Hu, Zhu, Gai, "Entire Space Multi-Task Model: An Effective Approach for Estimating
Post-Click Conversion Rate", SIGIR 2018 (arXiv 1804.07931). Impression x, click y, conversion z:

    (1) pCTCVR = p(y=1, z=1 | x) = p(y=1 | x) * p(z=1 | y=1, x) = pCTR * pCVR
    (3) L(theta_cvr, theta_ctr) = sum_i l(y_i, f(x_i; theta_ctr))
                                + sum_i l(y_i & z_i, f(x_i; theta_ctr) * f(x_i; theta_cvr))

Both sums run over ALL N impressions (the entire space), l is the cross-entropy, and there is no loss on
pCVR itself: the CVR tower learns through the product. The two towers are the base Embedding & MLP model
(Section 2.3) over one SHARED embedding table, so the rare conversion task reads embeddings that the
plentiful click task trains (the paper's answer to data sparsity).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..data import Vocab
from ..nn import MLP, FieldEmbedding, masked_pool
from ..nn.embedding import check_pooling


def ctcvr_logit(ctr_logit: Tensor, cvr_logit: Tensor) -> Tensor:
    """The logit of pCTCVR = pCTR * pCVR (Eq. 1), from the two towers' logits (B,), computed in log space:
    the product of two small probabilities must not underflow before its logarithm is taken."""
    log_p = F.logsigmoid(ctr_logit) + F.logsigmoid(cvr_logit)  # log pCTCVR = log pCTR + log pCVR
    return log_p - torch.log(-torch.expm1(log_p).clamp(max=-1e-12))  # log p - log(1 - p), kept finite at p = 1


def esmm_loss(ctr_logit: Tensor, cvr_logit: Tensor, click: Tensor, conversion: Tensor) -> Tensor:
    """Eq. (3), each sum divided by the batch size: BCE(pCTR, y) + BCE(pCTR * pCVR, y AND z). Logits (B,)."""
    ctcvr = click * conversion  # y & z: a conversion counts only after a click
    return (F.binary_cross_entropy_with_logits(ctr_logit, click)
            + F.binary_cross_entropy_with_logits(ctcvr_logit(ctr_logit, cvr_logit), ctcvr))


class ESMM(nn.Module):
    """A CTR tower and a CVR tower over a shared embedding; forward(batch) -> (B, 2) logits of [pCTR, pCTCVR].

    The outputs match the labels ``("click", "conversion")`` of ShopSim's post-click mode, so ``fit``,
    ``evaluate`` and ``predict`` work as for any two-task model (``fit`` trains through ``loss``);
    ``cvr(batch)`` gives pCVR, the probability the paper is after, for every impression.
    """

    def __init__(self, vocab: Vocab, embed_dim: int = 8, hidden: int | tuple[int, ...] = (64, 32),
                 pooling: str = "sum"):
        super().__init__()
        self.pooling = check_pooling(pooling)
        self.embed = FieldEmbedding(vocab, embed_dim)  # shared by both towers
        self.ctr_tower = MLP(self.embed.width(), hidden)
        self.cvr_tower = MLP(self.embed.width(), hidden)

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """x (B, input_dim): [context, pooled history, ad, dense], as in the Embedding & MLP base model."""
        self.embed.vocab.check(batch)
        e = self.embed(batch)
        return torch.cat([e.context, masked_pool(e.history, e.mask, self.pooling), e.ad, e.dense], -1)

    def tower_logits(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """The logits of pCTR and pCVR, (B,) each."""
        x = self.mlp_input(batch)
        return self.ctr_tower(x).squeeze(-1), self.cvr_tower(x).squeeze(-1)

    def cvr(self, batch: dict[str, Tensor]) -> Tensor:
        """pCVR = p(z=1 | y=1, x) for every impression of the batch, clicked or not: (B,)."""
        return torch.sigmoid(self.tower_logits(batch)[1])

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        a, b = self.tower_logits(batch)
        return torch.stack([a, ctcvr_logit(a, b)], -1)  # (B, 2): pCTR, pCTCVR = pCTR * pCVR

    def loss(self, batch: dict[str, Tensor], y: Tensor) -> tuple[Tensor, Tensor]:
        """(logits (B, 2), Eq. (3)) for y (B, 2) = [click, conversion]; ``fit`` trains through it."""
        a, b = self.tower_logits(batch)
        return torch.stack([a, ctcvr_logit(a, b)], -1), esmm_loss(a, b, y[:, 0], y[:, 1])
