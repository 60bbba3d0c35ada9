"""DIEN: interest extractor (GRU + auxiliary loss) and interest evolving layer (attention + AUGRU).

Zhou et al., "Deep Interest Evolution Network for Click-Through Rate Prediction", AAAI 2019
(arXiv 1809.03672), section "Deep Interest Evolution Network" (interest extractor and evolving layers).

    e_b[t]   behaviour t: [item, cat] embedding (B, T, 2D);  e_a the candidate ad (B, 2D)
    h_t      = GRU(e_b[1..t])                                   interest extractor, Eq. (2)-(5)
    L_aux    = -mean_{i,t} [ log s(h_t, e_b[t+1]) + log(1 - s(h_t, e^_b[t+1])) ]        Eq. (6)
               s(x, y) = sigmoid(x . y); e^_b[t+1] a sampled item the user did not click at t+1
    L        = L_target + alpha * L_aux                                                Eq. (7)
    a_t      = exp(h_t W e_a) / sum_j exp(h_j W e_a)            attention over time     Eq. (8)
    h'_t     = AUGRU(h_t, h'_{t-1}, a_t)                        interest evolving, Eq. (9)-(12)
    p        = sigmoid(MLP([context, e_a, h'_T]))        (+ sum_t e_b[t] with pooled_history=True)

``gru`` picks the evolving layer: "augru" (DIEN), "agru", "aigru", or "gru" (the paper's "two-layer GRU
attention" baseline: a second plain GRU whose states are attention-pooled). ``aux_weight`` is alpha
(DIEN = "augru" with alpha > 0; the paper's GRU+AUGRU ablation is alpha = 0). Train with
``fit(model, ..., penalty=DIEN.penalty)``.

L_aux is averaged over the valid (sample, step) pairs; the paper's 1/N sum_i sum_t equals that times the
mean number of pairs per sample, which alpha absorbs. ``pooled_history=True`` adds the sum-pooled history
to the MLP input as the authors' released code does (the paper lists only h'_T, ad, profile and context).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..nn import MLP, Embedded, FieldEmbedding, masked_pool
from ..nn.augru import CELLS, attentional_gru

GRU_KINDS = ("augru", "agru", "aigru", "gru")


def masked_softmax(scores: Tensor, mask: Tensor) -> Tensor:
    """Softmax over the last axis where mask is True; exactly 0 elsewhere (and a row of 0 if none)."""
    scores = scores.masked_fill(~mask, -1e9)  # exp(-1e9 - max) underflows to exactly 0
    return torch.softmax(scores, -1) * mask


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


def sample_negatives(items: Tensor, cats: Tensor, mask: Tensor, tries: int = 8) -> tuple[Tensor, Tensor, Tensor]:
    """A not-clicked (item, cat) for every position of a history, drawn with the global torch RNG.

    items, cats, mask (B, T). Negatives come from the real behaviours of the whole batch, so frequent
    items are drawn more often (the authors draw from all clicks of the data set) and item and category
    always belong together. A draw that equals the positive item is redrawn; after ``tries`` rounds any
    position still clashing (possible only when nearly the whole batch is one item) gets id 0 and
    ok = False, so a negative NEVER equals its positive.
    Returns neg_items (B, T), neg_cats (B, T), ok (B, T) bool (False at padding too).
    """
    pool_items, pool_cats = items[mask], cats[mask]  # (M,) real behaviours of the batch
    if pool_items.numel() == 0:
        zeros = torch.zeros_like(items)
        return zeros, zeros, torch.zeros_like(mask)
    idx = torch.randint(pool_items.numel(), items.shape)  # (B, T)
    for _ in range(tries):
        clash = pool_items[idx] == items
        if not clash.any():
            break
        idx = torch.where(clash, torch.randint(pool_items.numel(), items.shape), idx)
    ok = mask & (pool_items[idx] != items)
    return pool_items[idx] * ok, pool_cats[idx] * ok, ok


class DIEN(nn.Module):
    def __init__(self, vocab: dict[str, int], embed_dim: int = 8, hidden: int | tuple[int, ...] = (200, 80),
                 gru: str = "augru", aux_weight: float = 1.0, gru_hidden: int | None = None,
                 attention: str = "bilinear", attention_hidden: int | tuple[int, ...] = (80, 40),
                 pooled_history: bool = False):
        super().__init__()
        if gru not in GRU_KINDS:
            raise ValueError(f"gru must be one of {GRU_KINDS}, got {gru!r}")
        if attention not in ("bilinear", "mlp"):
            raise ValueError(f"attention must be 'bilinear' (paper, Eq. (8)) or 'mlp' (authors' code), "
                             f"got {attention!r}")
        good, H = 2 * embed_dim, gru_hidden or 2 * embed_dim
        if aux_weight and H != good:
            raise ValueError(f"the auxiliary loss scores h_t . e_b[t+1], so gru_hidden must equal 2 * embed_dim = "
                             f"{good} (got {H}); or set aux_weight=0")
        self.gru_kind, self.aux_weight, self.attention_kind = gru, aux_weight, attention
        self.pooled_history = pooled_history
        self.embed = FieldEmbedding(vocab, embed_dim)
        self.extractor = nn.GRU(good, H, batch_first=True)  # Eq. (2)-(5); torch's GRU, same function class
        if attention == "bilinear":
            self.att_w = nn.Parameter(torch.randn(H, good) / good ** 0.5)  # W of Eq. (8)
        else:  # DIN-style unit on [q, h, q - h, q * h] with the ad projected to H, as the authors' code
            self.att_query = nn.Linear(good, H)
            self.att_mlp = MLP(4 * H, attention_hidden, activation="prelu")
        self.evolving = nn.GRU(H, H, batch_first=True) if gru == "gru" else CELLS[gru](H, H)
        n_context = len(self.embed.context_fields)
        self.mlp = MLP(n_context * embed_dim + (2 if pooled_history else 1) * good + H, hidden, activation="prelu")
        self._last_extract = None  # (batch, e, h) of the last training forward, for penalty

    def _extract(self, batch: dict[str, Tensor]):
        e = self.embed(batch)
        h, _ = self.extractor(e.history)  # (B, T, H); right padding comes after the real steps, so the
        h = h * e.mask.unsqueeze(-1)  # states at real steps are exact; those past the end are zeroed
        return e, h

    def __getstate__(self):  # copies and pickles leave the last step's cached states (a graph) behind
        return self.__dict__ | {"_last_extract": None}

    def _attention(self, h: Tensor, ad: Tensor, mask: Tensor) -> Tensor:
        if self.attention_kind == "bilinear":
            scores = bilinear_scores(h, self.att_w, ad)  # (B, T)
        else:
            B, T, H = h.shape
            q = self.att_query(ad).unsqueeze(1).expand_as(h)  # (B, T, H)
            unit = torch.cat([q, h, q - h, q * h], -1).reshape(B * T, 4 * H)  # (B*T, 4H): PReLU wants (N, C)
            scores = self.att_mlp(unit).view(B, T)  # (B, T)
        return masked_softmax(scores, mask)  # Eq. (8)

    def _evolve(self, h: Tensor, att: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """Evolving states (B, T, H) and the interest h'_T at each history's last real step (B, H)."""
        if self.gru_kind == "gru":
            states, _ = self.evolving(h)  # (B, T, H)
            final = (att.unsqueeze(-1) * states).sum(1)  # attention pooling of the second GRU's states
        else:
            states = attentional_gru(self.evolving, h, att, mask)  # (B, T, H), carried past the end
            final = states[:, -1]
        return states * mask.unsqueeze(-1), final

    def interest_states(self, batch: dict[str, Tensor], attention: Tensor | None = None) -> dict[str, Tensor]:
        """Extractor states h_t, attention a_t, evolving states h'_t (0 at padding) and the final interest.

        ``attention`` (B, T) replaces the learned a_t (e.g. equal weights for "no target", Fig. 3).
        """
        e, h = self._extract(batch)
        att = self._attention(h, e.ad, e.mask) if attention is None else attention * e.mask
        states, final = self._evolve(h, att, e.mask)
        return dict(extractor=h, attention=att, evolving=states, final=final, mask=e.mask)

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        e, h = self._extract(batch)
        self._last_extract = (batch, e, h) if self.training and self.aux_weight else None
        att = self._attention(h, e.ad, e.mask)  # (B, T)
        _, final = self._evolve(h, att, e.mask)  # (B, H)
        parts = [e.context, e.ad, final]
        if self.pooled_history:
            parts.append(masked_pool(e.history, e.mask, "sum"))  # (B, 2D)
        return self.mlp(torch.cat(parts, -1)).squeeze(-1)  # (B,)

    def auxiliary_loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Eq. (6) on one batch, with freshly sampled negatives (reproducible under torch.manual_seed)."""
        return self._auxiliary_loss(batch, *self._extract(batch))

    def _auxiliary_loss(self, batch: dict[str, Tensor], e: Embedded, h: Tensor) -> Tensor:
        neg_item, neg_cat, ok = sample_negatives(batch["hist_item"], batch["hist_cat"], e.mask)
        neg = self.embed.goods(neg_item, neg_cat, ok)  # (B, T, 2D)
        valid = e.mask[:, 1:] & ok[:, 1:]  # (B, T-1): step t+1 is real and has a negative
        return auxiliary_loss(h[:, :-1], e.history[:, 1:], neg[:, 1:], valid)

    @staticmethod
    def penalty(model: DIEN, batch: dict[str, Tensor]) -> Tensor:
        """alpha * L_aux, for ``fit(..., penalty=DIEN.penalty)`` (Eq. (7)); free when alpha = 0.

        ``fit`` calls it right after the training forward on the same batch, so it reuses that forward's
        extractor states (running the extractor GRU twice cost a quarter of a step); otherwise it computes
        them afresh."""
        if not model.aux_weight:
            return torch.zeros(())
        last, model._last_extract = model._last_extract, None  # used at most once: no graph outlives a step
        e, h = last[1:] if last is not None and last[0] is batch else model._extract(batch)
        return model.aux_weight * model._auxiliary_loss(batch, e, h)
