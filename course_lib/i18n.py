"""The course in English and Chinese: the language setting and the Chinese of every message course_lib shows.

English is the source: every message is written in English where it is used, and ``tr`` looks it up in
``messages_zh.yaml`` (pairs of English message and Chinese) when the language is Chinese; a message kept as data is marked
``N_("...")`` where it is written and translated by ``tr`` where it is shown. A message with values is a template,
``tr("returned shape {got}, expected {expected}", got=..., expected=...)``, so the two languages may place
the values differently. Keyed by the English, a changed message has no Chinese until it is translated again;
tests/test_chinese.py finds every message of course_lib and fails on one without its Chinese, or on Chinese
of a message that no longer exists. The banks hold their Chinese beside the English (course_lib.quiz.bank),
the chapters theirs in translations/zh/ (tools/zh_notebooks.py).
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from functools import cache
from pathlib import Path

from . import settings
from .errors import InputError

CATALOGUE = Path(__file__).with_name("messages_zh.yaml")


def use_language(language: str) -> None:
    """Show the course's messages in ``language`` ("en" or "zh") from now on, in this process and the ones it
    starts; a Chinese chapter calls ``use_language("zh")`` in its first cell."""
    if language not in settings.LANGUAGES:
        raise InputError(f"use_language({language!r}): the course is written in "
                         f"{' and '.join(map(repr, settings.LANGUAGES))}")
    os.environ["COURSE_LIB_LANG"] = language


@cache
def catalogue() -> dict[str, str]:
    """English message -> its Chinese (the file is a list of {en, zh}: long keys read badly in YAML)."""
    import yaml  # on first use, so that `import course_lib` stays instant

    return {entry["en"]: entry["zh"] for entry in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))}


def N_(message: str) -> str:
    """Mark an English message kept as data (a constant, a table entry) for translation; ``tr`` translates it
    where it is shown. (gettext's ``N_``: the tests find every marked message.)"""
    return message


def tr(message: str, /, **values) -> str:
    """``message`` in the course's language, with ``values`` filled into its {placeholders}."""
    if settings.language() == "zh":
        message = catalogue().get(message, message)
    return message.format(**values) if values else message


def en_sha(text: str) -> str:
    """The hash a translation records of the English it translates (12 hex digits of SHA-256): when the
    English changes, the translation is stale until it is translated again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def width(text: str) -> int:
    """Columns ``text`` takes as shown (a terminal, an option label): a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
