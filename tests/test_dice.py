"""Dice (DIN paper, section 5.2, Eq. (9)) against its formula in training and inference, and its PReLU limit."""
import pytest
import torch
from torch import nn
from torch.testing import assert_close

from course_lib.nn import MLP, Dice, dice
from course_lib.nn.mlp import activation_layer


def by_hand(x, mean, var, alpha, eps=1e-8):
    p = 1 / (1 + torch.exp(-(x - mean) / torch.sqrt(var + eps)))
    return p * x + (1 - p) * alpha * x


def test_training_uses_batch_statistics():
    torch.manual_seed(0)
    x = torch.randn(16, 5) * 3 + 1
    layer = Dice(5)
    with torch.no_grad():
        layer.alpha.copy_(torch.tensor([0.0, 0.1, 0.25, -0.3, 1.0]))
    mean = x.mean(0)
    var = ((x - mean) ** 2).mean(0)  # biased, as batch normalization normalizes
    assert_close(layer.train()(x), by_hand(x, mean, var, layer.alpha.detach()))


def test_statistics_are_taken_per_neuron_over_every_leading_dimension():
    torch.manual_seed(1)
    x = torch.randn(4, 6, 3)  # (B, T, H): the attention unit's shape
    layer = Dice(3).train()
    flat = x.reshape(24, 3)
    assert_close(layer(x), by_hand(x, flat.mean(0), flat.var(0, unbiased=False), torch.tensor(0.25)))


def test_moving_averages_update_in_training_only():
    x = torch.tensor([[1.0, -2.0], [3.0, 2.0]])  # means (2, 0), unbiased variances (2, 8)
    layer = Dice(2, momentum=0.1).train()
    layer(x)
    assert_close(layer.running_mean, torch.tensor([0.2, 0.0]))  # 0.9 * 0 + 0.1 * mean
    assert_close(layer.running_var, torch.tensor([1.1, 1.7]))  # 0.9 * 1 + 0.1 * var, as nn.BatchNorm1d
    layer.eval()(x * 10)
    assert_close(layer.running_mean, torch.tensor([0.2, 0.0]))


def test_inference_uses_moving_averages_so_rows_do_not_interact():
    torch.manual_seed(2)
    layer = Dice(4).eval()
    layer.running_mean.copy_(torch.tensor([0.5, -1.0, 0.0, 2.0]))
    layer.running_var.copy_(torch.tensor([1.0, 4.0, 0.25, 9.0]))
    x = torch.randn(8, 4)
    out = layer(x)
    assert_close(out, by_hand(x, layer.running_mean, layer.running_var, torch.tensor(0.25)))
    assert_close(layer(x[3:4]), out[3:4])  # a row alone gets what it got inside the batch


def test_prelu_is_the_limit_of_zero_mean_and_zero_variance():
    x = torch.tensor([[-3.0, -0.5, -0.02, 0.02, 0.7, 4.0]]).T.repeat(1, 3)  # (6, 3), |x| >> sqrt(eps) = 1e-4
    alpha = torch.tensor([0.25, 0.0, -0.5])
    prelu = nn.PReLU(3)
    with torch.no_grad():
        prelu.weight.copy_(alpha)
    assert_close(dice(x, torch.zeros(3), torch.zeros(3), alpha), prelu(x))
    layer = Dice(3).eval()
    layer.running_var.zero_()
    with torch.no_grad():
        layer.alpha.copy_(alpha)
    assert_close(layer(x), prelu(x))


def test_batch_of_one_in_training_is_half_way_and_leaves_the_averages():
    layer = Dice(3).train()
    x = torch.tensor([[2.0, -4.0, 0.0]])
    out = layer(x)  # variance 0, x - mean = 0: p = sigmoid(0) = 1/2
    assert_close(out, 0.5 * x + 0.5 * 0.25 * x)
    assert_close(layer.running_mean, torch.zeros(3))
    assert_close(layer.running_var, torch.ones(3))
    assert layer(torch.empty(0, 3)).shape == (0, 3)  # a batch with no behaviours at all: nothing to do


def test_gradients_match_the_formula_written_out():
    torch.manual_seed(3)
    x = (torch.randn(32, 4) * 2 + 1).requires_grad_()
    layer = Dice(4).train()
    layer(x).pow(2).sum().backward()
    fast_x, fast_alpha = x.grad.clone(), layer.alpha.grad.clone()
    x.grad, alpha = None, layer.alpha.detach().clone().requires_grad_()
    mean = x.mean(0)
    by_hand(x, mean, ((x - mean) ** 2).mean(0), alpha).pow(2).sum().backward()
    assert_close(fast_x, x.grad)
    assert_close(fast_alpha, alpha.grad)


def test_alpha_is_learned():
    layer = Dice(2).train()
    layer(torch.tensor([[1.0, -1.0], [-3.0, 2.0]])).sum().backward()
    assert layer.alpha.grad is not None and layer.alpha.grad.abs().sum() > 0


def test_mlp_accepts_dice_and_names_the_choices():
    mlp = MLP(4, (8, 3), activation="dice")
    assert [type(m) for m in mlp] == [nn.Linear, Dice, nn.Linear, Dice, nn.Linear]
    assert mlp[1].alpha.shape == (8,)
    with pytest.raises(ValueError, match="'relu', 'prelu' or 'dice'"):
        activation_layer("gelu", 3)
