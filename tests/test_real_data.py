"""Real-data loaders on tiny hand-made fixtures in the raw formats (tests/fixtures/raw/<dataset>/).

Expected tensors are worked out by hand from the fixture files (the comments say how); the fixtures are
invented rows, not copies of the datasets.
"""
import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from course_lib.data import (DATASETS, CTRData, DatasetNotFoundError, RawFormatError, Vocab, available, datasets_dir,
                             load, load_aliccp, load_amazon, load_census, load_criteo, load_movielens)
from course_lib.data.real.common import dense_ids, encode, log_standardized, right_padded, sample_users, tabular
from course_lib.experiments import EXPERIMENTS, run_on_real_data
from course_lib.models import DCN, DIEN, DIN, ESMM, EmbeddingMLP, LogisticRegression, MultiTaskCTR

RAW = Path(__file__).parent / "fixtures" / "raw"


def tensors(data: CTRData, *names: str) -> dict[str, list]:
    return {n: (data.features | data.labels)[n].tolist() for n in names}


def copy_with(tmp_path: Path, folder: str, file: str, edit) -> Path:
    """A copy of the fixture folder whose ``file`` is replaced by ``edit(list of lines)``."""
    shutil.copytree(RAW / folder, tmp_path / folder)
    path = tmp_path / folder / file
    raw = path.read_bytes().decode("latin-1").splitlines()
    path.write_bytes("\n".join(edit(raw)).encode("latin-1") + b"\n")
    return tmp_path


# ---------------------------------------------------------------- shared helpers

def test_encode_ids_rare_and_unseen_values_share_id_1():
    train = np.array(["b", "a", "b", "c", "b", "a"])
    ids_train, ids_test, n = encode(train, np.array(["a", "c", "z"]), min_count=2)
    # kept (count >= 2), sorted: a -> 2, b -> 3; c is rare and z unseen -> 1; 0 stays padding
    assert ids_train.tolist() == [3, 2, 3, 1, 3, 2] and ids_test.tolist() == [2, 1, 1] and n == 4


def test_dense_ids_number_raw_values_from_1_in_sorted_order():
    ids, names = dense_ids(["u9", "u1", "u9", "u5"])
    # sorted distinct: u1 -> 1, u5 -> 2, u9 -> 3; 0 stays padding, so the vocab size is 4
    assert ids.tolist() == [3, 1, 3, 2] and names.tolist() == ["u1", "u5", "u9"] and ids.dtype == np.int64
    ids, names = dense_ids(np.array([5, 1]), among=[5, 3, 1, 2])  # ids over all of among: 1 2 3 5 -> 1 2 3 4
    assert ids.tolist() == [4, 1] and names.tolist() == [1, 2, 3, 5]
    with pytest.raises(ValueError, match="7 is not among the 4 values"):
        dense_ids([1, 7], among=[5, 3, 1, 2])


def test_sample_users_keeps_whole_users_reproducibly():
    user = np.array(["a", "b", "a", "c", "b", "c", "d"])
    mask = sample_users(user, 2, np.random.default_rng(3))
    kept = set(user[mask].tolist())
    assert len(kept) == 2 and mask.tolist() == np.isin(user, list(kept)).tolist()  # every row of a kept user
    assert mask.tolist() == sample_users(user, 2, np.random.default_rng(3)).tolist()
    rng = np.random.default_rng(0)
    assert sample_users(user, None, rng).all() and sample_users(user, 4, rng).all()
    assert rng.integers(1 << 30) == np.random.default_rng(0).integers(1 << 30)  # no draw when all are kept


def test_tabular_encodes_categories_on_train_and_keeps_numbers_dense():
    train, test = tabular({"f": np.array(["x", "y", "x"]), "n": np.array([0.0, np.nan, 8.0])},
                          {"y": np.array([1, 0, 1])},
                          {"f": np.array(["y", "z"]), "n": np.array([3.0, np.nan])}, {"y": np.array([0, 1])},
                          min_count=2, dense=("n",))
    # x occurs twice in train -> 2; y once and z unseen -> 1 (other)
    assert train.features["f"].tolist() == [2, 1, 2] and test.features["f"].tolist() == [1, 1]
    assert train.vocab == test.vocab == Vocab({"f": 3}, dense=("n",))  # exactly the dataset's fields
    assert not train.vocab.sequences and train.max_len == 0 and "user" not in train.features
    assert test.labels["y"].dtype == torch.float32 and test.labels["y"].tolist() == [0.0, 1.0]
    assert train.features["n"].dtype == torch.float32 and test.features["n"][1] == 0  # missing: the mean


