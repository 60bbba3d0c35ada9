"""DIEN and its attentional GRUs (course_lib/nn/augru.py, course_lib/models/dien.py)."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from course_lib.data import ShopSim
from course_lib.models.dien import EVOLVING, DIEN, auxiliary_loss, bilinear_scores, sample_negatives
from course_lib.nn import masked_softmax

GRU_KINDS = tuple(EVOLVING)
from course_lib.nn.augru import AGRUCell, AIGRUCell, AUGRUCell, attentional_gru, gru_step

I, H = 5, 4


@pytest.fixture(scope="module")
def data():
    return ShopSim(seed=1, n_users=100, n_items=60, n_categories=6, max_len=8).generate(64)


def cell_inputs(B=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(B, I, generator=g), torch.randn(B, H, generator=g)


@pytest.mark.parametrize("Cell", [AGRUCell, AUGRUCell])
def test_zero_attention_keeps_the_state_exactly(Cell):
    torch.manual_seed(0)
    cell, (x, h) = Cell(I, H), cell_inputs()
    assert torch.equal(cell(x, h, torch.zeros(3)), h)


def test_augru_with_full_attention_is_torch_gru_cell():
    """a = 1 gives the paper's GRU, Eq. (2)-(5). torch.nn.GRUCell differs only in parametrization: its z gates
    the OLD state (z = 1 - u, so the u rows are negated), its gate order is (r, z, n), and its b_hn sits
    inside the reset product (set to 0; the paper's b^h is torch's b_in)."""
    torch.manual_seed(0)
    ours, ref = AUGRUCell(I, H), torch.nn.GRUCell(I, H)
    u, r, n = (slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H))
    with torch.no_grad():
        ref.weight_ih.copy_(torch.cat([ours.weight_ih[r], -ours.weight_ih[u], ours.weight_ih[n]]))
        ref.weight_hh.copy_(torch.cat([ours.weight_hh[r], -ours.weight_hh[u], ours.weight_hh[n]]))
        ref.bias_ih.copy_(torch.cat([ours.bias[r], -ours.bias[u], ours.bias[n]]))
        ref.bias_hh.zero_()
    x, h = cell_inputs(B=4)
    assert_close(ours(x, h, torch.ones(4)), ref(x, h))


def gates_by_hand(cell, x, h):
    """Eq. (2)-(4) from a cell's parameters, in its gate order: (u, r, h~), or (r, h~) for AGRU (no u)."""
    W, U, b = cell.weight_ih, cell.weight_hh, cell.bias
    *sigmoid_gates, cand = (slice(k * H, (k + 1) * H) for k in range(cell.gates))
    gates = [torch.sigmoid(x @ W[g].T + h @ U[g].T + b[g]) for g in sigmoid_gates]
    r = gates[-1]
    return (*gates, torch.tanh(x @ W[cand].T + r * (h @ U[cand].T) + b[cand]))


def test_agru_interpolates_with_the_attention_score():
    """Eq. (10) worked from the gates: h' = (1 - a) h + a tanh(W^h x + r o U^h h + b^h)."""
    torch.manual_seed(0)
    cell, (x, h) = AGRUCell(I, H), cell_inputs()
    a = torch.tensor([0.25, 0.5, 1.0])
    _, cand = gates_by_hand(cell, x, h)
    assert_close(cell(x, h, a), (1 - a[:, None]) * h + a[:, None] * cand)


def test_augru_scales_the_update_gate_by_the_attention_score():
    """Eq. (11)-(12) worked from the gates, at scores strictly between 0 and 1."""
    torch.manual_seed(0)
    cell, (x, h) = AUGRUCell(I, H), cell_inputs()
    a = torch.tensor([0.1, 0.5, 0.9])
    u, _, cand = gates_by_hand(cell, x, h)
    u_att = a[:, None] * u
    assert_close(cell(x, h, a), (1 - u_att) * h + u_att * cand)


@pytest.mark.parametrize("Cell", [AIGRUCell, AGRUCell, AUGRUCell])
def test_attention_of_the_wrong_shape_is_a_clear_error(Cell):
    cell, (x, h) = Cell(I, H), cell_inputs()
    with pytest.raises(ValueError, match=r"att must hold one score per row, shape \(3,\); got \(3, 1\)"):
        cell(x, h, torch.ones(3, 1))
    with pytest.raises(ValueError, match=r"att and mask must be \(B, T\) = \(3, 4\)"):
        attentional_gru(cell, torch.randn(3, 4, I), torch.ones(3, 4, 1), torch.ones(3, 4, dtype=torch.bool))


