"""The course glossary: English terms with the Chinese terms of Chinese recsys material.

``course_lib.glossary("AUGRU")`` or ``course_lib.glossary("辅助损失")`` returns the entry (shown as Markdown
in a notebook, as text at a prompt; Chinese first, with the Chinese definition, when the course's language is
zh); case, spaces and punctuation do not matter ("shared bottom" finds
"Shared-Bottom"). An unknown term raises ``UnknownTerm`` listing the closest terms.

The data lives in ``terms.yaml`` beside this file (schema at its top) and nowhere else: docs/glossary.md
is generated from it with ``python -m course_lib.glossary --markdown > docs/glossary.md``. The chapters (number,
title, notebook) are those of ``course_lib.chapters``; the review chapter has no terms of its own.
"""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import settings
from ..chapters import CHAPTERS, Chapter
from ..i18n import tr

TERMS = Path(__file__).parent / "terms.yaml"
KEYS = ("term", "zh", "aka", "definition", "zh_definition", "avoid", "notebooks")


class GlossaryError(ValueError):
    """terms.yaml breaks the schema; the message names the entry and what to fix."""


class UnknownTerm(LookupError):
    """No entry has this name; the message lists the closest names."""


@dataclass(frozen=True)
class Entry:
    term: str
    zh: str
    aka: tuple[str, ...]
    definition: str
    zh_definition: str
    avoid: tuple[str, ...]  # Chinese renderings the course does not use (tests/test_chinese.py checks)
    notebooks: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, self.zh, *self.aka)

    def chapters(self, link: str | None = None) -> str:
        """Ch. 3 DIEN, Ch. 5 MMoE as text; with ``link`` (a path prefix) Markdown links [Ch. 3](...03_dien.ipynb)."""
        known = notebook_chapters()
        if link is not None:
            return ", ".join(f"[Ch. {known[nb].number}]({link}{nb}.ipynb)" for nb in self.notebooks)
        return ", ".join(tr("Ch. {n} {title}", n=known[nb].number, title=tr(known[nb].title)) for nb in self.notebooks)

    def _parts(self) -> tuple[str, str, str]:
        """The heading (the course's language first), the definition and the other names, as the language says."""
        if settings.language() == "zh":
            return f"{self.zh} · {self.term}", self.zh_definition, "、".join(self.aka)
        return f"{self.term} · {self.zh}", self.definition, ", ".join(self.aka)

    def __str__(self) -> str:
        heading, definition, aka = self._parts()
        also = "\n" + tr("also: {names}", names=aka) if aka else ""
        return f"{heading}{also}\n{definition}\n{tr('where: {chapters}', chapters=self.chapters())}"

    __repr__ = __str__  # at a prompt, show the entry itself

    def _repr_markdown_(self) -> str:
        heading, definition, aka = self._parts()
        first, _, second = heading.partition(" · ")
        also = " " + tr("(also: {names})", names=aka) if aka else ""
        return (f"**{first}** · {second}{also}\n\n{definition}\n\n"
                f"*{tr('where:')}* {self.chapters()}")


def notebook_chapters() -> dict[str, Chapter]:
    """The notebooks an entry may name, with their chapters, in order (``"04_dcn"`` -> chapter 4, "DCN and
    DCN-V2"); the review chapter teaches no terms of its own."""
    return {c.notebook: c for c in CHAPTERS if c.key != "review"}


@cache
def _simplified():
    """OpenCC's Traditional-to-Simplified converter, built on first use (輔助損失 -> 辅助损失)."""
    import opencc

    return opencc.OpenCC("t2s")


def _key(name: str) -> str:
    """Lookup key: full-width forms folded (NFKC: "ＡＵＧＲＵ" -> "AUGRU"), Traditional characters in Simplified,
    then case-folded letters and digits only ("Shared-Bottom", "shared bottom" -> "sharedbottom")."""
    name = unicodedata.normalize("NFKC", name)
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        name = _simplified().convert(name)
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GlossaryError(f"{where} must be a non-empty text, got {value!r} (quote it in terms.yaml)")
    return " ".join(value.split())


