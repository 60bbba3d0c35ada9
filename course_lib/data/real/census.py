"""UCI census-income (KDD) for MMoE, as in the MMoE paper (its census-income experiment): two
groups of two tasks.

census-income.data (199,523 people) and census-income.test (99,762): 42 comma-separated columns per line
(``COLUMNS``), among them an instance weight (a sampling weight, not a feature) and the income label.

    task group 1:  income     income above $50K
                   marital    never married
    task group 2:  education  at least a college degree
                   marital    never married

``LABELS`` defines each label by its column and the values of that column that make it 1. The paper does
not list which education values count as "college": ``LABELS`` takes every college degree (associate and
above), not "Some college but no degree". The label columns of a group and the instance weight are left
out of the inputs (income_50k is a label, so it is never an input either). The numeric columns (``NUMERIC``) are
dense inputs, log-transformed and standardized (``common.log_standardized``); the others are categorical.
The paper splits the test file 1:1 into validation and test: ``test.split((0.5, 0.5), seed)`` does that.
Census has no candidate good or behaviour history: see ``common.tabular``.
"""
from __future__ import annotations

import os
from itertools import islice

import numpy as np

from ...errors import InputError
from ..ctrdata import CTRData
from .common import RawFormatError, Source, find, lines, parse_int, split_fields, tabular

SOURCE = Source(
    name="UCI census-income (KDD)", folder="census",
    files=("census-income.data", "census-income.test"),
    url="https://archive.ics.uci.edu/dataset/117/census+income+kdd",
    how="download the dataset's zip (census-income.data.gz and census-income.test.gz inside).")
COLUMNS = (
    "age", "class_worker", "det_ind_code", "det_occ_code", "education", "wage_per_hour", "hs_college",
    "marital_stat", "major_ind_code", "major_occ_code", "race", "hisp_origin", "sex", "union_member",
    "unemp_reason", "full_or_part_emp", "capital_gains", "capital_losses", "stock_dividends", "tax_filer_stat",
    "region_prev_res", "state_prev_res", "det_hh_fam_stat", "det_hh_summ", "instance_weight", "mig_chg_msa",
    "mig_chg_reg", "mig_move_reg", "mig_same", "mig_prev_sunbelt", "num_emp", "fam_under_18", "country_father",
    "country_mother", "country_self", "citizenship", "own_or_self", "vet_question", "vet_benefits",
    "weeks_worked", "year", "income_50k")
NUMERIC = ("age", "wage_per_hour", "capital_gains", "capital_losses", "stock_dividends", "num_emp", "weeks_worked")
BELOW_50K, ABOVE_50K = "- 50000.", "50000+."  # the only values of income_50k, the last column
# label -> (the column it is read from, the values of that column that make it 1)
LABELS = {
    "income": ("income_50k", (ABOVE_50K,)),
    "marital": ("marital_stat", ("Never married",)),
    "education": ("education", (
        "Associates degree-occup /vocational", "Associates degree-academic program", "Bachelors degree(BA AB BS)",
        "Masters degree(MA MS MEng MEd MSW MBA)", "Prof school degree (MD DDS DVM LLB JD)",
        "Doctorate degree(PhD EdD)")),
}
TASKS = {1: ("income", "marital"), 2: ("education", "marital")}


def read_census(file: str, root=None, max_rows: int | None = None) -> dict[str, np.ndarray]:
    """Every column of ``file`` as stripped strings; numeric columns checked to be integers."""
    path = find(SOURCE, file, root)
    rows = []
    for number, line in islice(lines(path), max_rows):
        f = [x.strip() for x in split_fields(path, number, line, ",", len(COLUMNS), "see census-income.names")]
        for name in NUMERIC:
            parse_int(path, number, f[COLUMNS.index(name)], name)
        if f[-1] not in (BELOW_50K, ABOVE_50K):
            raise RawFormatError(path, number, f"the income label (last column) must be one of "
                                               f"{[BELOW_50K, ABOVE_50K]}, got {f[-1]!r}")
        rows.append(f)
    return dict(zip(COLUMNS, np.array(rows, dtype=str).reshape(-1, len(COLUMNS)).T))


def inputs(columns: dict[str, np.ndarray], tasks: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The input fields: all columns but the instance weight, income and the tasks' labels; numbers as floats."""
    dropped = {"instance_weight", "income_50k", *(LABELS[t][0] for t in tasks)}
    return {c: columns[c].astype(np.float64) if c in NUMERIC else columns[c]
            for c in COLUMNS if c not in dropped}


def labels(columns: dict[str, np.ndarray], tasks: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each task's label: 1.0 where its column holds one of its positive values, else 0.0."""
    out = {}
    for task in tasks:
        column, positive = LABELS[task]
        out[task] = np.isin(columns[column], positive).astype(np.float32)
    return out


def load_census(root: str | os.PathLike | None = None, task_group: int = 1,
                max_rows: int | None = None) -> tuple[CTRData, CTRData]:
    """(train, test) with the labels of ``task_group`` (1: income + marital, 2: education + marital)."""
    if task_group not in TASKS:
        groups = " or ".join(f"{g} ({', '.join(names)})" for g, names in TASKS.items())
        raise InputError(f"task_group must be {groups}, got {task_group!r}")
    if max_rows is not None and max_rows < 1:
        raise InputError(f"max_rows={max_rows}: give a positive number of rows per file, or None for all")
    tasks = TASKS[task_group]
    train, test = (read_census(file, root, max_rows) for file in ("census-income.data", "census-income.test"))
    return tabular(inputs(train, tasks), labels(train, tasks), inputs(test, tasks), labels(test, tasks),
                   dense=NUMERIC)
