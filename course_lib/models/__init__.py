"""The course's models, one module per paper; each ``forward(batch)`` returns click logits (B,) (multi-task:
(B, K)) and ``mlp_input(batch)`` the dense vector its network reads above the embeddings."""
from .dcn import DCN
from .dien import DIEN
from .din import DIN
from .embedding_mlp import EmbeddingMLP, LogisticRegression
from .esmm import ESMM
from .mmoe import MMoE, MultiTaskCTR, OMoE, SharedBottom
from .ple import CGC, PLE

__all__ = ["CGC", "DCN", "DIEN", "DIN", "ESMM", "EmbeddingMLP", "LogisticRegression", "MMoE", "MultiTaskCTR", "OMoE",
           "PLE", "SharedBottom"]