def test_log_standardized_logs_both_signs_and_standardizes_on_train():
    train, test = log_standardized(np.array([-1.0, 0.0, np.e - 1, np.nan]), np.array([np.e ** 2 - 1]))
    logged = np.array([-np.log(2), 0.0, 1.0])  # sign(x) log(1 + |x|)
    expected = (logged - logged.mean()) / logged.std()
    assert np.allclose(train[:3], expected, atol=1e-6) and train[3] == 0  # NaN -> the mean
    assert np.isclose(test[0], (2.0 - logged.mean()) / logged.std(), atol=1e-6)
    assert log_standardized(np.array([5.0, 5.0]), np.array([5.0]))[1][0] == 0  # no spread: centred, not NaN


def test_right_padded_keeps_the_most_recent_behaviours_oldest_first():
    seq = np.array([7, 8, 9, 4, 5])  # two users back to back: [7, 8, 9] and [4, 5]
    out = right_padded(seq, end=np.array([3, 3, 5, 4]), length=np.array([3, 2, 1, 0]), T=3)
    assert out.tolist() == [[7, 8, 9], [8, 9, 0], [5, 0, 0], [0, 0, 0]]


def test_datasets_dir_root_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_LIB_DATASETS", str(tmp_path))
    assert datasets_dir() == tmp_path and datasets_dir("elsewhere") == Path("elsewhere")
    monkeypatch.delenv("COURSE_LIB_DATASETS")
    assert datasets_dir().parts[-2:] == ("ctr-course", "datasets")


def test_load_finds_files_through_the_environment_variable(monkeypatch):
    monkeypatch.setenv("COURSE_LIB_DATASETS", str(RAW))
    assert all(available(name) for name in DATASETS)
    train, _ = load("movielens")
    assert len(train) > 0
    with pytest.raises(ValueError, match="unknown dataset 'taobao'"):
        load("taobao")


@pytest.mark.parametrize("name, folder, file, url", [
    ("amazon", "amazon", "reviews_Electronics_5.json", "snap.stanford.edu"),
    ("movielens", "movielens", "movies.dat", "files.grouplens.org/datasets/movielens/ml-1m.zip"),
    ("criteo", "criteo", "train.txt", "ailab.criteo.com"),
    ("census", "census", "census-income.data", "archive.ics.uci.edu"),
    ("aliccp", "aliccp", "sample_skeleton_train.csv", "tianchi.aliyun.com/dataset/408"),
])
def test_missing_files_say_where_to_download_and_where_to_put_them(tmp_path, name, folder, file, url):
    assert not available(name, tmp_path)
    with pytest.raises(DatasetNotFoundError) as err:
        load(name, root=tmp_path)
    message = str(err.value)
    assert f"{file} not found in {tmp_path / folder}" in message
    assert url in message and f"<datasets>/{folder}/" in message and "COURSE_LIB_DATASETS" in message


def test_gzipped_files_are_read_too(tmp_path):
    shutil.copytree(RAW / "criteo", tmp_path / "criteo")
    plain = tmp_path / "criteo" / "train.txt"
    with open(plain, "rb") as f, gzip.open(f"{plain}.gz", "wb") as g:
        shutil.copyfileobj(f, g)
    plain.unlink()
    a, b = load_criteo(tmp_path, max_rows=7, min_count=2), load_criteo(RAW, max_rows=7, min_count=2)
    assert all(torch.equal(a[0].features[k], b[0].features[k]) for k in a[0].features)


# ---------------------------------------------------------------- Amazon Electronics

