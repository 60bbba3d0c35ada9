"""The layout of course_lib: layers that point one way, lesson modules a learner reads on one screen or two.

    settings, errors, chapters          read by everything, import nothing of the course
    i18n                                the language setting and tr(): imports only settings (the package
                                        imports it for ``course_lib.use_language``)
    data -> nn -> models -> train       the lesson code: each imports only the layers before it
    regression, regularization, experiments, runtime, plots   above the lesson code they use
    progress_file                       the learner's saved state: imports only settings
    exercises, quiz, glossary           beside the lesson code: the quiz reads the exercises, never the reverse
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON = ("data", "nn", "models")

# module -> course_lib modules (and heavy libraries) it must NOT pull in when imported alone
NEVER = {
    "course_lib": ["torch", "course_lib.data", "course_lib.quiz"],
    "course_lib.settings": ["torch", "course_lib.data"],
    "course_lib.chapters": ["yaml", "torch", "course_lib.quiz"],
    "course_lib.i18n": ["yaml", "torch", "course_lib.quiz", "course_lib.exercises"],
    "course_lib.progress_file": ["torch", "ipywidgets", "course_lib.quiz", "course_lib.exercises"],
    "course_lib.data": ["course_lib.nn", "course_lib.models", "course_lib.train", "course_lib.quiz", "tqdm.auto"],
    "course_lib.nn": ["course_lib.models", "course_lib.train", "course_lib.quiz", "tqdm.auto"],
    "course_lib.models": ["course_lib.train", "course_lib.regression", "course_lib.quiz", "course_lib.exercises",
                          "tqdm.auto", "ipywidgets"],
    "course_lib.train": ["course_lib.quiz", "course_lib.exercises", "ipywidgets"],
    "course_lib.exercises": ["course_lib.quiz", "ipywidgets"],
    "course_lib.glossary": ["torch", "course_lib.quiz"],
}


@pytest.mark.parametrize("module", NEVER)
def test_importing_a_layer_alone_pulls_in_nothing_above_it(module):
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                cwd=ROOT).stdout.split())
    wrong = [m for m in NEVER[module] if m in loaded]
    assert not wrong, f"import {module} loads {wrong}"


def test_lesson_modules_fit_on_a_screen_or_two():
    """nn, models, data and training: about 200 lines each, so a reader finds each equation on one screen."""
    lesson = [p for layer in LESSON for p in (ROOT / "course_lib" / layer).glob("*.py")]
    lesson += [ROOT / "course_lib" / name for name in ("train.py", "regression.py", "metrics.py", "regularization.py")]
    long = {str(p.relative_to(ROOT)): n for p in lesson if (n := len(p.read_text().splitlines())) > 220}
    assert not long, f"split these modules: {long}"


def test_init_files_are_one_import_block_and_one_all():
    for init in (ROOT / "course_lib").rglob("__init__.py"):
        text = init.read_text()
        if init.parent.name == "glossary":  # the glossary's lookup lives in its package (python -m course_lib.glossary)
            continue
        assert "noqa: E402" not in text and text.count("__all__") <= 1, init
        assert "def " not in text and "class " not in text, f"{init}: definitions belong in a module"
