"""MMoE, OMoE, Shared-Bottom and the paper's synthetic tasks: gates, reductions, counts, the generator."""
import math

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim, mmoe_synthetic
from course_lib.data.mmoe_synthetic import sinusoid_params
from course_lib.models import MMoE, MultiTaskCTR, OMoE, SharedBottom
from course_lib.models.mmoe import matched_bottom_hidden, mix_experts, softmax_gate
from course_lib.nn import n_params
from course_lib.regression import fit_mse, fit_mse_runs


def test_softmax_gate_and_mix_by_hand():
    x = torch.tensor([[1.0, 0.0], [0.0, 2.0]])  # (B=2, d=2)
    w = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # (E=3, d=2)
    # logits: row 1 (0, 1, 0), row 2 (0, 0, 2)
    e1, e2 = math.exp(1.0), math.exp(2.0)
    expected = torch.tensor([[1 / (2 + e1), e1 / (2 + e1), 1 / (2 + e1)], [1 / (2 + e2), 1 / (2 + e2), e2 / (2 + e2)]])
    g = softmax_gate(x, w)
    assert_close(g, expected)
    experts = torch.tensor([[[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]]])  # (B, E, H=1)
    assert_close(mix_experts(g, experts), (expected * torch.tensor([1.0, 2.0, 3.0])).sum(-1, keepdim=True))
    # (K, B, E) gates mix the same experts once per task
    both = mix_experts(torch.stack([g, torch.full((2, 3), 1 / 3)]), experts)
    assert both.shape == (2, 2, 1)
    assert_close(both[1], torch.full((2, 1), 2.0))


@pytest.mark.parametrize("cls", [MMoE, OMoE])
def test_gates_sum_to_one(cls):
    torch.manual_seed(0)
    model = cls(20, n_tasks=3, n_experts=5, expert_hidden=4, tower_hidden=2)
    g = model.gate_weights(torch.randn(7, 20) * 10)  # large inputs: softmax near one-hot, still sums to 1
    assert g.shape == (3, 7, 5)
    assert_close(g.sum(-1), torch.ones(3, 7))
    assert (g >= 0).all()
    if cls is OMoE:  # one gate serves every task
        assert_close(g[0], g[1])
        assert_close(g[0], g[2])
    else:  # one gate per task: different weights from different gates
        assert not torch.allclose(g[0], g[1])


def test_one_expert_is_a_shared_bottom():
    torch.manual_seed(0)
    mmoe = MMoE(10, n_tasks=2, n_experts=1, expert_hidden=6, tower_hidden=3)
    sb = SharedBottom(10, n_tasks=2, bottom_hidden=6, tower_hidden=3)
    with torch.no_grad():
        linear = sb.bottom[0]  # one layer: Linear(10, 6), ReLU
        linear.weight.copy_(mmoe.experts.weights[0][0].T)
        linear.bias.copy_(mmoe.experts.biases[0][0, 0])
    sb.towers.load_state_dict(mmoe.towers.state_dict())
    x = torch.randn(9, 10)
    assert_close(mmoe.gate_weights(x), torch.ones(2, 9, 1))  # softmax over one expert is 1
    assert_close(mmoe(x), sb(x))
    assert_close(OMoE(10, 2, 1, 6, 3).gate_weights(x), torch.ones(2, 9, 1))


def test_initialization_does_not_make_experts_identical():
    torch.manual_seed(0)
    model = MMoE(100)
    out = model.experts(torch.randn(64, 100))  # (B, E, H)
    E = out.shape[1]
    for i in range(E):
        for j in range(i + 1, E):
            assert (out[:, i] - out[:, j]).abs().max() > 0.1, f"experts {i} and {j} start out alike"


def test_identical_experts_give_the_gates_no_gradient():
    """Why distinct initial experts matter: when all experts agree, no gate can change the mixture."""
    torch.manual_seed(0)
    model = MMoE(8, n_tasks=2, n_experts=4, expert_hidden=5, tower_hidden=3)
    with torch.no_grad():
        for p in [*model.experts.weights, *model.experts.biases]:
            p.copy_(p[:1].expand_as(p))  # every expert = expert 0 (a constant init does this)
    model(torch.randn(16, 8)).sum().backward()
    assert_close(model.W_g.grad, torch.zeros_like(model.W_g))


