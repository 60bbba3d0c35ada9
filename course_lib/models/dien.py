"""DIEN: interest extractor (GRU + auxiliary loss) and interest evolving layer (attention + AUGRU).

Zhou et al., "Deep Interest Evolution Network for Click-Through Rate Prediction", AAAI 2019
(arXiv 1809.03672), section "Deep Interest Evolution Network" (interest extractor and evolving layers).

    e_b[t]   behaviour t: its goods' embeddings (B, T, G*D);  e_a the candidate ad (B, G*D)
    h_t      = GRU(e_b[1..t])                                   interest extractor, Eq. (2)-(5)
    L_aux    = -mean_{i,t} [ log s(h_t, e_b[t+1]) + log(1 - s(h_t, e^_b[t+1])) ]        Eq. (6)
               s(x, y) = sigmoid(x . y); e^_b[t+1] a sampled item the user did not click at t+1
    L        = L_target + alpha * L_aux                                                Eq. (7)
    a_t      = exp(h_t W e_a) / sum_j exp(h_j W e_a)            attention over time     Eq. (8)
    h'_t     = AUGRU(h_t, h'_{t-1}, a_t)                        interest evolving, Eq. (9)-(12)
    p        = sigmoid(MLP([context, e_a, h'_T, dense]))

``gru`` picks the evolving layer: "augru" (DIEN), "agru", "aigru", or "gru" (the paper's "two-layer GRU
attention" baseline: a second plain GRU whose states are attention-pooled). ``aux_weight`` is alpha
(DIEN = "augru" with alpha > 0; the paper's GRU+AUGRU ablation is alpha = 0). ``loss(batch, y)`` returns the
logits and Eq. (7) from one pass of the extractor: ``fit`` trains a model through its ``loss`` when it has one.

L_aux is averaged over the valid (sample, step) pairs; the paper's 1/N sum_i sum_t equals that times the
mean number of pairs per sample, which alpha absorbs. ``pooled_history=True`` adds what the authors' released
code also feeds the MLP: the sum-pooled history and its element-wise product with the ad (the paper lists
only h'_T, the ad, the profile and the context).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..data import Vocab
from ..errors import InputError
from ..nn import (MLP, AGRUCell, AIGRUCell, AUGRUCell, Embedded, FieldEmbedding, LocalActivationUnit,
                  attentional_gru, masked_pool, masked_softmax)

EVOLVING = {"augru": AUGRUCell, "agru": AGRUCell, "aigru": AIGRUCell, "gru": None}  # the gru= choices


def bilinear_scores(h: Tensor, w: Tensor, ad: Tensor) -> Tensor:
    """h (B, T, H), w (H, 2D), ad (B, 2D) -> scores h_t W e_a (B, T) (logits of Eq. (8))."""
    return torch.einsum("bth,hd,bd->bt", h, w, ad)


def auxiliary_loss(h: Tensor, pos: Tensor, neg: Tensor, mask: Tensor) -> Tensor:
    """Eq. (6): h (B, T-1, H) states h_t; pos, neg (B, T-1, H) embeddings of the next clicked / a not-clicked
    good; mask (B, T-1) True where step t+1 exists. Mean over the valid pairs (0 if there are none)."""
    s_pos = (h * pos).sum(-1)  # (B, T-1): inner product, s = sigmoid of it
    s_neg = (h * neg).sum(-1)  # (B, T-1)
    loss = -(F.logsigmoid(s_pos) + F.logsigmoid(-s_neg))  # log(1 - sigmoid(x)) = logsigmoid(-x)
    return (loss * mask).sum() / mask.sum().clamp(min=1)


def sample_negatives(goods: Tensor, mask: Tensor, tries: int = 8) -> tuple[Tensor, Tensor]:
    """A not-clicked good for every position of a history, drawn with the global torch RNG.

    goods (B, T, G): the ids of each behaviour's good fields (item first, then its category, ...); mask (B, T).
    Negatives are real behaviours of the whole batch, so frequent items are drawn more often (the authors draw
    from all clicks of the data set) and an item and its category always come together. A draw whose item equals
    the positive item is redrawn; after ``tries`` rounds any position still clashing (possible only when nearly
    the whole batch is one item) gets ids 0 and ok = False, so a negative NEVER equals its positive.
    Returns the negatives (B, T, G) and ok (B, T), False at padding too.
    """
    pool = goods[mask]  # (M, G) the real behaviours of the batch
    if len(pool) == 0:
        return torch.zeros_like(goods), torch.zeros_like(mask)
    items = goods[..., 0]  # (B, T)
    idx = torch.randint(len(pool), items.shape)  # (B, T)
    for _ in range(tries):
        clash = pool[idx, 0] == items
        if not clash.any():
            break
        idx = torch.where(clash, torch.randint(len(pool), items.shape), idx)
    ok = mask & (pool[idx, 0] != items)
    return pool[idx] * ok.unsqueeze(-1), ok


class DIEN(nn.Module):
    def __init__(self, vocab: Vocab, embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 gru: str = "augru", aux_weight: float = 1.0, gru_hidden: int | None = None,
                 attention: str = "bilinear", attention_hidden: int | tuple[int, ...] = (80, 40),
                 pooled_history: bool = False):
        super().__init__()
        if gru not in EVOLVING:
            raise InputError(f"gru must be one of {tuple(EVOLVING)}, got {gru!r}")
        if attention not in ("bilinear", "mlp"):
            raise InputError(f"attention must be 'bilinear' (paper, Eq. (8)) or 'mlp' (authors' code), "
                             f"got {attention!r}")
        self.gru_kind, self.aux_weight, self.attention_kind = gru, aux_weight, attention
        self.pooled_history = pooled_history
        self.embed = FieldEmbedding(vocab, embed_dim)
        self.embed.vocab.require_history("DIEN")
        good = embed_dim * len(self.embed.vocab.goods)
        H = gru_hidden or good
        if aux_weight and H != good:
            raise InputError(f"the auxiliary loss scores h_t . e_b[t+1], so gru_hidden must equal the width of a good "
                             f"({good}) (got {H}); or set aux_weight=0")
        self.extractor = nn.GRU(good, H, batch_first=True)  # Eq. (2)-(5); torch's GRU, same function class
        if attention == "bilinear":
            self.att_w = nn.Parameter(torch.randn(H, good) / good ** 0.5)  # W of Eq. (8)
        else:  # DIN's activation unit on [q, h, q - h, q * h] with the ad projected to H, as the authors' code
            self.att_query = nn.Linear(good, H)
            self.att_unit = LocalActivationUnit(H, attention_hidden, "prelu")
        self.evolving = nn.GRU(H, H, batch_first=True) if gru == "gru" else EVOLVING[gru](H, H)
        vocab = self.embed.vocab
        in_dim = embed_dim * len(vocab.context) + good + H + len(vocab.dense) + (2 * good if pooled_history else 0)
        self.mlp = MLP(in_dim, hidden, activation="prelu")  # [context, e_a, h'_T, dense (, history terms)]

    def extract(self, batch: dict[str, Tensor]) -> tuple[Embedded, Tensor]:
        """The embedded batch and the interest extractor's states h (B, T, H), 0 past each history's end."""
        e = self.embed(batch)
        h, _ = self.extractor(e.history)  # (B, T, H); right padding comes after the real steps, so the
        return e, h * e.mask.unsqueeze(-1)  # states at real steps are exact; those past the end are zeroed

    def attention(self, h: Tensor, ad: Tensor, mask: Tensor) -> Tensor:
        """a_t (B, T): a masked softmax over time of each state's score against the ad (Eq. (8))."""
        if self.attention_kind == "bilinear":
            scores = bilinear_scores(h, self.att_w, ad)  # (B, T)
        else:
            B, T, H = h.shape
            q = self.att_query(ad).unsqueeze(1).expand_as(h)  # (B, T, H)
            scores = self.att_unit(q.reshape(B * T, H), h.reshape(B * T, H)).view(B, T)  # (B, T)
        return masked_softmax(scores, mask)  # Eq. (8)

    def evolve(self, h: Tensor, att: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """Evolving states (B, T, H), 0 at padding, and the interest h'_T at each history's last real step (B, H)."""
        if self.gru_kind == "gru":
            states, _ = self.evolving(h)  # (B, T, H)
            final = (att.unsqueeze(-1) * states).sum(1)  # attention pooling of the second GRU's states
        else:
            states = attentional_gru(self.evolving, h, att, mask)  # (B, T, H), carried past the end
            final = states[:, -1]
        return states * mask.unsqueeze(-1), final

    def _mlp_input(self, e: Embedded, h: Tensor) -> Tensor:
        _, final = self.evolve(h, self.attention(h, e.ad, e.mask), e.mask)  # (B, H)
        parts = [e.context, e.ad, final, e.dense]
        if self.pooled_history:
            pooled = masked_pool(e.history, e.mask, "sum")  # (B, G*D)
            parts += [pooled, e.ad * pooled]
        return torch.cat(parts, -1)

    def mlp_input(self, batch: dict[str, Tensor]) -> Tensor:
        """[context, e_a, h'_T, dense] (and the released code's history terms with pooled_history=True)."""
        return self._mlp_input(*self.extract(batch))

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.embed.vocab.check(batch)  # a wrong batch gets a clear error here, not deep inside torch
        return self.mlp(self.mlp_input(batch)).squeeze(-1)  # (B,)

    def loss(self, batch: dict[str, Tensor], y: Tensor) -> tuple[Tensor, Tensor]:
        """The logits (B,) and Eq. (7), L_target + alpha * L_aux, from one pass of the interest extractor."""
        self.embed.vocab.check(batch)
        e, h = self.extract(batch)
        logits = self.mlp(self._mlp_input(e, h)).squeeze(-1)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        if self.aux_weight:
            loss = loss + self.aux_weight * self._auxiliary_loss(batch, e, h)
        return logits, loss

    def auxiliary_loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Eq. (6) on one batch, with freshly sampled negatives (reproducible under torch.manual_seed)."""
        self.embed.vocab.check(batch)
        return self._auxiliary_loss(batch, *self.extract(batch))

    def _auxiliary_loss(self, batch: dict[str, Tensor], e: Embedded, h: Tensor) -> Tensor:
        sequences = list(self.embed.vocab.sequences)  # the behaviours' goods: item, category
        negatives, ok = sample_negatives(torch.stack([batch[s] for s in sequences], -1), e.mask)  # (B, T, G)
        neg = self.embed.history(dict(zip(sequences, negatives.unbind(-1))), ok)  # (B, T, G*D)
        valid = e.mask[:, 1:] & ok[:, 1:]  # (B, T-1): step t+1 is real and has a negative
        return auxiliary_loss(h[:, :-1], e.history[:, 1:], neg[:, 1:], valid)

    def interest_states(self, batch: dict[str, Tensor], attention: Tensor | None = None) -> dict[str, Tensor]:
        """Extractor states h_t, attention a_t, evolving states h'_t (0 at padding) and the final interest.

        ``attention`` (B, T) replaces the learned a_t (e.g. equal weights for "no target", Fig. 3)."""
        self.embed.vocab.check(batch)
        e, h = self.extract(batch)
        att = self.attention(h, e.ad, e.mask) if attention is None else attention * e.mask
        states, final = self.evolve(h, att, e.mask)
        return dict(extractor=h, attention=att, evolving=states, final=final, mask=e.mask)
