"""The one place for what every library shares in the benchmark: data, sizes, optimizer, batches, seeds.

Every adapter (course.py, deepctr.py, rechub.py) reads its sizes from a ``Settings``; nothing else in
benchmarks/ hard-codes a hyper-parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

MODELS = ("DIN", "DIEN", "DCN", "MMoE")


@dataclass(frozen=True)
class Settings:
    # Data: one ShopSim world for every model, with interest drift (DIEN's case) and planted feature
    # crosses (DCN's case); the same train/test split for every library and seed.
    n_samples: int = 30_000
    n_users: int = 2000
    n_items: int = 1000
    n_categories: int = 20
    max_len: int = 30
    drift: float = 0.5
    cross_strength: float = 1.0
    data_seed: int = 0
    test_fraction: float = 0.2
    valid_fraction: float = 0.0  # rows moved out of training to choose a learning rate on (see sweep)
    # Models
    embed_dim: int = 8  # D per field; a good (item, cat) is 2D wide
    hidden: tuple[int, ...] = (200, 80)  # top MLP of DIN, DIEN and DCN's deep tower
    attention_hidden: tuple[int, ...] = (80, 40)  # DIN's local activation unit (and DeepCTR DIEN's)
    cross_layers: int = 3  # DCN-V2, full-rank W, parallel structure
    n_experts: int = 4  # MMoE: one-layer experts, one tower per task (click, conversion)
    expert_hidden: int = 64
    tower_hidden: int = 32
    aux_weight: float = 1.0  # DIEN's alpha in L = L_target + alpha * L_aux
    # Training: Adam, one shuffled pass per epoch in the same order for every library
    lr: float = 1e-3
    batch_size: int = 256
    epochs: int = 2
    seeds: tuple[int, ...] = (0, 1, 2)
    threads: int = 2  # torch.set_num_threads in every run
    peer_fused_adam: bool = False  # own loops: the peers' Adam with fused=True too (course_lib's fit always has it)

    def sweep(self, lr: float) -> Settings:
        """The learning-rate sweep's settings at ``lr``: 10% of the rows move from training to a validation
        part, on which each library's rate is chosen; the test rows stay the same."""
        return replace(self, lr=lr, valid_fraction=0.1)

    @classmethod
    def smoke(cls) -> Settings:
        """Tiny data, one seed: checks that the pipeline runs (numbers mean nothing)."""
        return cls(n_samples=1500, n_users=100, n_items=100, n_categories=5, max_len=10, seeds=(0,), threads=1)
