"""Every bad input of the learner audit (issue 21), each with the course's own message: what was wrong and how to
fix it, never a bare error from deep inside torch or numpy, never a silent wrong result. The progress file's
cases (wrong value types, deep nesting, read-only folders, concurrent writers) are in test_progress.py, random
inputs in test_properties.py."""
import gzip
import math
import warnings

import numpy as np
import pytest
import torch

from course_lib import glossary
from course_lib.data import CTRData, ShopSim
from course_lib.data import shopsim
from course_lib.data.real import census
from course_lib.data.real.amazon import load_amazon
from course_lib.data.real.common import RawFormatError, lines
from course_lib.errors import InputError
from course_lib.exercises import dcn as ex_dcn, emb as ex_emb, mmoe as ex_mmoe
from course_lib.glossary import UnknownTerm
from course_lib.metrics import auc, gauc, logloss, relaimpr
from course_lib.models import DIN, EmbeddingMLP, MultiTaskCTR
from course_lib.quiz import ask, progress
from course_lib.train import fit, predict, targets


@pytest.fixture(scope="module")
def world() -> ShopSim:
    return ShopSim(seed=0, n_users=60, n_items=80, n_categories=6, max_len=8)


@pytest.fixture(scope="module")
def data(world) -> CTRData:
    return world.generate(400)


def relabel(data: CTRData, **columns) -> CTRData:
    return CTRData(data.features, data.labels | columns, data.vocab)


# --------------------------------------------------------------------------- wrong results or crashes

