"""`device`: fit, predict and evaluate train and score where they are told, on any machine's CPU.

The `meta` device stands in for a GPU: tensors on it have shapes and a device but no values, so a spy model
can see where fit and predict put the model and every batch without any GPU here."""
import pytest
import torch
from torch import nn

from course_lib import train as training
from course_lib.data import ShopSim
from course_lib.errors import InputError
from course_lib.experiments import run_on_real_data
from course_lib.models import EmbeddingMLP
from course_lib.train import evaluate, fit, predict


class Stop(Exception):
    pass


class Spy(nn.Module):
    """Records the device of its weight and of every tensor of each batch it is given."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.seen: list[set[str]] = []

    def forward(self, batch):
        self.seen.append({self.weight.device.type} | {v.device.type for v in batch.values()})
        if self.training:
            raise Stop  # fit got as far as the first forward pass: enough to see where everything went
        return torch.zeros(len(next(iter(batch.values()))))  # on the CPU: predict's .cpu() needs values


@pytest.fixture(scope="module")
def data():
    return ShopSim(n_users=50, n_items=40, n_categories=5, max_len=6, seed=0).generate(300)


def test_fit_moves_the_model_and_every_batch_to_the_device(data, monkeypatch):
    monkeypatch.setattr(training, "adam", lambda params, lr, weight_decay=0.0: torch.optim.SGD(params, lr=lr))
    spy = Spy()  # (fused Adam has no meta kernels; SGD is built the same way, after the model has moved)
    with pytest.raises(Stop):
        fit(spy, data, device="meta", progress=False)
    assert spy.seen == [{"meta"}]


def test_predict_sends_every_batch_to_the_models_device(data):
    spy = Spy().to("meta")
    p = predict(spy, data, batch_size=128)
    assert spy.seen == [{"meta"}] * 3 and p.shape == (len(data),) and p.device.type == "cpu"


def test_the_default_is_the_cpu_and_results_come_back_to_it(data):
    model = EmbeddingMLP(data.vocab, embed_dim=4, hidden=(8,))
    fit(model, data, epochs=1, progress=False)
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert set(evaluate(model, data)) == {"auc", "gauc", "logloss"}


@pytest.mark.parametrize("device, check, message", [
    ("cuda", "torch.cuda.is_available", r"no CUDA device here \(device='cuda'\); use device='cpu'"),
    ("cuda:1", "torch.cuda.is_available", r"no CUDA device here \(device='cuda:1'\); use device='cpu'"),
    ("mps", "torch.backends.mps.is_available", r"no Apple-silicon GPU here \(device='mps'\); use device='cpu'"),
])
def test_a_device_this_machine_lacks_is_a_clear_error(data, monkeypatch, device, check, message):
    monkeypatch.setattr(check, lambda: False)  # as on a laptop without that GPU, whatever this machine has
    model = EmbeddingMLP(data.vocab, embed_dim=4, hidden=(8,))
    with pytest.raises(InputError, match=message):
        fit(model, data, device=device, progress=False)
    with pytest.raises(InputError, match=message):  # the notebooks' DEVICE: refused before any data is read
        run_on_real_data("sim", chapter=2, device=device)
    assert {p.device.type for p in model.parameters()} == {"cpu"}  # refused before anything moved


@pytest.mark.parametrize("name", ["gpu", "", 0.5])
def test_a_device_name_torch_does_not_know_is_an_error(name):
    with pytest.raises(InputError, match=r"is not a device torch knows: use 'cpu', 'cuda' or 'mps'"):
        training.device_of(name)
