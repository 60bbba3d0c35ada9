"""A dataset's fields (Vocab): every model takes exactly the fields a dataset declares, and the one batch check
says what is wrong and how to fix it, for any mistake a learner makes with a batch."""
import numpy as np
import pytest
import torch

from course_lib.data import CTRData, ShopSim, Vocab
from course_lib.errors import InputError
from course_lib.models import DCN, DIEN, DIN, EmbeddingMLP, LogisticRegression, MultiTaskCTR
from course_lib.nn import FieldEmbedding
from course_lib.train import evaluate, fit


@pytest.fixture(scope="module")
def data():
    return ShopSim(n_users=50, n_items=40, n_categories=5, max_len=6, seed=0).generate(300)


def tabular(n: int = 200, seed: int = 0) -> CTRData:
    """A dataset without behaviours: two categorical fields and two dense ones, the click driven by both kinds."""
    g = torch.Generator().manual_seed(seed)
    color, shape = torch.randint(1, 4, (n,), generator=g), torch.randint(1, 6, (n,), generator=g)
    price, size = torch.randn(n, generator=g), torch.randn(n, generator=g)
    click = (torch.rand(n, generator=g) < torch.sigmoid(price + (color == 2) * 1.5)).float()
    return CTRData({"color": color, "shape": shape, "price": price, "size": size}, {"click": click},
                   Vocab({"color": 4, "shape": 6}, dense=("price", "size")))


def test_shopsim_declares_its_fields():
    vocab = ShopSim(n_users=10, n_items=20, n_categories=4).vocab
    assert vocab.goods == ("item", "cat") and vocab.context == ("user", "age", "gender", "pos", "device")
    assert vocab.sequences == {"hist_item": "item", "hist_cat": "cat"} and vocab.dense == ()
    assert vocab["item"] == 21 and dict(vocab) == vocab.sizes and vocab == vocab.sizes  # reads like a dict of sizes
    assert vocab.fields[-3:] == ("hist_item", "hist_cat", "hist_len")


def test_models_use_exactly_the_fields_of_a_dataset_without_behaviours():
    data = tabular()
    for model in (EmbeddingMLP(data.vocab, embed_dim=4, hidden=8), LogisticRegression(data.vocab),
                  DCN(data.vocab, embed_dim=4, hidden=8), MultiTaskCTR(data.vocab, n_tasks=1, embed_dim=4)):
        fit(model, data, epochs=3, batch_size=50, lr=1e-2, progress=False)
        assert 0 < evaluate(model, data)["auc"] <= 1
    dcn = DCN(data.vocab, embed_dim=4, hidden=8)
    assert dcn.fields == ["color", "shape", "price", "size"]  # no invented item, category or history blocks
    assert dcn.mlp_input(data.batch(torch.arange(5))).shape == (5, 4 + 4 + 1 + 1)  # two D blocks, two dense columns
    assert [s.stop - s.start for s in dcn.field_slices().values()] == [4, 4, 1, 1]
    for model in (DIN, DIEN):  # a behaviour model says what it needs
        with pytest.raises(InputError, match=f"{model.__name__} reads a sequence of behaviours.*use EmbeddingMLP"):
            model(data.vocab)


def test_dense_fields_reach_the_model():
    data = tabular()
    model = EmbeddingMLP(data.vocab, embed_dim=2, hidden=4).eval()
    batch = data.batch(torch.arange(10))
    moved = {**batch, "price": batch["price"] + 3}
    assert not torch.allclose(model(batch), model(moved))  # the price is an input, not ignored
    assert model.embed(batch).dense.shape == (10, 2)


