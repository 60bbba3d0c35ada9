"""``python -m course_lib.glossary [TERM] [--markdown]``: one entry, every term, or docs/glossary.md."""
from __future__ import annotations

import argparse
import sys

from . import UnknownTerm, entries, glossary, markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.glossary",
                                     description="Look up a course term in English or Chinese.")
    parser.add_argument("term", nargs="*", help="a term, e.g. AUGRU or 辅助损失 (omit to list every term)")
    parser.add_argument("--markdown", action="store_true", help="print docs/glossary.md (generated from the data)")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
    elif args.term:
        try:
            print(glossary(" ".join(args.term)))
        except UnknownTerm as err:
            print(err, file=sys.stderr)
            return 1
    else:
        for e in entries():
            print(f"{e.term} · {e.zh}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
