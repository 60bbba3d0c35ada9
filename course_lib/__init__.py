"""course_lib: small, readable PyTorch implementations of the CTR-ranking models in the course.

Shape letters used in every docstring and ``# (...)`` comment:

    B  batch size                 T  history length (max_len, right-padded with id 0)
    F  number of context fields   D  embedding size of one field
    H  hidden size                E  number of experts
    K  number of tasks

Modules
    data       ShopSim, the shopping simulator with known ground truth, and CTRData
    nn         layers: field embeddings, masked pooling, MLPs (and the papers' layers)
    models     EmbeddingMLP, LogisticRegression (and one module per paper)
    train      fit / predict / evaluate with a tqdm progress bar
    metrics    auc, gauc, logloss, relaimpr
    quiz       multiple-choice self-checks, progress, the terminal drill
    exercises  code exercises with checkers, hints and solutions
    glossary   ``glossary("AUGRU")`` / ``glossary("辅助损失")``: a course term in English and Chinese
"""
__version__ = "0.1.0"

from .glossary import glossary  # noqa: E402  (the function; the data module stays course_lib.glossary in sys.modules)

__all__ = ["glossary"]