def test_plain_and_fast_history_lookups_agree_in_values_and_gradients(data):
    batch = data.batch(torch.arange(64))
    results = []
    for fast in (False, True):
        torch.manual_seed(0)
        embed = FieldEmbedding(data.vocab, 4, fast=fast)
        e = embed(batch)
        (e.history * torch.linspace(-1, 1, e.history.shape[-1])).sum().backward()
        results.append((e.history.detach(), {f: embed.tables[f].weight.grad.clone() for f in data.vocab.goods}))
    (plain, plain_grads), (fast, fast_grads) = results
    torch.testing.assert_close(fast, plain)
    for f in plain_grads:
        torch.testing.assert_close(fast_grads[f], plain_grads[f])
        assert not fast_grads[f][0].any()  # the padding row gets no gradient


@pytest.mark.parametrize("change, message", [
    (lambda b: b["item"].numpy(), "'item' is a ndarray, not a tensor: convert it with torch.as_tensor"),
    (lambda b: b["item"].tolist(), "'item' is a list, not a tensor"),
    (lambda b: b["item"].float(), "'item' has dtype torch.float32; ids are whole numbers: use .long()"),
    (lambda b: b["item"] + 1000, "'item' holds id 10\\d\\d, outside its vocabulary 0..40"),
    (lambda b: b["item"][:, None], r"'item' has shape \(8, 1\); expected \(8,\)"),
], ids=["numpy ids", "a list", "float ids", "id beyond the vocabulary", "wrong shape"])
def test_a_wrong_field_is_named_with_the_fix(data, change, message):
    model = EmbeddingMLP(data.vocab, embed_dim=2, hidden=4)
    batch = data.batch(torch.arange(8))
    with pytest.raises(InputError, match=message):
        model({**batch, "item": change(batch)})


def test_wrong_batches_as_a_whole_are_named(data):
    model = DIN(data.vocab, embed_dim=2, hidden=4, attention_hidden=4)
    batch = data.batch(torch.arange(8))
    with pytest.raises(InputError, match="not the whole CTRData"):
        model(data)
    with pytest.raises(InputError, match="a batch is a dict"):
        model([batch])
    with pytest.raises(InputError, match="the batch is empty"):
        model(data.batch(torch.arange(0)))
    with pytest.raises(InputError, match="width T = 0"):
        model({**batch, "hist_item": batch["hist_item"][:, :0], "hist_cat": batch["hist_cat"][:, :0],
               "hist_len": torch.zeros(8, dtype=torch.int64)})
    with pytest.raises(InputError, match="hist_len must lie in 0..6"):
        model({**batch, "hist_len": batch["hist_len"] + 7})


def test_dense_fields_are_checked():
    data = tabular()
    model = EmbeddingMLP(data.vocab, embed_dim=2, hidden=4)
    batch = data.batch(torch.arange(4))
    with pytest.raises(InputError, match="'price' holds NaN"):
        model({**batch, "price": torch.tensor([0.0, float("nan"), 1.0, 2.0])})
    with pytest.raises(InputError, match="dense field 'price' has shape \\(4,\\) and dtype torch.int64"):
        model({**batch, "price": torch.arange(4)})


def test_a_vocab_is_checked_when_built():
    with pytest.raises(InputError, match="vocabulary sizes must be whole numbers >= 1"):
        Vocab({"item": 0})
    with pytest.raises(InputError, match="name fields that are not in sizes"):
        Vocab({"item": 3}, sequences={"hist_cat": "cat"})
    with pytest.raises(InputError, match="holds id 7, outside its vocabulary"):
        CTRData({"item": torch.tensor([1, 7])}, {"click": torch.tensor([0.0, 1.0])}, Vocab({"item": 3}))
    with pytest.raises(InputError, match="the features have 2 rows but the labels 3"):
        CTRData({"item": torch.tensor([1, 2])}, {"click": torch.zeros(3)}, Vocab({"item": 3}))
    plain = CTRData({"item": torch.tensor([1, 2])}, {"click": torch.zeros(2)}, {"item": 3})  # a dict of sizes is fine
    assert plain.vocab == Vocab({"item": 3}) and plain.max_len == 0
    assert len(np.asarray(plain.features["item"])) == 2