def test_amazon_histories_targets_and_split_by_hand():
    train, test = load_amazon(RAW, seed=0)
    # Users sorted: A2UA..1 -> 1, A3UB..2 -> 2, A4UC..3 -> 3 (one review: no sample). Goods TEST1..5 -> 1..5.
    # Categories (last of the last path): Audio 1, Cables 2, Electronics 3, Lenses 4 -> goods' cats 2, 4, 2, 1, 3.
    # User 1 in time order: TEST2, TEST1, TEST3 -> [2, 1, 3]; user 2: [3, 4].
    # Train: k = 1..n-2 -> user 1 predicts 1 from [2].
    # Test: the last review -> user 1: 3 from [2, 1]; user 2: 4 from [3].
    assert train.vocab == {"user": 4, "item": 6, "cat": 5}
    assert tensors(train, "user", "hist_item", "hist_cat", "hist_len", "click") == {
        "user": [1, 1], "hist_item": [[2, 0], [2, 0]], "hist_cat": [[4, 0], [4, 0]], "hist_len": [1, 1],
        "click": [1.0, 0.0]}
    assert tensors(test, "user", "hist_item", "hist_cat", "hist_len", "click") == {
        "user": [1, 1, 2, 2], "hist_item": [[2, 1], [2, 1], [3, 0], [3, 0]],
        "hist_cat": [[4, 2], [4, 2], [2, 0], [2, 0]], "hist_len": [2, 2, 1, 1], "click": [1.0, 0.0, 1.0, 0.0]}
    assert train.features["item"][0] == 1 and test.features["item"][0::2].tolist() == [3, 4]  # positives
    item_cat = torch.tensor([0, 2, 4, 2, 1, 3])
    for d in (train, test):
        assert torch.equal(d.features["cat"], item_cat[d.features["item"]]) and d.truth == {}


def test_amazon_negatives_never_reviewed_by_the_user_and_reproducible():
    reviewed = {1: {1, 2, 3}, 2: {3, 4}}
    for seed in range(30):
        train, test = load_amazon(RAW, seed=seed)
        for d in (train, test):
            for u, i in zip(d.features["user"][1::2].tolist(), d.features["item"][1::2].tolist()):
                assert i not in reviewed[u] and 1 <= i <= 5
    a, b = load_amazon(RAW, seed=4)[1], load_amazon(RAW, seed=4)[1]
    assert torch.equal(a.features["item"], b.features["item"])


def test_amazon_max_len_keeps_the_latest_and_max_users_subsamples():
    _, test = load_amazon(RAW, max_len=1)
    assert test.features["hist_item"].tolist() == [[1], [1], [3], [3]]  # user 1's latest behaviour is TEST1
    train, test = load_amazon(RAW, max_users=2, seed=0)
    assert len(set(test.features["user"].tolist())) <= 2 and train.vocab["user"] == 3


def test_amazon_malformed_lines_name_file_and_line(tmp_path):
    root = copy_with(tmp_path, "amazon", "reviews_Electronics_5.json", lambda rows: rows[:2] + ["{not json"] + rows[2:])
    with pytest.raises(RawFormatError, match=r"reviews_Electronics_5\.json, line 3: not a JSON object"):
        load_amazon(root)
    root = copy_with(tmp_path / "b", "amazon", "reviews_Electronics_5.json",
                     lambda rows: [rows[0].replace('"unixReviewTime"', '"time"')] + rows[1:])
    with pytest.raises(RawFormatError, match=r"line 1: missing key 'unixReviewTime'"):
        load_amazon(root)
    root = copy_with(tmp_path / "c", "amazon", "meta_Electronics.json",
                     lambda rows: rows + ["{'asin': 'B00000TEST4', 'categories': 'Audio'}"])
    with pytest.raises(RawFormatError, match=r"meta_Electronics\.json, line 7: categories must be a list"):
        load_amazon(root)


# ---------------------------------------------------------------- MovieLens-1M

def test_movielens_labels_histories_and_profiles_by_hand():
    parts = load_movielens(RAW, seed=0)
    both = {k: torch.cat([p.features[k] if k in p.features else p.labels[k] for p in parts])
            for k in ("user", "item", "cat", "gender", "age", "occupation", "hist_item", "hist_len", "click")}
    rows = both["user"] <= 2  # users 1 and 2 of the fixture, worked by hand
    # Movies 1, 2, 3, 5 -> items 1..4; first genres Animation, Adventure, Action, Comedy -> cats 3, 2, 1, 4.
    # User 1 in time order: movie 1 (5 stars), 2 (3), 3 (4), 5 (2). The first rating has no liked movie before it
    # and is dropped; then movie 2 with history [1] -> 0, movie 3 with [1] -> 1, movie 5 with [1, 3] -> 0.
    # User 2: movie 3 (2), 2 (5), 1 (4): only movie 1 has a liked movie before it (2) -> 1.
    order = torch.argsort(both["user"][rows] * 10 + both["hist_len"][rows], stable=True)
    got = {k: v[rows][order].tolist() for k, v in both.items()}
    assert got["item"] == [2, 3, 4, 1] and got["cat"] == [2, 1, 4, 3] and got["click"] == [0.0, 1.0, 0.0, 1.0]
    assert got["hist_item"][:3] == [[1, 0], [1, 0], [1, 3]] and got["hist_item"][3][0] == 2
    # users.dat values sorted per field: gender F 1, M 2; age "1" 1, "25" 2, "56" 3; occupation "10" 1, "15" 2, "16" 3
    assert got["gender"] == [1, 1, 1, 2] and got["age"] == [1, 1, 1, 3] and got["occupation"] == [1, 1, 1, 3]
    assert "user" not in parts[0].vocab and parts[0].vocab["item"] == 5 and parts[0].vocab["cat"] == 5