def _entry(raw, index: int, known: dict[str, Chapter]) -> Entry:
    name = raw.get("term", "?") if isinstance(raw, dict) else "?"
    where = f"{TERMS.name}: entry {index + 1} ({name!r})"
    if not isinstance(raw, dict) or set(raw) != set(KEYS):
        got = sorted(raw) if isinstance(raw, dict) else raw
        raise GlossaryError(f"{where}: needs exactly the keys {list(KEYS)}, got {got!r}")
    for field in ("aka", "avoid", "notebooks"):
        if not isinstance(raw[field], list):
            raise GlossaryError(f"{where}: {field} must be a list (write [] for none), got {raw[field]!r}")
    unknown = [nb for nb in raw["notebooks"] if nb not in known]
    if not raw["notebooks"] or unknown:
        raise GlossaryError(f"{where}: notebooks must name at least one of {list(known)}; unknown: {unknown}")
    return Entry(_text(raw["term"], f"{where}: term"), _text(raw["zh"], f"{where}: zh"),
                 tuple(_text(a, f"{where}: aka") for a in raw["aka"]),
                 _text(raw["definition"], f"{where}: definition"),
                 _text(raw["zh_definition"], f"{where}: zh_definition"),
                 tuple(_text(a, f"{where}: avoid") for a in raw["avoid"]), tuple(raw["notebooks"]))


@cache
def _load() -> tuple[tuple[Entry, ...], dict[str, Entry]]:
    import yaml  # imported on first use, so that `import course_lib` stays instant

    try:
        raw = yaml.safe_load(TERMS.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise GlossaryError(f"{TERMS.name} is not valid YAML: {err}") from err
    if not isinstance(raw, list):
        raise GlossaryError(f"{TERMS.name}: expected a list of entries")
    known = notebook_chapters()
    entries = tuple(_entry(r, i, known) for i, r in enumerate(raw))
    index: dict[str, Entry] = {}
    for e in entries:
        for name in e.names:
            other = index.setdefault(_key(name), e)
            if other is not e:
                raise GlossaryError(f"{TERMS.name}: the name {name!r} of {e.term!r} is also a name of "
                                    f"{other.term!r}; remove it from one of them")
        if len({_key(n) for n in e.names}) < len(e.names):
            raise GlossaryError(f"{TERMS.name}: {e.term!r} lists a name twice (case, spaces and punctuation "
                                f"are ignored in lookups): {list(e.names)}")
    return entries, index


def entries() -> tuple[Entry, ...]:
    """Every entry, in the order of terms.yaml."""
    return _load()[0]


def glossary(term: str) -> Entry:
    """The entry whose English term, Chinese term or other name is ``term`` (case, punctuation, full-width forms
    and Traditional characters ignored)."""
    if not isinstance(term, str) or not term.strip():
        raise UnknownTerm(f"look a term up by its name, a text such as 'AUGRU' or '辅助损失'; got {term!r}")
    index = _load()[1]
    key = _key(term)
    if key in index:
        return index[key]
    names = {_key(n): n for e in entries() for n in e.names}
    close = difflib.get_close_matches(key, names, n=6, cutoff=0.6) if key else []
    close += [k for k in names if len(key) >= 3 and key in k and k not in close]  # "gate" -> "update gate"
    near = list(dict.fromkeys(f"{index[k].term} ({index[k].zh})" for k in close))[:6]
    hint = f"did you mean {', '.join(near)}?" if near else "nothing close."
    raise UnknownTerm(f"no glossary entry for {term!r}: {hint} The full list: docs/glossary.md or "
                      f"`python -m course_lib.glossary`.")


def markdown() -> str:
    """docs/glossary.md: one table per chapter (the entry's first notebook), terms in alphabetical order."""
    lines = ["# Glossary · 术语表", "",
             "The course's terms in English and in the Chinese used by Chinese recommender-system material, with",
             "the chapters that use them. In a notebook: `course_lib.glossary(\"AUGRU\")` or",
             "`course_lib.glossary(\"辅助损失\")`; in a terminal: `python -m course_lib.glossary AUGRU`.", "",
             "<!-- Generated from course_lib/glossary/terms.yaml by "
             "`python -m course_lib.glossary --markdown > docs/glossary.md`: edit the YAML, not this file. -->"]
    cell = lambda s: s.replace("|", "\\|")  # noqa: E731  a pipe would end the table cell
    for nb, chapter in notebook_chapters().items():
        group = sorted((e for e in entries() if e.notebooks[0] == nb), key=lambda e: e.term.casefold())
        lines += ["", f"## Chapter {chapter.number} · {chapter.title}", "",
                  "| English | 中文 | Definition | 释义 | Chapters |", "|---|---|---|---|---|"]
        for e in group:
            also = f"<br>*also:* {cell(', '.join(e.aka))}" if e.aka else ""
            lines.append(f"| **{cell(e.term)}**{also} | {cell(e.zh)} | {cell(e.definition)} | {cell(e.zh_definition)} | "
                         f"{e.chapters(link='../notebooks/')} |")
    return "\n".join(lines) + "\n"
