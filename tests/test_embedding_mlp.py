"""Embedding & MLP and logistic regression: masking, shapes, parameter counts, clear errors."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim
from course_lib.models import EmbeddingMLP, LogisticRegression
from course_lib.data import history_mask
from course_lib.nn import MLP, FieldEmbedding, masked_pool
from course_lib.nn.mlp import ReLULayers


@pytest.fixture(scope="module")
def data():
    return ShopSim(seed=0, n_users=50, n_items=40, n_categories=5, max_len=6).generate(64)


def batch_of(data, n=8):
    return data.batch(torch.arange(n))


def test_masked_pool_by_hand():
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])  # (B=1, T=3, D=2), last position padding
    mask = history_mask(torch.tensor([2]), 3)
    assert_close(masked_pool(x, mask, "sum"), torch.tensor([[4.0, 6.0]]))
    assert_close(masked_pool(x, mask, "mean"), torch.tensor([[2.0, 3.0]]))
    empty = history_mask(torch.tensor([0]), 3)
    assert_close(masked_pool(x, empty, "mean"), torch.zeros(1, 2))  # an empty history pools to zeros, not NaN


@pytest.mark.parametrize("model_fn", [lambda v: EmbeddingMLP(v, pooling="sum"), lambda v: EmbeddingMLP(v, pooling="mean"),
                                      LogisticRegression])
def test_padding_content_does_not_change_the_output(data, model_fn):
    torch.manual_seed(0)
    model = model_fn(data.vocab).eval()
    b = batch_of(data)
    # Trim every history by one behaviour: re-padded it must equal a model that never saw it.
    shorter = dict(b, hist_len=(b["hist_len"] - 1).clamp(min=0))
    keep = history_mask(shorter["hist_len"], data.max_len)
    shorter["hist_item"], shorter["hist_cat"] = b["hist_item"] * keep, b["hist_cat"] * keep
    wider = {k: v for k, v in shorter.items()}
    pad = torch.zeros(8, 3, dtype=torch.int64)  # extra padding columns change nothing either
    wider["hist_item"], wider["hist_cat"] = torch.cat([shorter["hist_item"], pad], 1), torch.cat([shorter["hist_cat"], pad], 1)
    assert_close(model(shorter), model(wider))
    assert model(shorter).shape == (8,)


def test_batch_of_one_and_shapes(data):
    model = EmbeddingMLP(data.vocab, embed_dim=4, hidden=16).eval()
    b = data.batch(torch.arange(1))
    assert model(b).shape == (1,)
    e = model.embed(b)
    assert e.ad.shape == (1, 8) and e.history.shape == (1, 6, 8) and e.context.shape == (1, 5 * 4)


def test_parameter_counts(data):
    v = data.vocab
    n_ids = sum(v.values())
    lr = LogisticRegression(v)
    assert sum(p.numel() for p in lr.parameters()) == n_ids + 1  # one weight per id, one bias
    m = EmbeddingMLP(v, embed_dim=4, hidden=(10, 5))
    n_in = 4 * (5 + 4)  # 5 context fields, pooled item+cat, ad item+cat
    mlp = (n_in * 10 + 10) + (10 * 5 + 5) + (5 * 1 + 1)
    assert sum(p.numel() for p in m.parameters()) == 4 * n_ids + mlp
    prelu = EmbeddingMLP(v, embed_dim=4, hidden=(10, 5), activation="prelu")  # the DIN paper's BaseModel
    assert [type(layer).__name__ for layer in prelu.mlp] == ["Linear", "PReLU", "Linear", "PReLU", "Linear"]
    assert sum(p.numel() for p in prelu.parameters()) == 4 * n_ids + mlp + 10 + 5  # one slope per neuron


def test_relu_layers_end_in_features_and_refuse_empty_or_zero_sizes():
    layers = ReLULayers(6, (5, 3))
    assert [type(m).__name__ for m in layers] == ["Linear", "ReLU", "Linear", "ReLU"] and layers.out_dim == 3
    assert layers(torch.randn(4, 6)).shape == (4, 3) and ReLULayers(6, 2).out_dim == 2
    with pytest.raises(ValueError, match="at least one layer size"):
        ReLULayers(6, ())
    with pytest.raises(ValueError, match=r"hidden=\(5, 0\): give the layer widths"):
        MLP(6, (5, 0))


def test_lr_is_a_sum_of_weights(data):
    lr = LogisticRegression(data.vocab)
    with torch.no_grad():
        for table in lr.embed.tables.values():
            table.weight[1:] = 1.0
    b = batch_of(data, 3)
    n_context = len(lr.embed.vocab.context)
    assert_close(lr(b), (2 + n_context + 2 * b["hist_len"]).float())  # ad item+cat, context, item+cat per behaviour


def test_clear_errors(data):
    model = EmbeddingMLP(data.vocab)
    b = batch_of(data)
    with pytest.raises(ValueError, match="dtype torch.float32; ids are whole numbers"):
        model(dict(b, item=b["item"].float()))
    with pytest.raises(ValueError, match=r"'hist_item' holds id 999, outside its vocabulary 0..40"):
        model(dict(b, hist_item=torch.where(b["hist_item"] > 0, 999, 0)))
    with pytest.raises(ValueError, match="hist_len must lie in 0..6"):
        model(dict(b, hist_len=b["hist_len"] + 10))
    with pytest.raises(ValueError, match="right-padded"):
        model(dict(b, hist_len=torch.zeros_like(b["hist_len"])))
    with pytest.raises(ValueError, match="the batch lacks"):
        model({k: v for k, v in b.items() if k != "age"})
    with pytest.raises(ValueError, match="pooling must be"):
        EmbeddingMLP(data.vocab, pooling="max")


def test_padding_rows_start_at_zero(data):
    emb = FieldEmbedding(data.vocab, 4)
    assert all(not t.weight[0].any() for t in emb.tables.values())


def test_goods_are_the_table_rows_and_padding_gets_no_gradient(data):
    emb = FieldEmbedding(data.vocab, 4)
    b = data.batch(torch.arange(16))
    e = emb(b)
    mask = e.mask.unsqueeze(-1)
    by_table = torch.cat([emb.tables[f](b[f"hist_{f}"]) for f in ("item", "cat")], -1)  # (B, T, 2D)
    assert e.mask.any() and not e.mask.all()  # real behaviours and padding both present
    assert_close(e.history, by_table * mask)
    assert not e.history[~e.mask].any()
    (e.history * torch.randn_like(e.history)).sum().backward()  # any downstream use of the history
    for f in ("item", "cat"):
        grad = emb.tables[f].weight.grad
        assert not grad[0].any() and grad[1:].abs().sum() > 0  # padding row 0 stays the zero vector