def test_movielens_split_is_by_user_and_covers_every_kept_rating():
    train, test = load_movielens(RAW, seed=1)
    assert not set(train.features["user"].tolist()) & set(test.features["user"].tolist())
    # 20 ratings minus those up to and including a user's first liked one: 1 + 2 + 1 (user 3) + 1 + 1 + 1
    assert len(train) + len(test) == 13


def test_movielens_malformed_lines_name_file_and_line(tmp_path):
    root = copy_with(tmp_path, "movielens", "ratings.dat", lambda rows: rows[:4] + ["1::2::5"] + rows[4:])
    with pytest.raises(RawFormatError, match=r"ratings\.dat, line 5: expected 4 fields separated by '::'"):
        load_movielens(root)
    root = copy_with(tmp_path / "b", "movielens", "ratings.dat", lambda rows: rows[:1] + ["1::2::7::150"] + rows[1:])
    with pytest.raises(RawFormatError, match=r"ratings\.dat, line 2: Rating must be 1..5, got 7"):
        load_movielens(root)
    root = copy_with(tmp_path / "c", "movielens", "movies.dat", lambda rows: rows + ["x7::Oops::Drama"])
    with pytest.raises(RawFormatError, match=r"movies\.dat, line 5: MovieID must be an integer, got 'x7'"):
        load_movielens(root)


# ---------------------------------------------------------------- Criteo

def test_criteo_dense_integers_categorical_ids_and_time_split_by_hand():
    train, test = load_criteo(RAW, max_rows=7, min_count=2)
    # 7 rows: the first round(6/7 * 7) = 6 train, the last one test.
    # C1 = 68fd1e64 x3, "", 05db9164 x2 | 8cf07265 (unseen) -> 05db9164 2, 68fd1e64 3, else 1.
    assert tensors(train, "C1", "click") == {"C1": [3, 3, 1, 2, 3, 2], "click": [0.0, 1.0, 0.0, 0.0, 1.0, 0.0]}
    assert tensors(test, "C1", "click") == {"C1": [1], "click": [1.0]}
    # I1 = 1, "", 5, 5, 100, -1 | 5: dense, sign(x) log(1 + |x|) standardized on the training part
    logged = np.log1p(np.array([1.0, 5.0, 5.0, 100.0])), -np.log(2.0)
    values = np.r_[logged[0][:1], np.nan, logged[0][1:], logged[1]]
    mean, std = np.nanmean(values), np.nanstd(values)
    assert np.allclose(train.features["I1"].numpy(), np.nan_to_num((values - mean) / std), atol=1e-5)
    assert np.isclose(test.features["I1"][0], (np.log1p(5.0) - mean) / std, atol=1e-5)
    assert train.vocab.dense == tuple(f"I{i}" for i in range(1, 14)) and len(train.vocab) == 26
    assert train.vocab["C1"] == 4 and not train.vocab.sequences and "user" not in train.features


def test_criteo_malformed_lines_name_file_and_line(tmp_path):
    root = copy_with(tmp_path, "criteo", "train.txt", lambda rows: rows[:2] + [rows[2].rsplit("\t", 1)[0]] + rows[3:])
    with pytest.raises(RawFormatError, match=r"train\.txt, line 3: expected 40 fields separated by '\\t'.*found 39"):
        load_criteo(root)
    root = copy_with(tmp_path / "b", "criteo", "train.txt", lambda rows: ["2" + rows[0][1:]] + rows[1:])
    with pytest.raises(RawFormatError, match=r"line 1: the label .* must be 0 or 1, got '2'"):
        load_criteo(root)
    root = copy_with(tmp_path / "c", "criteo", "train.txt",
                     lambda rows: [rows[0].replace("0\t1\t", "0\tx1\t", 1)] + rows[1:])
    with pytest.raises(RawFormatError, match=r"line 1: I1 must be an integer, got 'x1'"):
        load_criteo(root)


