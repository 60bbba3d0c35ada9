"""Terminal drill: ``python -m course_lib.quiz [CHAPTER] [--n N] [--tag interview] [--open] [--due] [--seed S]
[--lang zh]``.

Asks the self-checks of one chapter (a number or a key such as ``din``; all chapters if omitted) at the
prompt: answer with letters (``B`` or ``A,C``), ``?`` shows the hint, ``q`` stops. ``--open`` asks the open
interview questions instead: type your answer (an empty line ends it), read the model answer, then grade
yourself 0, 1 or 2 against the rubric. ``--due`` asks what spaced repetition says is due today, of both kinds.
Every answer gets the same feedback as the notebook widgets and is saved to the same progress file. Ctrl-C or
Ctrl-D stops the drill and prints the score so far. ``--lang zh`` asks in Chinese (default: COURSE_LIB_LANG).
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import textwrap

from .. import chapters, settings
from ..i18n import tr, use_language
from ..progress_file import INTERVALS, option_seed, record_answer, record_grade, shown_path
from . import grading
from .bank import OpenQuestion, Question, load_banks, load_open
from .drill import due

QUIT = {"q", "quit", "exit"}


class Stop(Exception):
    """The learner asked to stop."""


def chapter_arg(value: str) -> int:
    """argparse type for the CHAPTER argument (``chapters.chapter``, as argparse's error)."""
    try:
        return chapters.chapter(value).number
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_choice(text: str, q: Question) -> frozenset[int]:
    """``"B"``, ``"a, c"``, ``"AC"`` or ``"1 3"`` -> the positions shown (0 = A); ValueError with a message otherwise."""
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
            raise ValueError(tr("{token} is not an option: answer with letters A-{last}, e.g. {example} (? for a "
                                "hint, q to quit)", token=repr(t), last=last,
                                example="B" if q.type == "single" else "A,C"))
    if not chosen:
        raise ValueError(tr("type a letter A-{last} (? for a hint, q to quit)", last=last))
    if q.type == "single" and len(chosen) > 1:
        raise ValueError(tr("this question has exactly one answer: choose one letter"))
    return frozenset(chosen)


def _wrap(text: str, indent: str = "") -> str:
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    if settings.language() == "zh":
        width //= 2  # textwrap counts characters, and a Chinese character takes two columns
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent + "   ",
                         break_on_hyphens=False)


def _print_notes(notes: tuple[grading.Note, ...], marks: bool = True) -> None:
    for n in notes:
        print(_wrap(f"{n.letter} {n.mark + ' ' if marks else ''}{n.feedback}", "  "))


def _reply(prompt: str) -> str:
    reply = input(prompt).strip()
    if reply.lower() in QUIT:
        raise Stop
    return reply


def ask_choice(q: Question, number: int, total: int) -> bool:
    """Ask one self-check until it gets a valid answer; print the feedback; save and return whether it was right."""
    kind = tr("one answer") if q.type == "single" else tr("one or more answers, e.g. A,C")
    shown = grading.order(q, option_seed())  # the learner's order, as in the notebooks
    print("\n" + tr("Question {number}/{total}", number=number, total=total) + f"  [{q.id}, {kind}]")
    print(_wrap(q.question))
    for k, i in enumerate(shown):
        print(_wrap(f"{grading.letter(k)}. {q.options[i].text}", "  "))
    while True:
        reply = _reply(tr("Your answer (? hint, q quit): "))
        if reply == "?":
            print(_wrap(tr("Hint: {hint}", hint=q.hint), "  "))
            continue
        try:
            chosen = frozenset(shown[k] for k in parse_choice(reply, q))  # bank positions
        except ValueError as err:
            print(f"  {err}")
            continue
        break
    verdict = grading.grade(q, chosen, shown)
    print(tr(verdict.message))
    _print_notes(verdict.notes)
    if verdict.advice:
        print(_wrap(tr(verdict.advice), "  "))
    if not verdict.correct:
        answer = grading.answer_notes(q, shown)
        print(tr("The answer: {letters}", letters=", ".join(n.letter for n in answer)))
        _print_notes(answer, marks=False)
        print(_wrap(tr("Revisit: {section}", section=q.section), "  "))
    record_answer(q.id, verdict.correct, sorted(chosen))
    return verdict.correct