@pytest.mark.parametrize("labels, message", [
    (lambda y: y * 2, r"label 'click' must hold only 0 and 1 .*\[0\.0, 2\.0\]"),
    (lambda y: y * 2 - 1, r"must hold only 0 and 1 .*\[-1\.0, 1\.0\]"),
    (lambda y: torch.where(y > 0, torch.nan, y), r"must hold only 0 and 1 .* and NaN"),
])
def test_fit_refuses_labels_that_are_not_0_or_1(data, labels, message):
    model = EmbeddingMLP(data.vocab)
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(InputError, match=message):
        fit(model, relabel(data, click=labels(data.labels["click"])), epochs=1, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # refused before any step


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_fit_takes_integer_and_bool_labels_as_the_same_float_labels(data, dtype):
    losses = []
    for y in (data.labels["click"], data.labels["click"].to(dtype)):
        torch.manual_seed(0)
        losses.append(fit(EmbeddingMLP(data.vocab), relabel(data, click=y), epochs=1, progress=False).train_loss)
    assert losses[0] == losses[1]


def test_auc_refuses_two_tasks_at_once(world):
    data = world.generate(300)
    model = MultiTaskCTR(data.vocab)
    with pytest.raises(InputError, match=r"one column each.*auc\(y\[:, k\], p\[:, k\]\)"):
        auc(targets(data.labels, ("click", "conversion")), predict(model, data))


@pytest.mark.parametrize("model, base", [(70, 60), (0.7, 0.4), (0.7, 0.5), (1.2, 0.7), (math.nan, 0.7)])
def test_relaimpr_refuses_aucs_outside_its_range(model, base):
    with pytest.raises(InputError, match="(?i)relaimpr"):
        relaimpr(model, base)


@pytest.mark.parametrize("setting, message", [
    (dict(ctr=1.5), r"ctr=1\.5: give a number in \(0, 1\)"),
    (dict(item_noise=0), r"item_noise=0"),
    (dict(latent_dim=0), r"latent_dim=0: give a whole number >= 1"),
    (dict(memory=0, drift=0.5), r"memory=0"),
    (dict(n_users=0), r"n_users=0: give a whole number >= 1"),
    (dict(n_users=-5), r"n_users=-5"),
    (dict(seed=-1), r"seed=-1: give a whole number >= 0"),
    (dict(seed=None), r"seed=None"),
    (dict(n_users=2.5), r"n_users=2\.5"),
])
def test_shopsim_names_an_impossible_setting(setting, message):
    with pytest.raises(InputError, match="ShopSim: " + message):
        ShopSim(**setting)


def test_shopsim_says_how_long_a_huge_world_takes(monkeypatch, capsys):
    monkeypatch.setattr(shopsim, "SLOW_USERS", 100)  # stands in for 20 million users
    ShopSim(n_users=150, n_items=50, n_categories=5)
    assert "drawing the interests of 150 users" in capsys.readouterr().err


def test_split_refuses_fractions_that_leave_nothing(data):
    with pytest.raises(InputError, match="positive numbers that sum to 1"):
        data.split((math.nan, math.nan))
    with pytest.raises(InputError, match=r"leave a part with 0 rows"):
        data.split((0.999, 0.001))


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_loader_refuses_a_batch_size_that_is_not_a_count(data, size):
    with pytest.raises(InputError, match=r"batch_size=.*: give a whole number >= 1"):
        data.loader(size)


@pytest.mark.parametrize("setting", [dict(epochs=-1), dict(epochs=0), dict(batch_size=-1), dict(epochs=1.5)])
def test_fit_refuses_counts_that_would_do_nothing(data, setting):
    with pytest.raises(InputError, match=f"{next(iter(setting))}=.*: give a whole number >= 1"):
        fit(EmbeddingMLP(data.vocab), data, progress=False, **setting)


@pytest.mark.parametrize("build, message", [
    (lambda v: MultiTaskCTR(v, n_experts=0), "n_experts=0"),
    (lambda v: EmbeddingMLP(v, embed_dim=0), "embed_dim=0"),
    (lambda v: DIN(v, hidden=(0,)), "hidden"),
])
def test_models_refuse_sizes_of_zero(data, build, message):
    with pytest.raises(InputError, match=message):
        build(data.vocab)


def test_an_exercise_check_does_not_pass_a_number_written_as_text(capsys):
    reference = ex_emb.gauc.reference
    assert not ex_emb.gauc.check(lambda *args: str(round(float(reference(*args)), 4)))
    assert "str" in capsys.readouterr().out


# --------------------------------------------------------------------------- errors that say what to do

def test_an_empty_batch_or_an_empty_history_is_named(data):
    model = DIN(data.vocab).eval()
    empty = data.batch(torch.arange(0))
    with pytest.raises(InputError, match="the batch is empty"):
        model(empty)
    width0 = data.batch(torch.arange(4)) | {"hist_item": torch.zeros(4, 0, dtype=torch.long),
                                            "hist_cat": torch.zeros(4, 0, dtype=torch.long)}
    with pytest.raises(InputError, match="T = 0|no behaviour"):
        model(width0)


def test_numpy_ids_and_wrong_containers_say_how_to_convert(data):
    model = DIN(data.vocab).eval()
    batch = data.batch(torch.arange(8))
    with pytest.raises(InputError, match=r"torch\.as_tensor"):
        model({k: v.numpy() for k, v in batch.items()})
    with pytest.raises(InputError, match="dict"):
        model([batch])
    with pytest.raises(InputError, match=r"batch\(|loader"):
        model(data)


@pytest.mark.parametrize("metric", [
    lambda y, s: auc(y, s), lambda y, s: logloss(y, s), lambda y, s: gauc(y, s, np.arange(len(y)) % 2)])
def test_metrics_refuse_nan_scores_and_empty_input(metric):
    y = np.array([0, 1, 0, 1.0])
    with pytest.raises(InputError, match="NaN|finite"):
        metric(y, np.array([0.1, math.nan, 0.3, 0.4]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        with pytest.raises(InputError, match="empty"):
            metric(np.array([]), np.array([]))


def test_fit_suggests_the_label_that_fits_the_model(world):
    data = world.generate(300)
    with pytest.raises(InputError, match=r"label=\('click', 'conversion'\)"):
        fit(MultiTaskCTR(data.vocab), data, epochs=1, progress=False)
    with pytest.raises(InputError, match=r"label=\('click', 'conversion'\)"):
        fit(EmbeddingMLP(data.vocab), data, label=("click", "conversion"), epochs=1, progress=False)
    with pytest.raises(InputError, match=r"no label 'purchase' in this dataset; its labels are \['click', 'conv"):
        fit(EmbeddingMLP(data.vocab), data, label="purchase", epochs=1, progress=False)


@pytest.mark.parametrize("exercise, wrong_cause", [
    (ex_dcn.cross_layer_v1, "examples of the batch interact"),
    (ex_mmoe.softmax_gate, "overflowed"),
    (ex_emb.masked_mean, "empty histories"),
])
def test_an_all_nan_answer_is_called_what_it_is(exercise, wrong_cause, capsys):
    def all_nan(*args):
        return torch.full_like(exercise.reference(*args), math.nan)
    assert not exercise.check(all_nan)
    out = capsys.readouterr().out
    assert "NaN" in out and wrong_cause not in out


def write_census(root, train: bytes):
    (root / "census").mkdir()
    for name in ("census-income.data", "census-income.test"):
        (root / "census" / name).write_bytes(train)


@pytest.mark.parametrize("content, message", [
    (b"", r"census-income\.data: the file is empty"),
    (b"\xff\xfe not text\n", r"census-income\.data.* not UTF-8 text"),
    (gzip.compress(b"39, Private\n", mtime=0), None),  # a gzip file under the plain name is read as gzip: no error
], ids=["empty", "not UTF-8", "gzip under the plain name"])  # ids, not bytes: every xdist worker collects the same
def test_census_raw_files_that_are_empty_binary_or_gzip_under_the_plain_name(tmp_path, content, message):
    write_census(tmp_path, content)
    if message is None:
        with pytest.raises(RawFormatError, match=r"census-income\.data, line 1"):  # the line's columns, not gzip
            census.load_census(tmp_path)
    else:
        with pytest.raises(RawFormatError, match=message):
            census.load_census(tmp_path)


def test_a_truncated_gzip_file_is_named(tmp_path):
    text = tmp_path / "census-income.data"
    zipped = gzip.compress(b"".join(b"line %d\n" % i for i in range(10_000)))
    text.write_bytes(zipped[: len(zipped) // 2])
    with pytest.raises(RawFormatError, match=r"census-income\.data, line \d+: the gzip file is damaged or cut short"):
        list(lines(text))


def test_an_empty_amazon_metadata_file_is_named(tmp_path):
    (tmp_path / "amazon").mkdir()
    (tmp_path / "amazon" / "reviews_Electronics_5.json").write_text(
        '{"reviewerID": "u", "asin": "a", "unixReviewTime": 1}\n{"reviewerID": "u", "asin": "b", "unixReviewTime": 2}\n')
    (tmp_path / "amazon" / "meta_Electronics.json").write_text("")
    with pytest.raises(RawFormatError, match=r"meta_Electronics\.json: the file is empty"):
        load_amazon(tmp_path)


@pytest.mark.parametrize("query, term", [("ＡＵＧＲＵ", "AUGRU"), ("輔助損失", "auxiliary loss")])
def test_glossary_finds_full_width_and_traditional_spellings(query, term):
    assert glossary(query).term.lower() == term.lower()


@pytest.mark.parametrize("call, message", [
    (lambda: glossary(None), r"look a term up by its name.*got None"),
    (lambda: ask(None), r"ask for a question by its id.*got None"),
    (lambda: ask(""), r"ask for a question by its id.*got ''"),
    (lambda: progress(99), r"unknown chapter 99; choose 1 or emb, 2 or din"),
    (lambda: progress("nope"), r"unknown chapter 'nope'"),
])
def test_wrong_arguments_to_the_notebook_helpers_say_what_they_take(call, message):
    with pytest.raises((InputError, UnknownTerm, LookupError, ValueError), match=message):
        call()


def test_progress_takes_a_chapter_by_number_or_key():
    assert progress("din").table.rows == progress(2).table.rows