def test_each_gate_learns_from_its_own_task_only():
    torch.manual_seed(0)
    x = torch.randn(16, 8)
    mmoe = MMoE(8, n_tasks=2, n_experts=4, expert_hidden=5, tower_hidden=3)
    mmoe(x)[:, 0].sum().backward()  # the loss of task 0 alone
    assert mmoe.W_g.grad[0].abs().sum() > 0
    assert_close(mmoe.W_g.grad[1], torch.zeros(4, 8))
    omoe = OMoE(8, n_tasks=2, n_experts=4, expert_hidden=5, tower_hidden=3)
    omoe(x)[:, 1].sum().backward()  # the shared gate is pulled by whichever task is trained
    assert omoe.W_g.grad.abs().sum() > 0


@pytest.mark.parametrize("make", [lambda: MMoE(12, 2, 3, 4, 2), lambda: OMoE(12, 2, 3, 4, 2),
                                  lambda: SharedBottom(12, 2, 5, 2)])
def test_batch_of_one(make):
    torch.manual_seed(0)
    model = make().eval()
    x = torch.randn(5, 12)
    one = model(x[:1])
    assert one.shape == (1, 2)
    assert_close(one, model(x)[:1])


def test_parameter_counts():
    # The paper's synthetic setting (Section 5): d = 100, 8 experts of 16 units, towers of 8 units.
    experts = 8 * (100 * 16 + 16)
    towers = 2 * ((16 * 8 + 8) + (8 + 1))
    assert n_params(MMoE(100)) == experts + 2 * (8 * 100) + towers == 14818  # a gate W_gk (E x d) per task
    assert n_params(OMoE(100)) == experts + 8 * 100 + towers == 14018
    # The paper's Shared-Bottom of 113 units
    assert n_params(SharedBottom(100, bottom_hidden=113)) == (100 * 113 + 113) + 2 * ((113 * 8 + 8) + 9) == 13255
    h = matched_bottom_hidden(14818, 100)
    assert h == 126
    per_unit = 100 + 1 + 2 * 8
    assert abs(n_params(SharedBottom(100, bottom_hidden=h)) - 14818) <= per_unit // 2


@pytest.mark.parametrize("p", [1.0, 0.9, 0.5, 0.0, -0.3])
def test_generator_weight_cosine_is_p(p):
    d = mmoe_synthetic(10, dim=100, p=p, seed=3, c=2.0)
    w1, w2 = d.w.double()
    assert_close(float(w1 @ w2 / (w1.norm() * w2.norm())), p, atol=1e-6, rtol=0)
    assert_close(d.w.norm(dim=1), torch.full((2,), 2.0))
    assert d.x.shape == (10, 100) and d.y.shape == (10, 2)


def test_generator_labels_follow_the_equation():
    d = mmoe_synthetic(50, dim=6, p=0.4, seed=1, noise_std=0.0)
    z = d.x @ d.w.T  # (N, 2)
    expected = z + torch.sin(d.alpha * z[..., None] + d.beta).sum(-1)
    assert_close(d.y, expected, atol=1e-5, rtol=1e-5)
    alpha, beta = sinusoid_params(10)  # the same sinusoids for every seed
    assert_close(mmoe_synthetic(5, seed=7).alpha, torch.as_tensor(alpha, dtype=torch.float32))
    assert_close(mmoe_synthetic(5, seed=7).beta, torch.as_tensor(beta, dtype=torch.float32))


def test_label_correlation_falls_with_p():
    corr = [np.corrcoef(mmoe_synthetic(20_000, p=p, seed=0).y.T.numpy())[0, 1] for p in (1.0, 0.9, 0.7, 0.5, 0.3, 0.0)]
    assert corr[0] > 0.99  # identical tasks up to the noise
    assert all(a > b + 0.05 for a, b in zip(corr, corr[1:]))
    assert abs(corr[-1]) < 0.03
    linear = mmoe_synthetic(20_000, p=0.5, seed=0, m=0, noise_std=0.0).y.T.numpy()  # no sines: exactly p
    assert abs(np.corrcoef(linear)[0, 1] - 0.5) < 0.02


