"""ESMM: pCTCVR is the product, the loss is Eq. (3) by hand, the CVR tower learns through the product only,
and ShopSim's post-click conversion mode (z = 1 implies y = 1, a true pCVR for every impression)."""
import hashlib
import math

import pytest
import torch
from torch.testing import assert_close

from course_lib.data import ShopSim
from course_lib.errors import InputError
from course_lib.models import ESMM
from course_lib.models.esmm import ctcvr_logit, esmm_loss
from course_lib.train import fit, predict


@pytest.fixture(scope="module")
def funnel():
    return ShopSim(seed=0, n_users=300, n_items=200, n_categories=8, max_len=8, conversion="post_click",
                   selection=1.5).generate(20_000)


def test_pctcvr_is_the_product_of_the_towers(funnel):
    torch.manual_seed(0)
    model = ESMM(funnel.vocab, embed_dim=4, hidden=8).eval()
    batch = funnel.batch(torch.arange(10))
    a, b = model.tower_logits(batch)
    p = torch.sigmoid(model(batch))  # (B, 2): pCTR, pCTCVR
    assert p.shape == (10, 2)
    assert_close(p[:, 0], torch.sigmoid(a))
    assert_close(p[:, 1], torch.sigmoid(a) * torch.sigmoid(b))  # Eq. (1)
    assert_close(model.cvr(batch), torch.sigmoid(b))
    assert model.embed is not None and not hasattr(model, "cvr_embed")  # one table, shared by both towers


def test_loss_is_equation_3_by_hand():
    ctr, cvr = torch.tensor([0.0, math.log(3.0)]), torch.tensor([math.log(1 / 3), 0.0])  # pCTR (.5, .75), pCVR (.25, .5)
    click, conversion = torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])  # second: a conversion without a click
    # pCTCVR = (0.125, 0.375); the labels y & z = (1, 0)
    expected = -(math.log(0.5) + math.log(0.25)) / 2 - (math.log(0.125) + math.log(1 - 0.375)) / 2
    assert_close(esmm_loss(ctr, cvr, click, conversion), torch.tensor(expected))
    assert_close(torch.sigmoid(ctcvr_logit(ctr, cvr)), torch.tensor([0.125, 0.375]))
    tiny = ctcvr_logit(torch.tensor([-40.0]), torch.tensor([-40.0]))  # 1e-35: no underflow to -inf
    assert torch.isfinite(tiny).all() and abs(float(tiny) + 80) < 1e-3


def test_cvr_tower_learns_through_the_product_only(funnel):
    torch.manual_seed(0)
    model = ESMM(funnel.vocab, embed_dim=4, hidden=8)
    batch = funnel.batch(torch.arange(64))
    y = torch.stack([batch["click"], batch["conversion"]], -1)
    model.loss(batch, y)[1].backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.cvr_tower.parameters())
    model.zero_grad()
    _, b = model.tower_logits(batch)
    torch.nn.functional.binary_cross_entropy_with_logits(model.tower_logits(batch)[0], y[:, 0]).backward()
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in model.cvr_tower.parameters())  # CTR loss: no CVR grad


def test_fit_trains_through_loss_and_esmm_beats_chance(funnel):
    train, test = funnel.split((0.8, 0.2), seed=0)
    torch.manual_seed(0)
    model = ESMM(funnel.vocab, embed_dim=4, hidden=16)
    history = fit(model, train, epochs=2, batch_size=256, lr=3e-3, label=("click", "conversion"), progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    p = predict(model, test)
    assert p.shape == (len(test), 2) and (p[:, 1] <= p[:, 0] + 1e-6).all()  # pCTCVR <= pCTR
    true = test.truth["cvr_prob"]
    with torch.no_grad():
        model.eval()
        cvr = torch.cat([model.cvr(b) for b in test.loader(4096)])
    assert torch.corrcoef(torch.stack([cvr, true.float()]))[0, 1] > 0.15  # pCVR follows the truth on ALL impressions


def _digest(d):
    h = hashlib.sha256()
    for part in (d.features, d.labels, d.truth):
        for k in sorted(part):
            h.update(k.encode())
            h.update(part[k].contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def test_default_output_is_bit_for_bit_unchanged():
    # Digests of ShopSim's output computed with the code before the post-click mode existed.
    assert _digest(ShopSim().generate(3000)) == "ba3b1f158454741b"
    kwargs = dict(conversion_correlation=0.9, drift=0.5, cross_strength=1.0, seed=3)
    assert _digest(ShopSim(**kwargs).generate(3000)) == "6cf70e9b7275fcd3"


def test_post_click_mode_is_a_funnel_with_a_true_pcvr_everywhere(funnel):
    plain = ShopSim(seed=0, n_users=300, n_items=200, n_categories=8, max_len=8).generate(20_000)
    for k in plain.features:  # the features and clicks are those of the default mode
        assert torch.equal(plain.features[k], funnel.features[k])
    assert torch.equal(plain.labels["click"], funnel.labels["click"])
    click, conv, t = funnel.labels["click"], funnel.labels["conversion"], funnel.truth
    assert (conv <= click).all() and conv.sum() > 100  # z = 1 implies y = 1
    assert torch.equal(conv.bool(), click.bool() & t["converted_if_clicked"])
    assert_close(t["ctcvr_prob"], t["click_prob"] * t["cvr_prob"])
    assert t["cvr_prob"].shape == (20_000,) and ((t["cvr_prob"] > 0) & (t["cvr_prob"] < 1)).all()
    # converted_if_clicked is drawn from pCVR for every impression: its rate matches on the non-clicked too
    unclicked = click == 0
    assert abs(float(t["converted_if_clicked"][unclicked].float().mean() - t["cvr_prob"][unclicked].mean())) < 0.015


def test_selection_controls_the_bias_of_the_clicked_sample():
    gap = {}
    for s in (0.0, 1.0, 2.0):
        d = ShopSim(seed=0, n_users=300, n_items=200, n_categories=8, max_len=8, conversion="post_click",
                    selection=s).generate(20_000)
        clicked = d.labels["click"] > 0
        gap[s] = float(d.truth["cvr_prob"][clicked].mean() - d.truth["cvr_prob"].mean())  # selection bias
    assert abs(gap[0.0]) < 0.03 and gap[1.0] > gap[0.0] + 0.04 and gap[2.0] > gap[1.0] + 0.03


@pytest.mark.parametrize("kwargs, message", [
    (dict(conversion="after_click"), "choose 'independent'"),
    (dict(selection=-1.0), "selection=-1.0"),
    (dict(cvr_bias=math.nan), "cvr_bias=nan"),
])
def test_bad_post_click_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        ShopSim(**kwargs)
