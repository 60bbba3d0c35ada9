"""UCI census-income (KDD) for MMoE, as in the MMoE paper (its census-income experiment): two
groups of two tasks.

census-income.data (199,523 people) and census-income.test (99,762): 42 comma-separated columns per line
(``COLUMNS``), among them an instance weight (a sampling weight, not a feature) and the income label.

    task group 1:  income     income above $50K            (income_50k == "50000+.")
                   marital    never married                (marital_stat == "Never married")
    task group 2:  education  at least a college degree    (education in ``COLLEGE``)
                   marital    never married

The paper does not list which education values count as "college"; ``COLLEGE`` takes every college degree
(associate and above), not "Some college but no degree". The label columns of a group and the instance
weight are left out of the inputs (income_50k is a label, so it is never an input either). Numeric columns
are log-bucketed (``log_bucket``), so every input is a categorical field the course's models embed.
The paper splits the test file 1:1 into validation and test: ``test.split((0.5, 0.5), seed)`` does that.
Census has no candidate good or behaviour history: see ``common.no_goods``.
"""
from __future__ import annotations

import os

import numpy as np
import torch

from ..ctrdata import CTRData
from .common import RawFormatError, Source, encode, find, lines, log_bucket, no_goods, parse_int, split_fields

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
INCOME = {"- 50000.": 0.0, "50000+.": 1.0}
COLLEGE = frozenset({
    "Associates degree-occup /vocational", "Associates degree-academic program", "Bachelors degree(BA AB BS)",
    "Masters degree(MA MS MEng MEd MSW MBA)", "Prof school degree (MD DDS DVM LLB JD)", "Doctorate degree(PhD EdD)"})
TASKS = {1: ("income", "marital"), 2: ("education", "marital")}
LABEL_COLUMNS = {"income": "income_50k", "marital": "marital_stat", "education": "education"}


def read_census(file: str, root=None, max_rows: int | None = None) -> dict[str, np.ndarray]:
    """Every column of ``file`` as stripped strings; numeric columns checked to be integers."""
    path = find(SOURCE, file, root)
    rows = []
    for number, line in lines(path):
        if max_rows is not None and len(rows) >= max_rows:
            break
        f = [x.strip() for x in split_fields(path, number, line, ",", len(COLUMNS), "see census-income.names")]
        for name in NUMERIC:
            parse_int(path, number, f[COLUMNS.index(name)], name)
        if f[-1] not in INCOME:
            raise RawFormatError(path, number, f"the income label (last column) must be one of "
                                               f"{sorted(INCOME)}, got {f[-1]!r}")
        rows.append(f)
    table = np.array(rows, dtype=str).reshape(-1, len(COLUMNS))
    return {name: table[:, j] for j, name in enumerate(COLUMNS)}


def labels(columns: dict[str, np.ndarray], tasks: tuple[str, ...]) -> dict[str, torch.Tensor]:
    rules = {"income": lambda c: np.vectorize(INCOME.get)(c["income_50k"]),
             "marital": lambda c: c["marital_stat"] == "Never married",
             "education": lambda c: np.isin(c["education"], list(COLLEGE))}
    return {t: torch.as_tensor(rules[t](columns).astype(np.float32)) for t in tasks}


def load_census(root: str | os.PathLike | None = None, task_group: int = 1,
                max_rows: int | None = None) -> tuple[CTRData, CTRData]:
    """(train, test) with the labels of ``task_group`` (1: income + marital, 2: education + marital)."""
    if task_group not in TASKS:
        raise ValueError(f"task_group must be 1 (income, marital) or 2 (education, marital), got {task_group!r}")
    tasks = TASKS[task_group]
    train = read_census("census-income.data", root, max_rows)
    test = read_census("census-income.test", root, max_rows)
    dropped = {"instance_weight", "income_50k", *(LABEL_COLUMNS[t] for t in tasks)}
    inputs = [c for c in COLUMNS if c not in dropped]
    ids, vocab = ({}, {}), {}
    for name in inputs:
        a, b = train[name], test[name]
        if name in NUMERIC:
            a, b = log_bucket(a.astype(np.int64)), log_bucket(b.astype(np.int64))
        ids[0][name], ids[1][name], vocab[name] = encode(a, b)
    parts = []
    for columns, part in zip((train, test), ids):
        features, good_vocab = no_goods(len(columns["age"]))
        features |= {name: torch.as_tensor(v) for name, v in part.items()}
        parts.append(CTRData(features, labels(columns, tasks), vocab | good_vocab))
    return tuple(parts)
