"""The course's models; each ``forward(batch)`` returns click logits (B,) (multi-task: (B, K))."""
from .embedding_mlp import EmbeddingMLP, LogisticRegression

__all__ = ["EmbeddingMLP", "LogisticRegression"]
from .dcn import DCN  # noqa: E402
__all__ += ["DCN"]
