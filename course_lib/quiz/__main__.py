"""Terminal drill: ``python -m course_lib.quiz [CHAPTER] [--n N] [--tag interview] [--seed S]``.

Asks the questions of one chapter (a number or a key such as ``din``; all chapters if omitted) at the
prompt. Answer with letters (``B`` or ``A,C``); ``?`` shows the hint, ``q`` stops. Every answer gets the
same per-option feedback as the notebook widget and is saved to the same progress file. Ctrl-C or Ctrl-D
stops the drill and prints the score so far.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import textwrap

from . import grading
from .bank import CHAPTER_KEYS, Question, chapter_number, load_banks
from .progress import record_answer, shown_path

QUIT = {"q", "quit", "exit"}


class Stop(Exception):
    """The learner asked to stop."""


def chapter_arg(value: str) -> int:
    """argparse type for the CHAPTER argument (``bank.chapter_number``, as argparse's error)."""
    try:
        return chapter_number(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_choice(text: str, q: Question) -> frozenset[int]:
    """``"B"``, ``"a, c"``, ``"AC"`` or ``"1 3"`` -> option indices; ValueError with a message otherwise."""
    n = len(q.options)
    last = grading.letter(n - 1)
    tokens = [t for t in re.split(r"[\s,;]+", text.strip().upper()) if t]
    if len(tokens) == 1 and tokens[0].isalpha():
        tokens = list(tokens[0])  # "AC" -> A, C
    chosen = set()
    for t in tokens:
        if len(t) == 1 and "A" <= t <= last:
            chosen.add(ord(t) - ord("A"))
        elif t.isdigit() and 1 <= int(t) <= n:
            chosen.add(int(t) - 1)
        else:
            raise ValueError(f"{t!r} is not an option: answer with letters A-{last}, e.g. "
                             f"{'B' if q.type == 'single' else 'A,C'} (? for a hint, q to quit)")
    if not chosen:
        raise ValueError(f"type a letter A-{last} (? for a hint, q to quit)")
    if q.type == "single" and len(chosen) > 1:
        raise ValueError("this question has exactly one answer: choose one letter")
    return frozenset(chosen)


def _wrap(text: str, indent: str = "") -> str:
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent + "   ",
                         break_on_hyphens=False)


def _print_notes(notes: tuple[grading.Note, ...], marks: bool = True) -> None:
    for n in notes:
        print(_wrap(f"{n.letter} {n.mark + ' ' if marks else ''}{n.feedback}", "  "))


def ask_at_prompt(q: Question, number: int, total: int) -> bool:
    """Ask one question until it gets a valid answer; print the feedback; save and return whether it was right."""
    kind = "one answer" if q.type == "single" else "one or more answers, e.g. A,C"
    print(f"\nQuestion {number}/{total}  [{q.id}, {kind}]")
    print(_wrap(q.question))
    for i, option in enumerate(q.options):
        print(_wrap(f"{grading.letter(i)}. {option.text}", "  "))
    while True:
        reply = input("Your answer (? hint, q quit): ").strip()
        if reply.lower() in QUIT:
            raise Stop
        if reply == "?":
            print(_wrap(f"Hint: {q.hint}", "  "))
            continue
        try:
            chosen = parse_choice(reply, q)
        except ValueError as err:
            print(f"  {err}")
            continue
        break
    verdict = grading.grade(q, chosen)
    print(verdict.message)
    _print_notes(verdict.notes)
    if verdict.advice:
        print(_wrap(verdict.advice, "  "))
    if not verdict.correct:
        answer = grading.answer_notes(q)
        print(f"The answer: {', '.join(n.letter for n in answer)}")
        _print_notes(answer, marks=False)
        print(_wrap(f"Revisit: {q.section}", "  "))
    record_answer(q.id, verdict.correct)
    return verdict.correct


def select(chapter: int | None, tag: str | None, n: int | None, seed: int | None) -> list[Question]:
    questions = [q for q in load_banks().values()
                 if (chapter is None or q.chapter == chapter) and (tag is None or tag in q.tags)]
    random.Random(seed).shuffle(questions)
    return questions if n is None else questions[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.quiz", description=__doc__.splitlines()[0])
    parser.add_argument("chapter", nargs="?", type=chapter_arg,
                        help="chapter number or key (" + ", ".join(f"{n}={k}" for k, n in CHAPTER_KEYS.items())
                        + "); all chapters if omitted")
    parser.add_argument("--n", type=int, default=None, help="ask at most N questions")
    parser.add_argument("--tag", default=None, help="only questions with this tag, e.g. interview")
    parser.add_argument("--seed", type=int, default=None, help="seed of the question order (random if omitted)")
    args = parser.parse_args(argv)
    if args.n is not None and args.n < 1:
        parser.error("--n must be at least 1")

    questions = select(args.chapter, args.tag, args.n, args.seed)
    if not questions:
        where = "any chapter" if args.chapter is None else f"chapter {args.chapter}"
        print(f"No questions in {where}" + (f" with tag {args.tag!r}" if args.tag else "") + ".", file=sys.stderr)
        return 1
    right, asked, missed = 0, 0, []
    try:
        for number, q in enumerate(questions, 1):
            correct = ask_at_prompt(q, number, len(questions))
            asked += 1
            right += correct
            if not correct:
                missed.append(q)
    except (Stop, EOFError, KeyboardInterrupt):
        print("\nStopped.")
    print(f"\nScore: {right}/{asked}" + (f" ({right / asked:.0%})" if asked else "")
          + ("" if asked == len(questions) else f", {len(questions) - asked} not asked"))
    for q in missed:
        print(_wrap(f"- {q.id}: revisit {q.section}", "  "))
    print(f"(progress saved in {shown_path()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