def test_aigru_with_zero_attention_feeds_zeros():
    torch.manual_seed(0)
    cell, (x, h) = AIGRUCell(I, H), cell_inputs()
    assert_close(cell(x, h, torch.zeros(3)), cell(torch.zeros_like(x), h, torch.ones(3)))
    assert_close(cell(x, h, torch.zeros(3)), gru_step(cell.bias.expand(3, -1), h, cell.weight_hh))
    assert not torch.allclose(cell(x, h, torch.zeros(3)), h)  # unlike AGRU/AUGRU the state still moves


@pytest.mark.parametrize("Cell,gates", [(AIGRUCell, 3), (AGRUCell, 2), (AUGRUCell, 3)])
def test_parameter_counts_and_no_tied_biases(Cell, gates):
    cell = Cell(I, H)
    params = list(cell.parameters())
    assert sum(p.numel() for p in params) == gates * H * (I + H + 1)  # W, U and one bias per gate
    assert len({p.data_ptr() for p in params}) == len(params) == 3  # three separate tensors, none shared


@pytest.mark.parametrize("Cell", [AIGRUCell, AGRUCell, AUGRUCell])
def test_hoisted_sequence_equals_the_step_by_step_cell_and_ignores_padding(Cell):
    torch.manual_seed(0)
    cell = Cell(I, H)
    B, T = 3, 6
    x, att = torch.randn(B, T, I), torch.rand(B, T)
    lengths = torch.tensor([6, 3, 1])
    mask = torch.arange(T) < lengths[:, None]
    att = att * mask  # DIEN's masked softmax gives exactly 0 at padding
    states = attentional_gru(cell, x, att, mask)
    h = torch.zeros(B, H)
    for t in range(T):
        h = torch.where(mask[:, t, None], cell(x[:, t], h, att[:, t]), h)
        assert_close(states[:, t], h)
    garbage = torch.where(mask[..., None], x, torch.randn(B, T, I) * 100)  # whatever sits at padding
    assert_close(attentional_gru(cell, garbage, att, mask)[:, -1], states[:, -1])
    unmasked = torch.where(mask, att, torch.rand(B, T))  # scores the caller forgot to zero at padding
    assert_close(attentional_gru(cell, x, unmasked, mask), states)
    for b, n in enumerate(lengths):
        assert torch.equal(states[b, -1], states[b, n - 1])  # the final state is the last real step's


def test_masked_softmax_is_zero_at_padding_and_sums_to_one():
    scores = torch.tensor([[1.0, 2.0, 3.0], [5.0, 0.0, 9.0], [1.0, 1.0, 1.0]])
    mask = torch.tensor([[True, True, False], [True, False, False], [False, False, False]])
    a = masked_softmax(scores, mask)
    e = math.exp(1)
    assert_close(a, torch.tensor([[1 / (1 + e), e / (1 + e), 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))


def test_bilinear_attention_scores_are_h_W_e():
    h, w, ad = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]]), torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]]), \
        torch.tensor([[1.0, 1.0, 3.0]])
    assert_close(bilinear_scores(h, w, ad), torch.tensor([[3.0, -4.0]]))  # h W = [1,2,0] and [0,2,-2]