def test_criteo_needs_rows_for_both_parts():
    with pytest.raises(ValueError, match="use a larger max_rows"):
        load_criteo(RAW, max_rows=1)
    with pytest.raises(ValueError, match=r"max_rows=0: reading Criteo takes 1 <= max_rows"):
        load_criteo(RAW, max_rows=0)


# ---------------------------------------------------------------- census-income

def test_census_task_groups_labels_and_inputs_by_hand():
    train, test = load_census(RAW, task_group=1)
    # income 50000+. / - 50000.; marital "Never married"
    assert tensors(train, "income", "marital") == {"income": [1.0, 0.0, 0.0, 1.0], "marital": [0.0, 1.0, 1.0, 0.0]}
    assert tensors(test, "income", "marital") == {"income": [0.0, 1.0], "marital": [1.0, 0.0]}
    # age 58, 9, 27, 41: dense, log(1 + age) standardized on the training part; test 35, 64 on the same scale
    logged = np.log1p([58.0, 9.0, 27.0, 41.0])
    assert np.allclose(train.features["age"].numpy(), (logged - logged.mean()) / logged.std(), atol=1e-5)
    assert np.isclose(test.features["age"][1], (np.log1p(64.0) - logged.mean()) / logged.std(), atol=1e-5)
    assert set(train.vocab.dense) == {"age", "wage_per_hour", "capital_gains", "capital_losses", "stock_dividends",
                                      "num_emp", "weeks_worked"}
    assert train.features["sex"].tolist() == [3, 2, 3, 2] and test.features["sex"].tolist() == [2, 3]
    assert test.features["class_worker"].tolist() == [3, 1]  # Private; Federal government unseen in training
    for gone in ("instance_weight", "income_50k", "marital_stat"):
        assert gone not in train.features and gone not in train.vocab
    assert "education" in train.vocab and len(train.vocab) + len(train.vocab.dense) == 42 - 3
    train2, test2 = load_census(RAW, task_group=2)
    # Bachelors, Children, Some college (no degree), Masters | Associates (academic), High school
    assert tensors(train2, "education")["education"] == [1.0, 0.0, 0.0, 1.0]
    assert test2.labels["education"].tolist() == [1.0, 0.0] and set(train2.labels) == {"education", "marital"}
    assert "education" not in train2.vocab and "income" not in train2.labels
    with pytest.raises(ValueError, match="task_group must be 1"):
        load_census(RAW, task_group=3)


def test_census_malformed_lines_name_file_and_line(tmp_path):
    root = copy_with(tmp_path, "census", "census-income.test", lambda rows: rows + [rows[0].rsplit(",", 1)[0]])
    with pytest.raises(RawFormatError, match=r"census-income\.test, line 3: expected 42 fields"):
        load_census(root)
    root = copy_with(tmp_path / "b", "census", "census-income.data",
                     lambda rows: [rows[0].replace("50000+.", "50000+")] + rows[1:])
    with pytest.raises(RawFormatError, match=r"census-income\.data, line 1: the income label"):
        load_census(root)
    root = copy_with(tmp_path / "c", "census", "census-income.data", lambda rows: ["fifty" + rows[0][2:]] + rows[1:])
    with pytest.raises(RawFormatError, match=r"line 1: age must be an integer, got 'fifty'"):
        load_census(root)
    with pytest.raises(ValueError, match=r"max_rows=-5: give a positive number of rows"):
        load_census(RAW, max_rows=-5)


FIELDS_ALICCP = ("101", "109_14", "110_14", "127_14", "150_14", "121", "122", "124", "125", "126", "127", "128", "129",
                 "205", "206", "207", "210", "216", "508", "509", "702", "853", "301")  # the authors' 23 fields


