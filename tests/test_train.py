"""The training loop: it learns the planted signal, reproducibly, and evaluates like the metrics module."""
import functools
import io

import torch
from tqdm.std import tqdm

from course_lib.data import ShopSim
from course_lib.metrics import auc, gauc
from course_lib.models import EmbeddingMLP, LogisticRegression
from course_lib.runtime import set_seed
from course_lib.train import evaluate, fit, predict, targets


def small():
    return ShopSim(seed=0, n_users=300, n_items=200, n_categories=8, max_len=20).generate(10_000).split((0.8, 0.2))


def test_fit_learns_and_is_reproducible():
    train, test = small()
    runs = []
    for _ in range(2):
        set_seed(0)
        model = EmbeddingMLP(train.vocab, embed_dim=4, hidden=16)
        history = fit(model, train, test, epochs=4, lr=5e-3)
        runs.append((history, predict(model, test)))
    (h, p), (h2, p2) = runs
    assert torch.equal(p, p2) and h.train_loss == h2.train_loss
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.valid[-1]["auc"] > 0.64  # the oracle scores 0.81 on this world, a constant 0.5
    assert set(h.valid[-1]) == {"auc", "gauc", "logloss"}


def test_evaluate_matches_metrics():
    train, test = small()
    set_seed(1)
    model = LogisticRegression(train.vocab)
    fit(model, train, epochs=1, lr=1e-2)
    p, y = predict(model, test), test.labels["click"]
    scores = evaluate(model, test)
    assert scores["auc"] == auc(y, p) and scores["gauc"] == gauc(y, p, test.features["user"])


def test_penalty_is_added_to_the_loss():
    train, _ = small()
    set_seed(0)
    model = LogisticRegression(train.vocab)
    # A penalty that pulls the bias to 5 must win over the data's base rate (about 20% clicks).
    fit(model, train, epochs=2, batch_size=64, lr=5e-2, penalty=lambda m, b: 10 * (m.bias - 5) ** 2)
    assert model.bias.item() > 4


def test_multi_task_labels():
    train, test = small()

    class TwoHeads(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.click, self.conversion = EmbeddingMLP(train.vocab, 4, 8), EmbeddingMLP(train.vocab, 4, 8)

        def forward(self, batch):
            return torch.stack([self.click(batch), self.conversion(batch)], -1)  # (B, 2)

    set_seed(0)
    model = TwoHeads()
    h = fit(model, train, test, epochs=1, label=("click", "conversion"))
    assert set(h.valid[0]) == {f"{t}/{m}" for t in ("click", "conversion") for m in ("auc", "gauc", "logloss")}
    assert predict(model, test).shape == (len(test), 2)


def test_targets_are_one_column_or_stacked_in_the_order_asked():
    labels = {"click": torch.tensor([1.0, 0.0]), "conversion": torch.tensor([0.0, 1.0])}
    assert torch.equal(targets(labels, "click"), torch.tensor([1.0, 0.0]))
    assert torch.equal(targets(labels, ("conversion", "click")), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))


def test_progress_bar_shows_the_running_loss_but_is_not_redrawn_every_step(monkeypatch):
    """A Jupyter bar redrawn after every step made a 2-epoch DCN fit 1.5x slower: only update() may redraw it."""
    train, _ = small()
    out = io.StringIO()
    # every update() redraws (no time limit), so any extra redraw per step would show up in the count
    monkeypatch.setattr("course_lib.train.tqdm", functools.partial(tqdm, file=out, mininterval=0, miniters=1))
    set_seed(0)
    fit(LogisticRegression(train.vocab), train, epochs=1, batch_size=1000, progress=True)
    steps = -(-len(train) // 1000)
    draws = [d for d in out.getvalue().split("\r") if "|" in d]  # the bar's drawings, not the clearing at close
    assert len(draws) <= steps + 1  # the opening draw and one per step
    assert any("loss=" in d for d in draws)
