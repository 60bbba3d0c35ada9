"""course_lib: small, readable PyTorch implementations of the CTR-ranking models in the course.

Shape letters used in every docstring and ``# (...)`` comment:

    B  batch size                 T  history length (max_len, right-padded with id 0)
    F  number of context fields   D  embedding size of one field
    H  hidden size                E  number of experts
    K  number of tasks

The lesson code, each layer importing only the ones before it:
    data           ShopSim (the shopping simulator with known ground truth), the papers' datasets, CTRData, Vocab
    nn             layers: field embeddings, masked pooling, MLPs, and the papers' own layers
    models         one module per paper: EmbeddingMLP, DIN, DIEN, DCN, MMoE
    train          fit / predict / evaluate with a tqdm progress bar; regression: the MMoE synthetic study
    metrics        auc, gauc, logloss, relaimpr; regularization: DIN's mini-batch aware regularizer
Around it:
    settings, runtime      the environment settings, and a notebook's seeds, threads and figure folder
    experiments            each chapter's experiment on a paper's public dataset
    quiz, exercises        self-checks, open interview questions, spaced repetition; code exercises
    chapters, progress_file, glossary   the chapter table, the learner's saved progress, the English/Chinese terms
    i18n                   the language setting (``use_language("zh")``) and the Chinese of every message
"""
from .glossary import glossary  # the function; the module stays importable as course_lib.glossary
from .i18n import use_language

__version__ = "0.1.0"
__all__ = ["glossary", "use_language"]