def test_auxiliary_loss_by_hand():
    """Row 0: three behaviours (two next-step pairs); row 1 is all padding and must not count."""
    h = torch.tensor([[[1.0, 0.0], [0.5, -1.0]], [[9.0, 9.0], [9.0, 9.0]]])  # (B=2, T-1=2, H=2)
    pos = torch.tensor([[[2.0, 1.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]])
    neg = torch.tensor([[[-1.0, 3.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]])
    mask = torch.tensor([[True, True], [False, False]])
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    # pair 1: h.pos = 2, h.neg = -1; pair 2: h.pos = -1, h.neg = -0.5
    by_hand = -(math.log(sig(2)) + math.log(1 - sig(-1)) + math.log(sig(-1)) + math.log(1 - sig(-0.5))) / 2
    assert_close(auxiliary_loss(h, pos, neg, mask), torch.tensor(by_hand))
    assert auxiliary_loss(h, pos, neg, torch.zeros_like(mask)) == 0  # no pair at all: 0, not NaN


def test_negatives_never_equal_positives_and_are_reproducible():
    items = torch.tensor([[1, 1, 2, 0], [2, 3, 1, 1], [1, 0, 0, 0]])  # very few distinct items: many clashes
    goods = torch.stack([items, items + 10 * (items != 0)], -1)  # (B, T, 2): item and category
    mask = items != 0
    torch.manual_seed(0)
    negatives, ok = sample_negatives(goods, mask)
    assert ok.equal(mask)  # every real position found a different item
    assert (negatives[..., 0] != items)[mask].all() and (negatives[~mask] == 0).all()
    assert torch.equal(negatives[..., 1][mask], negatives[..., 0][mask] + 10)  # item and category stay together
    torch.manual_seed(0)
    assert torch.equal(sample_negatives(goods, mask)[0], negatives)
    one = torch.tensor([[4, 4, 0]])  # a single distinct item: nothing to draw, flagged and set to 0
    n, ok = sample_negatives(torch.stack([one, one], -1), one != 0)
    assert not ok.any() and (n == 0).all()


@pytest.mark.parametrize("gru,options", [*((g, {}) for g in GRU_KINDS),
                                         ("augru", dict(attention="mlp", pooled_history=True))])
def test_padding_width_changes_nothing(data, gru, options):
    torch.manual_seed(0)
    model = DIEN(data.vocab, embed_dim=4, hidden=8, gru=gru, **options).eval()
    batch = data.batch(torch.arange(16))
    wider = dict(batch, hist_item=F.pad(batch["hist_item"], (0, 5)), hist_cat=F.pad(batch["hist_cat"], (0, 5)))
    with torch.no_grad():
        assert_close(model(wider), model(batch))
        s = model.interest_states(batch)
    att, mask = s["attention"], s["mask"]
    assert (att[~mask] == 0).all() and (s["evolving"][~mask] == 0).all() and (s["extractor"][~mask] == 0).all()
    assert_close(att.sum(1), torch.ones(16))


@pytest.mark.parametrize("gru,options", [*((g, {}) for g in GRU_KINDS), ("augru", dict(attention="mlp"))])
def test_batch_of_one_matches_the_same_row_in_a_batch(data, gru, options):
    torch.manual_seed(0)
    model = DIEN(data.vocab, embed_dim=4, hidden=8, gru=gru, **options).eval()
    batch = data.batch(torch.arange(8))
    one = data.batch(torch.tensor([5]))
    with torch.no_grad():
        assert_close(model(one), model(batch)[5:6])
        assert model.auxiliary_loss(one).isfinite()


def test_auxiliary_loss_trains_the_extractor_only_and_is_seeded(data):
    torch.manual_seed(0)
    model = DIEN(data.vocab, embed_dim=4, hidden=8)
    batch = data.batch(torch.arange(32))
    torch.manual_seed(1)
    loss = model.auxiliary_loss(batch)
    torch.manual_seed(1)
    assert torch.equal(model.auxiliary_loss(batch), loss)
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.extractor.parameters())
    assert all(p.grad is None for p in [*model.evolving.parameters(), *model.mlp.parameters(), model.att_w])
    without = DIEN(data.vocab, embed_dim=4, aux_weight=0.0)
    y = data.labels["click"][:32]
    logits, target_only = without.loss(batch, y)
    assert_close(target_only, F.binary_cross_entropy_with_logits(logits, y))  # alpha = 0: the target loss alone


def test_loss_is_eq_7_from_one_extractor_pass(data):
    """DIEN.loss returns the logits and L_target + alpha * L_aux: the same numbers and gradients as the forward
    and the auxiliary loss computed separately, with the extractor run once."""
    batch, y = data.batch(torch.arange(32)), data.labels["click"][:32]

    def separately():
        torch.manual_seed(0)
        model = DIEN(data.vocab, embed_dim=4, hidden=8, aux_weight=0.5).train()
        logits = model(batch)
        torch.manual_seed(1)
        loss = F.binary_cross_entropy_with_logits(logits, y) + 0.5 * model.auxiliary_loss(batch)
        loss.backward()
        return logits, loss, [p.grad for p in model.parameters()]

    def together():
        torch.manual_seed(0)
        model = DIEN(data.vocab, embed_dim=4, hidden=8, aux_weight=0.5).train()
        calls = []
        model.extractor.register_forward_hook(lambda *_: calls.append(1))
        torch.manual_seed(1)
        logits, loss = model.loss(batch, y)
        loss.backward()
        assert len(calls) == 1  # one pass of the extractor GRU serves both losses
        return logits, loss, [p.grad for p in model.parameters()]

    (l1, loss1, g1), (l2, loss2, g2) = separately(), together()
    assert_close(l1, l2) and assert_close(loss1, loss2)
    for a, b in zip(g1, g2):
        assert_close(a, b, rtol=1e-5, atol=1e-7)


def test_fit_trains_dien_through_its_loss(data):
    from course_lib.train import fit
    torch.manual_seed(0)
    model = DIEN(data.vocab, embed_dim=4, hidden=8)
    calls = []
    original = model.loss
    model.loss = lambda batch, y: calls.append(1) or original(batch, y)
    fit(model, data, epochs=1, batch_size=100, progress=False)
    assert len(calls) == -(-len(data) // 100)  # every step


def test_constructor_checks():
    vocab = ShopSim(n_users=10, n_items=20, n_categories=4).vocab
    with pytest.raises(ValueError, match="gru must be"):
        DIEN(vocab, gru="lstm")
    with pytest.raises(ValueError, match="gru_hidden must equal"):
        DIEN(vocab, embed_dim=8, gru_hidden=32)
    assert DIEN(vocab, embed_dim=8, gru_hidden=32, aux_weight=0.0)  # no auxiliary loss, any size
