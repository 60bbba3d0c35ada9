"""Training on dense regression tasks, as in the MMoE paper's synthetic study (section 3.2): ``fit_mse``
minimises the sum over tasks of the mean squared error; ``fit_mse_runs`` trains R models of one architecture on
R datasets at once, the same computation vmapped (its test checks it equals R calls of ``fit_mse``).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.func import functional_call, stack_module_state

from .train import adam


def fit_mse(model: nn.Module, x: Tensor, y: Tensor, *, steps: int = 300, lr: float = 1e-3,
            batch_size: int | None = 128, seed: int = 0) -> list[float]:
    """Minimise the sum over tasks of the mean squared error with Adam; returns the loss per step.

    x (N, d), y (N, K). ``batch_size=None`` trains on the full batch. Mini-batches are drawn with
    replacement from a generator seeded by ``seed`` (the model's initialisation is up to the caller).
    """
    gen = torch.Generator().manual_seed(seed)
    optimizer = adam(model.parameters(), lr)
    losses = []
    for _ in range(steps):
        idx = torch.randint(len(x), (batch_size,), generator=gen) if batch_size else slice(None)
        loss = ((model(x[idx]) - y[idx]) ** 2).mean(0).sum()  # sum_k MSE_k
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def fit_mse_runs(models: list[nn.Module], x: Tensor, y: Tensor, *, steps: int = 300, lr: float = 1e-3,
                 batch_size: int | None = 128, seed: int = 0) -> Tensor:
    """``fit_mse`` for R models of one architecture on R datasets at once; returns the losses (R, steps).

    x (R, N, d), y (R, N, K). The R parameter sets are stacked and the forward pass is vmapped, so each
    step costs one pass instead of R. Adam works element by element and the runs' losses share no
    parameter, so this equals training each model alone (same mini-batch positions in every run).
    The trained weights are copied back into ``models``.
    """
    params, buffers = stack_module_state(models)  # name -> (R, ...) leaves that require grad
    base = models[0]
    run = lambda p, b, xb: functional_call(base, (p, b), (xb,))  # noqa: E731  one model, one batch
    forward = torch.vmap(run)  # (R, B, d) -> (R, B, K)
    gen = torch.Generator().manual_seed(seed)
    optimizer = adam(params.values(), lr)
    losses = []
    for _ in range(steps):
        idx = torch.randint(x.shape[1], (batch_size,), generator=gen) if batch_size else slice(None)
        per_run = ((forward(params, buffers, x[:, idx]) - y[:, idx]) ** 2).mean(1).sum(-1)  # (R,)
        optimizer.zero_grad()
        per_run.sum().backward()  # run r's gradient comes from run r's loss only
        optimizer.step()
        losses.append(per_run.detach())
    with torch.no_grad():
        for r, model in enumerate(models):
            for name, p in model.named_parameters():
                p.copy_(params[name][r])
    return torch.stack(losses, 1)  # (R, steps)
