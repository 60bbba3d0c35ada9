"""Cross layers (DCN v1, DCN-V2, low rank) and the DCN model: hand-computed values, v2 generalises v1,
polynomial degree l + 1 after l layers, parameter counts, batch of one, the field layout of the heat map."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim
from course_lib.models import DCN
from course_lib.data import history_mask
from course_lib.nn import CrossNet, cross_layer_low_rank, cross_layer_v1, cross_layer_v2

X0, XL = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, -1.0]])  # a 2-d example, x_0 != x_l


def test_v1_cross_layer_by_hand():
    w, b = torch.tensor([0.5, 2.0]), torch.tensor([0.1, -0.2])
    # x_l^T w = 1.5 - 2 = -0.5;  x_0 * -0.5 = [-0.5, -1];  + b = [-0.4, -1.2];  + x_l = [2.6, -2.2]
    assert_close(cross_layer_v1(X0, XL, w, b), torch.tensor([[2.6, -2.2]]))


def test_v2_cross_layer_by_hand():
    W, b = torch.tensor([[1.0, 2.0], [0.0, -1.0]]), torch.tensor([0.1, -0.2])
    # W x_l = [3 - 2, 0 + 1] = [1, 1];  + b = [1.1, 0.8];  x_0 o = [1.1, 1.6];  + x_l = [4.1, 0.6]
    assert_close(cross_layer_v2(X0, XL, W, b), torch.tensor([[4.1, 0.6]]))
    # W = 0, b = 0 is the identity: a layer the network can switch off
    assert_close(cross_layer_v2(X0, XL, torch.zeros(2, 2), torch.zeros(2)), XL)


def test_crossnet_module_matches_the_hand_computation():
    net = CrossNet(2, num_layers=1, version="v1")
    with torch.no_grad():
        net.w.copy_(torch.tensor([[0.5, 2.0]]))
        net.b.copy_(torch.tensor([[0.1, -0.2]]))
    # one layer on x_0 = x = [1, 2]: x^T w = 4.5; x * 4.5 + b + x = [5.6, 10.8]
    assert_close(net(X0), torch.tensor([[5.6, 10.8]]))


def test_v2_with_rank_one_W_equals_v1():
    torch.manual_seed(0)
    x0, xl, w = torch.randn(5, 4), torch.randn(5, 4), torch.randn(4)
    W = torch.ones(4, 1) * w  # W = 1 w^T: every row of W x_l is x_l^T w
    zero = torch.zeros(4)
    assert_close(cross_layer_v2(x0, xl, W, zero), cross_layer_v1(x0, xl, w, zero))
    # The biases differ in where they sit: v1 adds b, v2 adds x_0 o b.
    b = torch.randn(4)
    assert_close(cross_layer_v2(x0, xl, W, b), cross_layer_v1(x0, xl, w, zero) + x0 * b)
    # A whole v1 network equals a v2 network given the matrices of CrossNet.weight
    v1, v2 = CrossNet(4, 3, "v1"), CrossNet(4, 3, "v2")
    with torch.no_grad():
        v2.W.copy_(torch.stack([v1.weight(i) for i in range(3)]))
    assert_close(v2(x0), v1(x0))


def test_low_rank_equals_full_rank_with_W_equal_U_V_transposed():
    torch.manual_seed(1)
    x0, xl, U, V, b = torch.randn(3, 6), torch.randn(3, 6), torch.randn(6, 2), torch.randn(6, 2), torch.randn(6)
    assert_close(cross_layer_low_rank(x0, xl, U, V, b), cross_layer_v2(x0, xl, U @ V.T, b))
    net = CrossNet(6, 2, "v2", rank=2)
    assert_close(net.weight(1), net.U[1] @ net.V[1].T)


def polynomial_coefficients(net: CrossNet, x: torch.Tensor, max_degree: int) -> torch.Tensor:
    """Coefficients a_k (max_degree + 1, B, d) of f(c x) = sum_k a_k c^k, from max_degree + 1 values of c."""
    c = torch.linspace(0.5, 1.5, max_degree + 1, dtype=torch.float64)
    values = torch.stack([net(ci * x) for ci in c])  # (K + 1, B, d)
    vandermonde = c.unsqueeze(1) ** torch.arange(max_degree + 1)  # (K + 1, K + 1)
    return torch.linalg.solve(vandermonde, values.flatten(1)).reshape(values.shape)


@pytest.mark.parametrize("version,rank", [("v1", None), ("v2", None), ("v2", 2)])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_l_layers_make_a_polynomial_of_degree_l_plus_1(version, rank, layers):
    torch.manual_seed(layers)
    net = CrossNet(5, layers, version, rank).double()
    x = torch.randn(4, 5, dtype=torch.float64)
    with torch.no_grad():
        a = polynomial_coefficients(net, x, layers + 3).abs().amax((1, 2))  # largest |a_k| per degree k
        assert a[layers + 1] > 1e-3  # degree l + 1 is there ...
        assert (a[layers + 2:] < 1e-8 * a.max()).all()  # ... and nothing above it
        assert a[0] < 1e-8 * a.max()  # zero biases: no constant term
        net.b.normal_()  # with biases the degree is still l + 1
        a = polynomial_coefficients(net, x, layers + 3).abs().amax((1, 2))
        assert a[layers + 1] > 1e-3 and (a[layers + 2:] < 1e-8 * a.max()).all()


def test_parameter_counts():
    d, r, L = 10, 3, 4
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(CrossNet(d, L, "v1")) == L * 2 * d
    assert count(CrossNet(d, L, "v2")) == L * (d * d + d)
    assert count(CrossNet(d, L, "v2", rank=r)) == L * (2 * d * r + d)
    assert count(CrossNet(d, 0, "v2")) == 0


def test_zero_layers_is_the_identity_and_bad_arguments_are_refused():
    x = torch.randn(2, 3)
    assert_close(CrossNet(3, 0)(x), x)
    for kwargs in (dict(version="v3"), dict(version="v1", rank=2), dict(version="v2", rank=4)):
        with pytest.raises(ValueError):
            CrossNet(3, 1, **kwargs)


@pytest.fixture(scope="module")
def data():
    return ShopSim(seed=0, n_users=50, n_items=40, n_categories=5, max_len=6, cross_strength=1.0).generate(64)


@pytest.mark.parametrize("structure", ["parallel", "stacked"])
@pytest.mark.parametrize("version,rank", [("v1", None), ("v2", None), ("v2", 4)])
@pytest.mark.parametrize("pooling", ["sum", "mean"])
def test_dcn_batch_of_one_and_shapes(data, structure, version, rank, pooling):
    torch.manual_seed(0)
    model = DCN(data.vocab, embed_dim=4, cross_layers=2, hidden=(16, 8), version=version, structure=structure,
                rank=rank, pooling=pooling).eval()
    one, eight = data.batch(torch.arange(1)), data.batch(torch.arange(8))
    assert model(one).shape == (1,)
    assert_close(model(one), model(eight)[:1])  # a row's logit does not depend on the rest of the batch
    assert model.mlp_input(eight).shape == (8, 4 * 9)  # 5 context fields, item, cat, hist_item, hist_cat


@pytest.mark.parametrize("structure", ["parallel", "stacked"])
def test_dcn_structures_are_wired_as_in_dcn_v2_fig_2(data, structure):
    torch.manual_seed(0)
    model = DCN(data.vocab, embed_dim=4, cross_layers=2, hidden=(16, 6), structure=structure)
    b = data.batch(torch.arange(8))
    x0 = model.mlp_input(b)
    xL = model.cross(x0)
    if structure == "stacked":  # deep network on top of the cross network
        expected = model.deep(xL)
    else:  # cross and deep side by side, one logit layer on [x_L ; h], h = the deep network's last hidden layer
        h = model.deep(x0)
        assert h.shape == (8, 6) and (h >= 0).all()  # ReLU features, not a logit
        expected = model.logit(torch.cat([xL, h], -1))
    assert_close(model(b), expected.squeeze(-1))


def test_dcn_refuses_a_parallel_structure_without_a_deep_network(data):
    with pytest.raises(ValueError, match="parallel structure needs a deep network"):
        DCN(data.vocab, hidden=())
    with pytest.raises(ValueError, match=r"hidden=\(200, 0\): give the layer widths as whole numbers >= 1"):
        DCN(data.vocab, hidden=(200, 0))
    assert DCN(data.vocab, hidden=(), structure="stacked")(data.batch(torch.arange(2))).shape == (2,)  # x_L -> logit


def test_dcn_parameter_count(data):
    d, D = 4 * 9, 4
    model = DCN(data.vocab, embed_dim=D, cross_layers=2, hidden=(16, 8), version="v2", structure="parallel")
    embeddings = sum(data.vocab.values()) * D
    tower = (d * 16 + 16) + (16 * 8 + 8)  # the deep network's two hidden layers
    logit = (d + 8) + 1  # parallel: one weight per entry of [x_L ; h] and one bias (DCN Eq. 5)
    assert sum(p.numel() for p in model.parameters()) == embeddings + 2 * (d * d + d) + tower + logit
    stacked = DCN(data.vocab, embed_dim=D, cross_layers=2, hidden=(16, 8), version="v1", structure="stacked")
    assert sum(p.numel() for p in stacked.parameters()) == embeddings + 2 * 2 * d + tower + (8 + 1)


def test_padding_content_does_not_change_the_output(data):
    torch.manual_seed(0)
    model = DCN(data.vocab, embed_dim=4, cross_layers=2, hidden=8, pooling="sum").eval()
    b = data.batch(torch.arange(8))
    shorter = dict(b, hist_len=(b["hist_len"] - 1).clamp(min=0))
    keep = history_mask(shorter["hist_len"], data.max_len)
    shorter["hist_item"], shorter["hist_cat"] = b["hist_item"] * keep, b["hist_cat"] * keep
    pad = torch.zeros(8, 3, dtype=torch.int64)
    wider = dict(shorter, hist_item=torch.cat([shorter["hist_item"], pad], 1),
                 hist_cat=torch.cat([shorter["hist_cat"], pad], 1))
    assert_close(model(shorter), model(wider))


def test_field_layout_maps_weight_blocks_back_to_field_names(data):
    torch.manual_seed(0)
    D = 3
    model = DCN(data.vocab, embed_dim=D, cross_layers=1, hidden=8)
    b = data.batch(torch.arange(4))
    x0, s = model.mlp_input(b), model.field_slices()
    assert_close(x0[:, s["gender"]], model.embed.tables["gender"](b["gender"]))
    assert_close(x0[:, s["cat"]], model.embed.tables["cat"](b["cat"]))
    e = model.embed(b)
    assert_close(x0[:, s["hist_cat"]], (e.history[..., D:] * e.mask.unsqueeze(-1)).sum(1))  # sum pooling
    with torch.no_grad():  # one non-zero block: rows of gender (x_0 side), columns of cat (x_l side)
        model.cross.W.zero_()
        model.cross.W[0, s["gender"], s["cat"]] = torch.full((D, D), 2.0)
    names, norms = model.cross_weight_blocks(0)
    i, j = names.index("gender"), names.index("cat")
    expected = torch.zeros(len(names), len(names))
    expected[i, j] = 2.0 * D  # Frobenius norm of a D x D block of 2s
    assert_close(norms, expected)
