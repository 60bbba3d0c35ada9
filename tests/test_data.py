"""ShopSim and CTRData: shapes, padding conventions, determinism, and that the planted effects are real."""
import numpy as np
import pytest
import torch

from course_lib.data import ShopSim
from course_lib.metrics import auc


@pytest.fixture(scope="module")
def data():
    return ShopSim(seed=3, n_users=500, n_items=300, n_categories=10, max_len=12).generate(20_000)


def test_shapes_dtypes_and_vocab(data):
    N, T = 20_000, 12
    f = data.features
    assert {k: tuple(v.shape) for k, v in f.items()} == {
        **{k: (N,) for k in ("user", "item", "cat", "age", "gender", "pos", "device", "hist_len")},
        "hist_item": (N, T), "hist_cat": (N, T)}
    assert all(v.dtype == torch.int64 for v in f.values())
    assert data.truth["relevance"].shape == (N, T)
    for name, n in data.vocab.items():
        assert 1 <= int(f[name].min()) and int(f[name].max()) < n  # id 0 is reserved for padding
    assert data.labels["click"].dtype == torch.float32 and set(data.labels["click"].unique().tolist()) == {0.0, 1.0}


def test_histories_are_right_padded_and_consistent(data):
    f, T = data.features, data.max_len
    real = torch.arange(T) < f["hist_len"].unsqueeze(1)
    assert ((f["hist_item"] != 0) == real).all() and ((f["hist_cat"] != 0) == real).all()
    assert (data.truth["relevance"][~real] == 0).all()
    item_cat = data.truth["item_cat"]
    assert (item_cat[f["hist_item"]] == f["hist_cat"]).all() and (item_cat[f["item"]] == f["cat"]).all()
    assert item_cat[0] == 0


def test_deterministic_per_seed_and_different_across_seeds():
    a, b = ShopSim(seed=1).generate(2000), ShopSim(seed=1).generate(2000)
    c = ShopSim(seed=2).generate(2000)
    for k in a.features:
        assert torch.equal(a.features[k], b.features[k])
    assert torch.equal(a.labels["click"], b.labels["click"])
    assert not torch.equal(a.features["hist_item"], c.features["hist_item"])


def test_click_rate_rises_with_true_relevance(data):
    total = data.truth["relevance"].sum(1).numpy()
    clicks = data.labels["click"].numpy()
    quartile = np.digitize(total, np.quantile(total, [0.25, 0.5, 0.75]))
    rates = [clicks[quartile == q].mean() for q in range(4)]
    assert all(lo + 0.02 < hi for lo, hi in zip(rates, rates[1:])), rates


def test_calibrated_click_rate_and_long_tail():
    sim = ShopSim(seed=0, ctr=0.2)
    d = sim.generate(20_000)
    assert abs(float(d.labels["click"].mean()) - 0.2) < 0.02
    counts = np.bincount(d.features["hist_item"][d.features["hist_item"] > 0].numpy(), minlength=sim.n_items + 1)[1:]
    top = np.sort(counts)[::-1]
    assert top[: sim.n_items // 10].sum() > 0.5 * top.sum()  # the 10% most popular items take most behaviours


def test_drift_makes_recent_behaviours_more_predictive():
    """Under drift the last behaviours carry the click; without drift every position counts alike."""
    def last_vs_first(drift):
        d = ShopSim(seed=0, drift=drift, min_len=20, max_len=20).generate(20_000)
        same_cat = (d.features["hist_cat"] == d.features["cat"].unsqueeze(1)).float()  # (N, T)
        y = d.labels["click"]
        return auc(y, same_cat[:, -5:].sum(1)) - auc(y, same_cat[:, :5].sum(1))
    assert abs(last_vs_first(0.0)) < 0.02
    assert last_vs_first(0.8) > 0.06


def test_more_interests_spread_histories_over_more_categories():
    def distinct(k):
        d = ShopSim(seed=0, interests_per_user=k, min_len=30, max_len=30).generate(2000)
        return np.mean([len(set(row.tolist())) for row in d.features["hist_cat"]])
    assert distinct(1) == 1 and distinct(2) < distinct(4) < distinct(8)


def test_crosses_are_planted_only_when_asked():
    plain = ShopSim(seed=0).generate(5000)
    crossed = ShopSim(seed=0, cross_strength=1.0).generate(5000)
    assert (plain.truth["cross"] == 0).all()
    # gender x cat and age x device tables: the cross term is a function of exactly those pairs
    f, cross = crossed.features, crossed.truth["cross"]
    key = f["gender"] * 10_000 + f["cat"] * 100 + f["age"] * 10 + f["device"]
    for k in key.unique()[:20]:
        assert cross[key == k].std(unbiased=False) < 1e-9


def test_conversion_correlation_is_controllable():
    def corr(rho):
        d = ShopSim(seed=0, conversion_correlation=rho).generate(20_000)
        click_logit, p = d.truth["click_logit"].numpy(), d.truth["conversion_prob"].numpy()
        return np.corrcoef(click_logit, np.log(p / (1 - p)))[0, 1]
    assert corr(0.0) < 0.15 and corr(0.5) > 0.35 and corr(0.95) > 0.9


def test_split_is_a_disjoint_partition_and_loader_covers_everything(data):
    train, test = data.split((0.75, 0.25), seed=0)
    assert len(train) == 15_000 and len(test) == 5_000
    ids = torch.cat([train.truth["click_logit"], test.truth["click_logit"]])
    assert torch.equal(ids.sort().values, data.truth["click_logit"].sort().values)
    assert torch.equal(train.truth["item_cat"], data.truth["item_cat"])  # world tables are shared, not sliced
    batches = list(test.loader(batch_size=1024, shuffle=True, seed=1))
    assert sum(len(b["click"]) for b in batches) == 5_000 and set(batches[0]) >= {"hist_item", "click", "conversion"}
    again = list(test.loader(batch_size=1024, shuffle=True, seed=1))
    assert torch.equal(batches[0]["item"], again[0]["item"])


@pytest.mark.parametrize("kwargs, message", [
    (dict(min_len=10, max_len=5), "min_len"),
    (dict(interests_per_user=50), "interests_per_user"),
    (dict(drift=1.0), "drift"),
    (dict(n_items=5), "every category needs an item"),
])
def test_bad_settings_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ShopSim(**kwargs)


def test_split_fractions_are_checked(data):
    with pytest.raises(ValueError, match="sum to 1"):
        data.split((0.5, 0.2))
