"""Deep Interest Network (Zhou et al., "Deep Interest Network for Click-Through Rate Prediction", KDD 2018).

The base model (section 4.2) pools the behaviours into one user vector, the same for every ad. DIN
(section 4.3) pools them with weights that depend on the candidate ad:

    v_U(A) = sum_j a(e_j, v_A) e_j                                            Eq. (3)
    p = sigmoid(MLP([context, v_U(A), v_A, dense]))

``normalize="none"`` is the paper (weights not normalized: intensity of an interest survives),
``"softmax"`` the authors' released code. ``activation`` ("dice" or "prelu", section 5.2) is used in the
activation unit and the MLP, as in the paper's Fig. 2. Dice keeps moving averages: call ``model.eval()``
before predicting or reading ``attention_weights``.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..data import Vocab
from ..errors import InputError
from ..nn import MLP, FieldEmbedding, LocalActivationUnit, attention_pool
from ..nn.attention import check_normalize


class DIN(nn.Module):
    def __init__(self, vocab: Vocab, embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 attention_hidden: int | tuple[int, ...] = (80, 40), activation: str = "dice",
                 normalize: str = "none"):
        super().__init__()
        if activation not in ("dice", "prelu"):
            raise InputError(f"activation must be 'dice' or 'prelu' (DIN section 5.2), got {activation!r}")
        self.normalize = check_normalize(normalize)
        self.embed = FieldEmbedding(vocab, embed_dim)
        self.embed.vocab.require_history("DIN")
        good = embed_dim * len(self.embed.vocab.goods)  # a good (ad or behaviour) is G*D wide
        self.attention = LocalActivationUnit(good, attention_hidden, activation)
        self.mlp = MLP(self.embed.width(), hidden, activation=activation)

    def _attend(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        e = self.embed(batch)
        user, weights = attention_pool(e.ad, e.history, e.mask, self.attention, self.normalize)  # Eq. (3)
        return torch.cat([e.context, user, e.ad, e.dense], -1), weights  # (B, F*D + 2GD + N), (B, T)

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """[context, v_U(A), v_A, dense]: the user vector now depends on the candidate ad."""
        return self._attend(batch)[0]

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)  # a wrong batch gets a clear error here, not deep inside torch
        return self.mlp(self.mlp_input(batch)).squeeze(-1)  # (B,)

    def attention_weights(self, batch: dict[str, Tensor]) -> Tensor:
        """a(e_j, v_A) for every behaviour (B, T), after softmax if ``normalize="softmax"``; 0 at padding."""
        self.embed.vocab.check(batch)
        return self._attend(batch)[1]