def ask_open(q: OpenQuestion, number: int, total: int) -> bool:
    """Ask one open question: the learner's answer, the model answer, their grade (saved). Right = graded 2."""
    print("\n" + tr("Interview question {number}/{total}", number=number, total=total) + f"  [{q.id}]")
    print(_wrap(q.question))
    print(tr("Your answer (an empty line ends it; q quits):"))
    lines = []
    while line := _reply("> " if not lines else "  "):
        lines.append(line)
    print("\n" + tr("A strong answer makes these points, in this order:"))
    for k, point in enumerate(q.answer, 1):
        print(_wrap(f"{k}. {point}", "  "))
    print(tr("What the interviewer asks next:"))
    for f in q.follow_ups:
        print(_wrap(f"- {f.question}", "  "))
        print(_wrap(f"  {f.answer}", "    "))
    for g in (2, 1, 0):
        print(_wrap(f"{g}: {q.rubric[g]}", "  "))
    while (grade := _reply(tr("Grade yourself 0, 1 or 2: "))) not in ("0", "1", "2"):
        print("  " + tr("type 0, 1 or 2, as the rubric above says (q to quit)"))
    state = record_grade(q.id, int(grade), "\n".join(lines))
    if state:
        print(tr("Saved; it comes back for review in {days} day(s).", days=INTERVALS[state["schedule"][q.id]["box"]]))
    return grade == "2"


def select(chapter: int | None, tag: str | None, n: int | None, seed: int | None,
           kind: str) -> list[Question | OpenQuestion]:
    if kind == "due":
        return list(due(limit=n))
    pool = load_open() if kind == "open" else load_banks()
    questions = [q for q in pool.values() if (chapter is None or q.chapter == chapter) and (tag is None or tag in q.tags)]
    random.Random(seed).shuffle(questions)
    return questions if n is None else questions[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.quiz", description=__doc__.splitlines()[0])
    parser.add_argument("chapter", nargs="?", type=chapter_arg,
                        help="chapter number or key (" + ", ".join(f"{c.number}={c.key}" for c in chapters.CHAPTERS)
                        + "); all chapters if omitted")
    parser.add_argument("--n", type=int, default=None, help="ask at most N questions")
    parser.add_argument("--tag", default=None, help="only questions with this tag, e.g. interview")
    parser.add_argument("--seed", type=int, default=None, help="seed of the question order (random if omitted)")
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--open", action="store_true", help="open interview questions with model answers")
    kinds.add_argument("--due", action="store_true", help="what spaced repetition says is due today (both kinds)")
    parser.add_argument("--lang", choices=settings.LANGUAGES, default=None,
                        help="language of the questions and messages (default: COURSE_LIB_LANG, else en)")
    args = parser.parse_args(argv)
    if args.lang:
        use_language(args.lang)
    if args.n is not None and args.n < 1:
        parser.error("--n must be at least 1")
    if args.due and (args.chapter is not None or args.tag):
        parser.error("--due asks across all chapters and tags: leave out CHAPTER and --tag")
    kind = "due" if args.due else "open" if args.open else "self-check"

    questions = select(args.chapter, args.tag, args.n, args.seed, kind)
    if not questions:
        if kind == "due":
            print(tr("Nothing is due today: answer questions in the notebooks or here, and they come back when due."))
            return 0
        where = tr("any chapter") if args.chapter is None else tr("chapter {n}", n=args.chapter)
        kind_name = tr("open questions") if args.open else tr("questions")
        print(tr("No {kind} in {where}", kind=kind_name, where=where)
              + (tr(" with tag {tag}", tag=repr(args.tag)) if args.tag else "") + ".", file=sys.stderr)
        return 1
    right, asked, missed = 0, 0, []
    try:
        for number, q in enumerate(questions, 1):
            ask_one = ask_open if isinstance(q, OpenQuestion) else ask_choice
            correct = ask_one(q, number, len(questions))
            asked += 1
            right += correct
            if not correct:
                missed.append(q)
    except (Stop, EOFError, KeyboardInterrupt):
        print("\n" + tr("Stopped."))
    print("\n" + tr("Score: {right}/{asked}", right=right, asked=asked) + (f" ({right / asked:.0%})" if asked else "")
          + ("" if asked == len(questions) else tr(", {n} not asked", n=len(questions) - asked)))
    for q in missed:
        print(_wrap(tr("- {id}: revisit {section}", id=q.id, section=q.section), "  "))
    print(tr("(saved in {path})", path=shown_path()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