def test_aliccp_joins_common_features_and_labels_the_funnel_by_hand():
    train, test = load_aliccp(RAW, min_count=1)
    # field 205 (item): train i1 i2 i1 i3 i2 i2 (row 5 lists 205 twice, the last wins) -> i1=2, i2=3, i3=4;
    # the test's unseen i9 -> 1. Field 101 (user) comes from the common file through common_feature_index.
    assert tensors(train, "205", "101") == {"205": [2, 3, 2, 4, 3, 3], "101": [2, 2, 3, 3, 2, 2]}
    assert tensors(test, "205", "101") == {"205": [2, 1, 3], "101": [2, 2, 1]}
    assert train.features["301"].tolist() == [3, 4, 2, 3, 3, 4]  # row 3 has no 301: "" sorts first, id 2
    # row 4 converted without a click: no post-click conversion
    assert tensors(train, "click", "conversion") == {"click": [1, 0, 1, 0, 1, 0], "conversion": [1, 0, 0, 0, 0, 0]}
    assert tensors(test, "click", "conversion") == {"click": [1, 0, 1], "conversion": [1, 0, 0]}
    assert set(train.vocab.fields) == set(FIELDS_ALICCP) and len(load_aliccp(RAW, max_rows=2)[0]) == 2


@pytest.mark.parametrize("file, edit, message", [
    ("sample_skeleton_train.csv", lambda rows: rows[:1] + [rows[1].rsplit(",", 1)[0]] + rows[2:],
     r"sample_skeleton_train\.csv, line 2: expected 6 fields"),
    ("sample_skeleton_test.csv", lambda rows: ["7,2" + rows[0][3:]] + rows[1:],
     r"sample_skeleton_test\.csv, line 1: click \(column 2\) must be 0 or 1, got '2'"),
    ("sample_skeleton_train.csv", lambda rows: [rows[0].replace(",ua,3,", ",ua,4,")] + rows[1:],
     r"line 1: feature_num says 4 features, the feature list has 3"),
    ("common_features_train.csv", lambda rows: [rows[0].replace("\x02", ":")] + rows[1:],
     r"common_features_train\.csv, line 1: a feature must read field_id"),
    ("common_features_test.csv", lambda rows: rows[:1],
     r"common_features_test\.csv: 1 common_feature_index values of sample_skeleton_test\.csv are not in this file"),
])
def test_aliccp_malformed_files_name_file_and_line(tmp_path, file, edit, message):
    root = copy_with(tmp_path, "aliccp", file, edit)
    with pytest.raises(RawFormatError, match=message):
        load_aliccp(root, min_count=1)


def test_aliccp_max_rows_is_checked():
    with pytest.raises(ValueError, match=r"max_rows=0: give a positive number of impressions"):
        load_aliccp(RAW, max_rows=0)


# ---------------------------------------------------------------- the models accept the data; the notebooks' runner

@pytest.mark.parametrize("name, build", [
    ("amazon", DIN), ("amazon", DIEN), ("movielens", EmbeddingMLP), ("movielens", LogisticRegression),
    ("criteo", DCN), ("census", lambda v: MultiTaskCTR(v, n_experts=2)),
    ("aliccp", ESMM), ("aliccp", lambda v: MultiTaskCTR(v, kind="ple", n_experts=3)),
])
def test_course_models_take_the_loaded_batches(name, build):
    train, _ = load(name, root=RAW)
    out = build(train.vocab)(train.batch(torch.arange(len(train))))
    assert out.shape[0] == len(train) and torch.isfinite(out).all()


def test_sim_prints_instructions_without_machine_paths(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_LIB_DATASETS", "/nowhere/in/particular")
    for chapter, e in EXPERIMENTS.items():
        assert run_on_real_data("sim", chapter) is None
        out = capsys.readouterr().out
        assert all(f'"{name}"' in out for name in e.subsample) and "/nowhere" not in out
    with pytest.raises(ValueError, match=r"choose one of \['sim', 'criteo'\]"):
        run_on_real_data("amazon", 4)


def test_missing_files_are_reported_politely(capsys, tmp_path):
    assert run_on_real_data("census", 5, root=tmp_path) is None
    assert "<datasets>/census/" in capsys.readouterr().out


def test_criteo_refuses_a_read_that_cannot_fit_in_memory():
    with pytest.raises(ValueError, match=r"max_rows <= 2,000,000"):
        load_criteo(RAW, max_rows=45_840_617)


def test_amazon_says_when_a_user_has_no_good_left_to_sample_as_negative(tmp_path):
    def one_user_reviews_every_good(rows):
        reviews = [json.loads(r) for r in rows]
        goods = sorted({r["asin"] for r in reviews})
        return [json.dumps(dict(reviewerID=reviews[0]["reviewerID"], asin=g, unixReviewTime=1000 + t))
                for t, g in enumerate(goods)]

    root = copy_with(tmp_path, "amazon", "reviews_Electronics_5.json", one_user_reviews_every_good)
    with pytest.raises(ValueError, match="reviewed every good kept"):
        load_amazon(root)
