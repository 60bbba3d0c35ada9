"""Deep Interest Network (Zhou et al., "Deep Interest Network for Click-Through Rate Prediction", KDD 2018).

The base model (section 4.2) pools the behaviours into one user vector, the same for every ad. DIN
(section 4.3) pools them with weights that depend on the candidate ad:

    v_U(A) = sum_j a(e_j, v_A) e_j                                            Eq. (3)
    p = sigmoid(MLP([context, v_U(A), v_A]))

``normalize="none"`` is the paper (weights not normalized: intensity of an interest survives),
``"softmax"`` the authors' released code. ``activation`` ("dice" or "prelu", section 5.2) is used in the
activation unit and the MLP, as in the paper's Fig. 2. Dice keeps moving averages: call ``model.eval()``
before predicting or reading ``attention_weights``.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..nn import MLP, FieldEmbedding, LocalActivationUnit, attention_pool


class DIN(nn.Module):
    def __init__(self, vocab: dict[str, int], embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 attention_hidden: int | tuple[int, ...] = (80, 40), activation: str = "dice",
                 normalize: str = "none"):
        super().__init__()
        if activation not in ("dice", "prelu"):
            raise ValueError(f"activation must be 'dice' or 'prelu', got {activation!r}")
        if normalize not in ("none", "softmax"):
            raise ValueError(f"normalize must be 'none' (paper) or 'softmax' (authors' code), got {normalize!r}")
        self.normalize = normalize
        self.embed = FieldEmbedding(vocab, embed_dim)
        self.attention = LocalActivationUnit(2 * embed_dim, attention_hidden, activation)  # a good is 2D wide
        n_context = len(self.embed.context_fields)
        self.mlp = MLP(embed_dim * (n_context + 4), hidden, activation=activation)  # context, v_U (2D), v_A (2D)

    def pool(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """The MLP's input [context, v_U(A), v_A] (B, F*D + 4D) and the weights (B, T) that built v_U(A)."""
        e = self.embed(batch)
        user, weights = attention_pool(e.ad, e.history, e.mask, self.attention, self.normalize)  # Eq. (3)
        return torch.cat([e.context, user, e.ad], -1), weights  # (B, F*D + 4D), (B, T)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        features, _ = self.pool(batch)
        return self.mlp(features).squeeze(-1)  # (B,)

    def attention_weights(self, batch: dict[str, Tensor]) -> Tensor:
        """a(e_j, v_A) for every behaviour (B, T), after softmax if ``normalize="softmax"``; 0 at padding."""
        return self.pool(batch)[1]
