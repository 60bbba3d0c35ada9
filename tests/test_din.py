"""DIN (KDD 2018): the activation unit's input, masked attention pooling, the model, and mini-batch aware
regularization (section 5.1), against hand-computed values."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim, Vocab
from course_lib.models import DIN
from course_lib.nn import LocalActivationUnit, attention_pool, unit_input
from course_lib.regularization import MiniBatchAware, id_counts, mba_penalty
from course_lib.train import fit

dot = lambda q, k: (q * k).sum(-1)  # noqa: E731  a score function simple enough to work by hand


@pytest.fixture(scope="module")
def data():
    return ShopSim(n_users=60, n_items=50, n_categories=5, max_len=8, min_len=1, seed=3).generate(200)


def batch_of(data, n=32):
    return data.batch(torch.arange(n))


def widen(batch, extra):
    """The same batch with ``extra`` more padding columns in the history."""
    out = dict(batch)
    for f in ("hist_item", "hist_cat"):
        out[f] = torch.cat([batch[f], torch.zeros(len(batch[f]), extra, dtype=batch[f].dtype)], 1)
    return out


# ---- the pure functions --------------------------------------------------------------------------------

def test_unit_input_is_q_k_difference_product():
    q, k = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, -1.0]])
    assert_close(unit_input(q, k), torch.tensor([[1.0, 2.0, 3.0, -1.0, -2.0, 3.0, 3.0, -2.0]]))


def test_attention_pool_by_hand_without_normalization():
    query = torch.tensor([[1.0, 0.0]])
    keys = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [5.0, 5.0]]])  # last one is padding
    mask = torch.tensor([[True, True, True, False]])
    pooled, w = attention_pool(query, keys, mask, dot, "none")
    assert_close(w, torch.tensor([[1.0, 0.0, 2.0, 0.0]]))
    assert_close(pooled, torch.tensor([[5.0, 0.0]]))  # 1 * (1, 0) + 0 * (0, 1) + 2 * (2, 0)


def test_attention_pool_softmax_is_masked_and_scaled_like_the_authors_code():
    query = torch.tensor([[1.0, 0.0]])
    keys = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [5.0, 5.0]]])
    mask = torch.tensor([[True, True, True, False]])
    _, w = attention_pool(query, keys, mask, dot, "softmax")
    expected = torch.softmax(torch.tensor([1.0, 0.0, 2.0]) / 2 ** 0.5, 0)  # scores / sqrt(D), D = 2
    assert_close(w, torch.cat([expected, torch.zeros(1)]).unsqueeze(0))


def test_padded_keys_never_reach_the_score_function():
    torch.manual_seed(0)
    query, keys = torch.randn(3, 4), torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    garbage = keys.clone()
    garbage[~mask] = 1e3  # whatever sits at padding
    unit = LocalActivationUnit(4, (6, 3), "dice").train()  # Dice: batch statistics of real rows only
    for normalize in ("none", "softmax"):
        a = attention_pool(query, keys, mask, unit, normalize)
        b = attention_pool(query, garbage, mask, unit, normalize)
        assert_close(a, b)
        assert (a[1][~mask] == 0).all()


def test_no_softmax_keeps_intensity_softmax_does_not():
    query = torch.tensor([[1.0, 0.0]])
    once = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
    twice = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]])  # the related behaviour happened again
    m2, m3 = torch.tensor([[True, True, False]]), torch.tensor([[True, True, True]])
    assert_close(attention_pool(query, twice, m3, dot)[0], 2 * attention_pool(query, once, m2, dot)[0])
    soft_once = attention_pool(query, once, m2, dot, "softmax")[0]
    soft_twice = attention_pool(query, twice, m3, dot, "softmax")[0]
    assert soft_twice[0, 0] < 2 * soft_once[0, 0]  # a weighted mean: twice the evidence, not twice the vector


def test_empty_history_pools_to_zero_in_both_modes():
    unit = LocalActivationUnit(2, 4, "prelu")
    mask = torch.zeros(2, 3, dtype=torch.bool)
    for normalize in ("none", "softmax"):
        pooled, w = attention_pool(torch.randn(2, 2), torch.zeros(2, 3, 2), mask, unit, normalize)
        assert_close(pooled, torch.zeros(2, 2))
        assert_close(w, torch.zeros(2, 3))


# ---- the model -----------------------------------------------------------------------------------------

def hand_built_din(normalize):
    """embed_dim 1 (a good = (item, cat), 2 numbers); the unit is linear and reads only q * k: a = q . k."""
    vocab = Vocab(dict(user=3, item=4, cat=3), sequences={"hist_item": "item", "hist_cat": "cat"})
    model = DIN(vocab, embed_dim=1, attention_hidden=(), normalize=normalize)
    with torch.no_grad():
        model.embed.tables["item"].weight.copy_(torch.tensor([[0.0], [1.0], [-1.0], [2.0]]))
        model.embed.tables["cat"].weight.copy_(torch.tensor([[0.0], [0.5], [1.0]]))
        linear = model.attention.mlp[0]
        linear.weight.copy_(torch.tensor([[0.0, 0, 0, 0, 0, 0, 1, 1]]))  # [q, k, q - k, q * k] -> sum(q * k)
        linear.bias.zero_()
    batch = dict(user=torch.tensor([1]), item=torch.tensor([1]), cat=torch.tensor([1]),
                 hist_item=torch.tensor([[1, 2, 3, 0]]), hist_cat=torch.tensor([[1, 2, 2, 0]]),
                 hist_len=torch.tensor([3]), click=torch.tensor([1.0]))
    return model.eval(), batch


def test_attention_weights_of_a_hand_built_case():
    model, batch = hand_built_din("none")
    # ad (1, 0.5); behaviours (1, 0.5), (-1, 1), (2, 1): dot products 1.25, -0.5, 2.5; padding 0
    assert_close(model.attention_weights(batch), torch.tensor([[1.25, -0.5, 2.5, 0.0]]))
    model, batch = hand_built_din("softmax")
    expected = torch.softmax(torch.tensor([1.25, -0.5, 2.5]) / 2 ** 0.5, 0)
    assert_close(model.attention_weights(batch), torch.cat([expected, torch.zeros(1)]).unsqueeze(0))


@pytest.mark.parametrize("activation", ["dice", "prelu"])
def test_softmax_weights_sum_to_one_over_real_behaviours(data, activation):
    torch.manual_seed(0)
    batch = batch_of(data)
    w = DIN(data.vocab, activation=activation, normalize="softmax").eval().attention_weights(batch)
    assert_close(w.sum(1), torch.ones(len(w)))
    assert (w[batch["hist_item"] == 0] == 0).all()


@pytest.mark.parametrize("normalize", ["none", "softmax"])
@pytest.mark.parametrize("train_mode", [True, False])
def test_extra_padding_changes_nothing(data, normalize, train_mode):
    torch.manual_seed(0)
    model = DIN(data.vocab, normalize=normalize).train(train_mode)
    batch = batch_of(data)
    wide = widen(batch, 5)
    assert_close(model(wide), model(batch))
    w = model.attention_weights(wide)
    assert_close(w[:, :data.max_len], model.attention_weights(batch))
    assert (w[wide["hist_item"] == 0] == 0).all()  # exactly 0 at padding


def test_parameter_counts_match_the_architecture(data):
    model = DIN(data.vocab)  # embed_dim 8, hidden (200, 80), attention (80, 40), Dice
    D, n_context = 8, len(data.vocab) - 2  # user, age, gender, pos, device
    embeddings = sum(data.vocab.values()) * D
    unit = (8 * D * 80 + 80) + 80 + (80 * 40 + 40) + 40 + (40 + 1)  # Linear, Dice alpha, Linear, alpha, out
    mlp_in = D * (n_context + 4)  # context, v_U(A) (2D), v_A (2D)
    mlp = (mlp_in * 200 + 200) + 200 + (200 * 80 + 80) + 80 + (80 + 1)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(model.embed) == embeddings
    assert count(model.attention) == unit == 8601
    assert count(model.mlp) == mlp
    assert count(model) == count(DIN(data.vocab, activation="prelu"))  # PReLU also learns one slope per neuron


def test_batch_of_one(data):
    torch.manual_seed(0)
    model = DIN(data.vocab)
    batch = batch_of(data, 8)
    one = {k: v[2:3] for k, v in batch.items()}
    logit = model.train()(one)
    logit.sum().backward()
    assert logit.shape == (1,) and torch.isfinite(logit).all()
    model.eval()
    assert_close(model(one), model(batch)[2:3])  # moving averages: a row does not depend on its batch
    assert model.attention_weights(one).shape == (1, data.max_len)


def test_clear_errors_come_from_field_embedding(data):
    model = DIN(data.vocab)
    batch = batch_of(data, 4)
    with pytest.raises(ValueError, match="ids are whole numbers: use .long()"):
        model({**batch, "item": batch["item"].float()})
    with pytest.raises(ValueError, match="outside its vocabulary"):
        model({**batch, "hist_item": batch["hist_item"] + data.vocab["item"]})
    bad = batch["hist_item"].clone()
    bad[0, -1] = 1  # an id after hist_len
    with pytest.raises(ValueError, match="right-padded"):
        model.attention_weights({**batch, "hist_item": bad, "hist_len": torch.full((4,), data.max_len - 1)})
    short = batch["hist_len"] < data.max_len
    with pytest.raises(ValueError, match=r"padding \(id 0\) within its hist_len"):  # hist_len counts padding
        model({**batch, "hist_len": torch.where(short, batch["hist_len"] + 1, batch["hist_len"])})
    with pytest.raises(ValueError, match=r"field 'user' has shape \(4, 1\); expected \(4,\)"):
        model({**batch, "user": batch["user"][:, None]})
    with pytest.raises(ValueError, match=rf"field 'hist_cat' has shape \(4, {data.max_len - 1}\)"):
        model({**batch, "hist_cat": batch["hist_cat"][:, 1:]})
    with pytest.raises(ValueError, match=r"field 'item' has shape \(3,\); expected \(4,\)"):
        model({**batch, "item": batch["item"][:3]})
    with pytest.raises(ValueError, match=r"histories are \(B, T\)"):
        model({**batch, "hist_item": batch["hist_item"][0]})
    with pytest.raises(ValueError, match="normalize"):
        DIN(data.vocab, normalize="sparsemax")
    with pytest.raises(ValueError, match="activation"):
        DIN(data.vocab, activation="relu6")


# ---- mini-batch aware regularization --------------------------------------------------------------------

def test_id_counts_count_candidates_and_behaviours(data):
    counts = id_counts(data, data.vocab)
    j = int(data.features["item"][0])
    expected = int((data.features["item"] == j).sum() + (data.features["hist_item"] == j).sum())
    assert counts["item"][j] == expected
    assert counts["item"][0] == 0 and counts["cat"][0] == 0  # padding is not a feature
    assert counts["user"].sum() == len(data)


def test_mba_penalty_by_hand():
    w = torch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 0.0], [1.0, 1.0]], requires_grad=True)
    counts = {"item": torch.tensor([0.0, 5.0, 2.0, 10.0])}
    penalty = mba_penalty({"item": w}, {"item": torch.tensor([2, 1, 2, 0])}, counts, lam=0.1)
    assert_close(penalty, torch.tensor(0.05 * (5 / 5 + 9 / 2)))  # lambda/2 * sum ||w_j||^2 / n_j, j in {1, 2}
    penalty.backward()
    assert_close(w.grad, torch.tensor([[0.0, 0.0], [0.02, 0.04], [0.15, 0.0], [0.0, 0.0]]))  # lambda w_j / n_j


def test_mba_touches_no_row_absent_from_the_batch(data):
    torch.manual_seed(0)
    model = DIN(data.vocab)
    mba = MiniBatchAware(model.embed, data, lam=0.01)
    batch = batch_of(data, 16)
    mba(model, batch).backward()
    for f, table in model.embed.tables.items():
        present = torch.zeros(data.vocab[f], dtype=torch.bool)
        for name in (f, f"hist_{f}"):
            if name in batch:
                present[batch[name].reshape(-1)] = True
        present[0] = False
        grad = table.weight.grad
        assert (grad[~present] == 0).all(), f"MBA changed rows of {f} that the batch does not hold"
        n = mba.counts[f][present].unsqueeze(1)
        assert_close(grad[present], 0.01 * table.weight[present].detach() / n)  # Eq. (7): lambda w_j / n_j


def test_mba_plugs_into_fit_and_leaves_unseen_ids_alone(data):
    torch.manual_seed(0)
    train = data.subset(torch.arange(100))
    model = DIN(data.vocab, activation="prelu")
    seen = id_counts(train, data.vocab)["user"] > 0
    before = model.embed.tables["user"].weight.detach().clone()
    fit(model, train, epochs=1, batch_size=25, penalty=MiniBatchAware(model.embed, train), progress=False)
    after = model.embed.tables["user"].weight.detach()
    assert_close(after[~seen], before[~seen], rtol=0, atol=0)
    assert not torch.equal(after[seen], before[seen])
