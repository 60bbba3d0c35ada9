"""CGC and PLE: what each gate can see, shapes, the level-to-level wiring of Eq. (6), parameter counts."""
import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim
from course_lib.errors import InputError
from course_lib.models import CGC, PLE, MultiTaskCTR
from course_lib.models.mmoe import softmax_gate
from course_lib.nn import n_params


def test_cgc_gate_mixes_own_and_shared_experts_by_hand():
    torch.manual_seed(0)
    level = CGC(3, n_tasks=2, n_specific=1, n_shared=1, expert_hidden=2)
    with torch.no_grad():
        level.W_g.copy_(torch.tensor([[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]],    # task 1: [own, shared]
                                      [[0.0, 0.0, 0.0], [0.0, 2.0, 0.0]]]))  # task 2: [own, shared]
    x = torch.tensor([[1.0, 1.0, 0.0]])
    own = [e(x) for e in level.specific]  # (1, 1, 2) each
    shared = level.shared(x)
    out = level([x, x, x])
    e1, e2 = torch.tensor(1.0).exp(), torch.tensor(2.0).exp()
    g1 = torch.stack([e1 / (e1 + 1), 1 / (e1 + 1)])  # softmax(1, 0)
    g2 = torch.stack([1 / (1 + e2), e2 / (1 + e2)])  # softmax(0, 2)
    assert_close(out[0], g1[0] * own[0][:, 0] + g1[1] * shared[:, 0])
    assert_close(out[1], g2[0] * own[1][:, 0] + g2[1] * shared[:, 0])
    assert len(out) == 2  # no shared gate asked for


def test_a_task_gate_never_sees_another_tasks_experts():
    torch.manual_seed(0)
    model = PLE(6, n_tasks=3, n_levels=2, n_specific=2, n_shared=3, expert_hidden=4, tower_hidden=2)
    x = torch.randn(5, 6) * 5
    first, top = model.gate_weights(x)
    assert first.shape == (4, 5, 9) and top.shape == (3, 5, 9)  # 3 task gates + the shared gate; 3*2 + 3 experts
    for g in (first, top):
        assert_close(g.sum(-1), torch.ones(len(g), 5))
        for k in range(3):
            others = [i for i in range(6) if i // 2 != k]  # every other task's specific experts
            assert (g[k][:, others] == 0).all()
            assert (g[k][:, 2 * k:2 * k + 2] > 0).all() and (g[k][:, 6:] > 0).all()
    assert (first[3] > 0).all()  # the shared gate of a lower level sees every expert
    # Changing task 2's experts leaves task 1's output unchanged at a single level (CGC).
    cgc = PLE(6, n_tasks=2, n_levels=1, n_specific=1, n_shared=1, expert_hidden=4, tower_hidden=2)
    before = cgc(x)
    with torch.no_grad():
        cgc.levels[0].specific[1].weights[0].add_(1.0)
    after = cgc(x)
    assert_close(after[:, 0], before[:, 0])
    assert not torch.allclose(after[:, 1], before[:, 1])


def test_upper_level_gates_read_the_previous_levels_outputs():
    torch.manual_seed(0)
    model = PLE(4, n_tasks=2, n_levels=2, n_specific=1, n_shared=2, expert_hidden=3, tower_hidden=2)
    x = torch.randn(7, 4)
    fused = model.levels[0]([x, x, x])  # [task 1, task 2, shared], each (B, 3)
    assert len(fused) == 3
    top = model.levels[1]
    assert_close(model.gate_weights(x)[1][0][:, [0, 2, 3]], softmax_gate(fused[0], top.W_g[0]))  # Eq. (6)
    assert_close(model.gate_weights(x)[1][1][:, [1, 2, 3]], softmax_gate(fused[1], top.W_g[1]))
    out = top(fused)
    assert len(out) == 2  # no shared gate at the top level
    assert_close(model(x), torch.cat([t(o) for t, o in zip(model.towers, out)], -1))


def test_parameter_counts_follow_the_formula():
    d, K, m_k, m_s, H, t = 100, 2, 2, 4, 16, 32
    experts = lambda d_in: (K * m_k + m_s) * (d_in * H + H)  # noqa: E731  single-layer experts
    task_gates = lambda d_in: K * (m_k + m_s) * d_in  # noqa: E731  W_g^k in R^{(m_k + m_s) x d}, no bias
    shared_gate = (K * m_k + m_s) * d  # lower levels only, over all experts
    towers = K * (H * t + t + t + 1)  # H -> t -> 1
    assert n_params(PLE(d, K, 1, m_k, m_s, H, t)) == experts(d) + task_gates(d) + towers == 15282
    two = experts(d) + task_gates(d) + shared_gate + experts(H) + task_gates(H) + towers
    assert n_params(PLE(d, K, 2, m_k, m_s, H, t)) == two == 18450


def test_batch_of_one_and_the_ctr_wrapper():
    torch.manual_seed(0)
    model = PLE(5, n_tasks=2, n_levels=3, n_specific=1, n_shared=1, expert_hidden=(4, 3), tower_hidden=2).eval()
    x = torch.randn(4, 5)
    assert model(x).shape == (4, 2)
    assert_close(model(x[:1]), model(x)[:1])
    assert [g.shape[0] for g in model.gate_weights(x)] == [3, 3, 2]
    shop = ShopSim(seed=0, n_users=50, n_items=40, n_categories=5, max_len=6).generate(16)
    batch = shop.batch(torch.arange(6))
    for kind, levels in (("cgc", 1), ("ple", 2)):
        ctr = MultiTaskCTR(shop.vocab, kind=kind, embed_dim=4, n_experts=4, expert_hidden=8, tower_hidden=4)
        assert ctr(batch).shape == (6, 2) and len(ctr.core.levels) == levels
        assert ctr.core.levels[0].n_shared == 2  # 4 experts: one per task, two shared
        assert len(ctr.gate_weights(batch)) == levels


@pytest.mark.parametrize("build, message", [
    (lambda: PLE(10, n_levels=0), "n_levels=0"),
    (lambda: PLE(10, n_specific=1.5), "n_specific=1.5"),
    (lambda: CGC(10, n_shared=0), "n_shared=0"),
    (lambda: CGC(0), "input_dim=0"),
])
def test_bad_arguments_say_what_is_wrong(build, message):
    with pytest.raises(InputError, match=message):
        build()


def test_wrong_number_of_inputs_and_too_few_experts():
    level = CGC(3, n_tasks=2)
    with pytest.raises(InputError, match=r"CGC takes 3 inputs"):
        level([torch.zeros(1, 3)])
    shop = ShopSim(seed=0, n_users=50, n_items=40, n_categories=5, max_len=6)
    with pytest.raises(InputError, match="leaves no shared expert"):
        MultiTaskCTR(shop.vocab, kind="cgc", n_experts=2)
