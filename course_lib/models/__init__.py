"""The course's models; each ``forward(batch)`` returns click logits (B,) (multi-task: (B, K))."""
from .embedding_mlp import EmbeddingMLP, LogisticRegression

__all__ = ["EmbeddingMLP", "LogisticRegression"]
from .din import DIN  # noqa: E402
__all__ += ["DIN"]
from .mmoe import MMoE, MultiTaskCTR, OMoE, SharedBottom  # noqa: E402
__all__ += ["MMoE", "MultiTaskCTR", "OMoE", "SharedBottom"]
from .dcn import DCN  # noqa: E402
__all__ += ["DCN"]
from .dien import DIEN  # noqa: E402
__all__ += ["DIEN"]