def test_generator_is_deterministic_and_seeded():
    a, b, c = mmoe_synthetic(20, seed=0), mmoe_synthetic(20, seed=0), mmoe_synthetic(20, seed=1)
    assert torch.equal(a.y, b.y) and torch.equal(a.w, b.w)
    assert not torch.allclose(a.w, c.w)
    with pytest.raises(ValueError, match="cosine in"):
        mmoe_synthetic(5, p=1.5)


def test_fit_mse_runs_equals_separate_runs():
    torch.manual_seed(0)
    x, y = torch.randn(2, 40, 6, dtype=torch.float64), torch.randn(2, 40, 2, dtype=torch.float64)
    together = [MMoE(6, 2, 3, 4, 2).double() for _ in range(2)]
    alone = [MMoE(6, 2, 3, 4, 2).double() for _ in range(2)]
    for a, t in zip(alone, together):
        a.load_state_dict(t.state_dict())
    losses = fit_mse_runs(together, x, y, steps=15, lr=1e-2, batch_size=8, seed=4)
    for r in range(2):
        assert_close(losses[r], torch.tensor(fit_mse(alone[r], x[r], y[r], steps=15, lr=1e-2, batch_size=8, seed=4),
                                             dtype=torch.float64))
        for p, q in zip(together[r].parameters(), alone[r].parameters()):
            assert_close(p, q)


@pytest.fixture(scope="module")
def shop():
    return ShopSim(seed=0, n_users=50, n_items=40, n_categories=5, max_len=6).generate(32)


@pytest.mark.parametrize("kind", ["mmoe", "omoe", "shared_bottom"])
def test_ctr_wrapper_shapes(shop, kind):
    torch.manual_seed(0)
    model = MultiTaskCTR(shop.vocab, kind=kind, embed_dim=4, n_experts=3, expert_hidden=8, tower_hidden=4).eval()
    batch = shop.batch(torch.arange(6))
    out = model(batch)
    assert out.shape == (6, 2)
    assert_close(model(shop.batch(torch.arange(1))), out[:1])
    single = MultiTaskCTR(shop.vocab, n_tasks=1, kind=kind, embed_dim=4, n_experts=3, expert_hidden=8)
    assert single(batch).shape == (6,)
    if kind == "mmoe":
        assert_close(model.gate_weights(batch).sum(-1), torch.ones(2, 6))
    if kind == "shared_bottom":
        with pytest.raises(ValueError, match="a Shared-Bottom model has no gates"):
            model.gate_weights(batch)
    with pytest.raises(ValueError, match="kind must be"):
        MultiTaskCTR(shop.vocab, kind="esmm")
    with pytest.raises(ValueError, match="pooling must be 'sum' or 'mean', got 'max'"):
        MultiTaskCTR(shop.vocab, pooling="max")


def test_matched_bottom_for_deeper_towers_and_the_ctr_wrapper(shop):
    target = n_params(MMoE(30, 2, 4, 8, (6, 3)))
    h = matched_bottom_hidden(target, 30, 2, (6, 3))
    per_unit = 30 + 1 + 2 * 6
    assert abs(n_params(SharedBottom(30, 2, h, (6, 3))) - target) <= per_unit // 2
    mmoe = MultiTaskCTR(shop.vocab, kind="mmoe", embed_dim=4, n_experts=3, expert_hidden=8, tower_hidden=4)
    sb = MultiTaskCTR(shop.vocab, kind="shared_bottom", embed_dim=4, n_experts=3, expert_hidden=8, tower_hidden=4)
    input_dim = 4 * (len(sb.embed.vocab.context) + 4)
    assert sb.core.bottom[0].in_features == input_dim
    assert abs(n_params(sb.core) - n_params(mmoe.core)) <= (input_dim + 1 + 2 * 4) // 2
    assert n_params(sb.embed) == n_params(mmoe.embed)
