"""Ali-CCP (Alibaba Click and Conversion Prediction), the public dataset of ESMM (Ma et al., SIGIR 2018, Table 1),
also used by PLE (Tang et al., RecSys 2020, Table 5).

The release (sample_train.tar.gz and sample_test.tar.gz) unpacks to four CSV files, as the authors' code
reads them (alibaba/x-deeplearning, xdl-algorithm-solution/ESMM/data/README.md):

    sample_skeleton_{train,test}.csv   sample_id, click, conversion, common_feature_index, feature_num, feature_list
    common_features_{train,test}.csv   common_feature_index, feature_num, feature_list

A feature list holds ``feature_num`` features separated by \\x01, each ``field_id\\x02feature_id\\x03value``.
The skeleton holds the impression's item and context features; the page-level user features are stored once
in the common file and joined through ``common_feature_index``.

Preprocessing (the usual one, as in torch-rechub's preprocess_ali_ccp.py):
    * The 23 fields of the authors' code (``FIELDS``: user fields 101 ... 129, item and context fields 205 ...
      301); one id per field and impression (the last value wins when a field repeats), missing = "".
      Each field's values seen at least ``min_count`` times in the training part get their own id; rarer and
      unseen ones share id 1 (``common.encode``). The features' values (weights) are not used.
    * Labels: ``click``, and ``conversion`` = click AND conversion, the label of pCTCVR (a conversion counts
      only after a click: rows logged with a conversion and no click count as no conversion).
    * The official train and test files are the train and test parts; ``max_rows`` reads the first rows of
      each skeleton file (the common files are scanned for the indices those rows need).
Ali-CCP has no behaviour history and no user ids: see ``common.tabular``.
"""
from __future__ import annotations

import os
from itertools import islice

import numpy as np

from ...errors import InputError
from ..ctrdata import CTRData
from .common import RawFormatError, Source, find, lines, parse_int, split_fields, tabular

SOURCE = Source(
    name="Ali-CCP (Alibaba Click and Conversion Prediction)", folder="aliccp",
    files=("sample_skeleton_train.csv", "common_features_train.csv", "sample_skeleton_test.csv",
           "common_features_test.csv"),
    url="https://tianchi.aliyun.com/dataset/408",
    how="download sample_train.tar.gz and sample_test.tar.gz from the Tianchi dataset page (dataset 408, "
        "a free Tianchi account is needed) and extract the four CSV files.")
FIELDS = ("101", "109_14", "110_14", "127_14", "150_14", "121", "122", "124", "125", "126", "127", "128", "129",
          "205", "206", "207", "210", "216", "508", "509", "702", "853", "301")
SKELETON = "sample_id, click, conversion, common_feature_index, feature_num, feature_list"
COMMON = "common_feature_index, feature_num, feature_list"


def parse_features(path, number: int, count: str, text: str) -> dict[str, str]:
    """{field_id: feature_id} of a feature list (the last feature of a field wins), checked against its count."""
    features = text.split("\x01") if text else []
    if len(features) != parse_int(path, number, count, "feature_num"):
        raise RawFormatError(path, number, f"feature_num says {count} features, the feature list has {len(features)}")
    out = {}
    for feature in features:
        field, sep, rest = feature.partition("\x02")
        feature_id, sep2, _ = rest.partition("\x03")
        if not (sep and sep2):
            raise RawFormatError(path, number, f"a feature must read field_id\\x02feature_id\\x03value, got "
                                               f"{feature!r}: is this an Ali-CCP file, unpacked unchanged?")
        out[field] = feature_id
    return out


def read_part(part: str, root=None, max_rows: int | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each field's feature ids (strings, "" if missing) and the labels of the first ``max_rows`` impressions
    of the ``part`` ("train" or "test")."""
    path = find(SOURCE, f"sample_skeleton_{part}.csv", root)
    rows, clicks, conversions, index = [], [], [], []
    for number, line in islice(lines(path), max_rows):
        f = split_fields(path, number, line, ",", 6, SKELETON)
        for name, value in (("click", f[1]), ("conversion", f[2])):
            if value not in ("0", "1"):
                raise RawFormatError(path, number, f"{name} (column {2 if name == 'click' else 3}) must be 0 or 1, "
                                                   f"got {value!r}")
        clicks.append(f[1] == "1")
        conversions.append(f[2] == "1")
        index.append(f[3])
        rows.append(parse_features(path, number, f[4], f[5]))
    needed = set(index)
    common_path = find(SOURCE, f"common_features_{part}.csv", root)
    common = {}
    for number, line in lines(common_path):
        key, count, text = split_fields(common_path, number, line, ",", 3, COMMON)
        if key in needed:
            common[key] = parse_features(common_path, number, count, text)
    missing = needed - set(common)
    if missing:
        raise RawFormatError(common_path, None, f"{len(missing)} common_feature_index values of "
                                                f"sample_skeleton_{part}.csv are not in this file (for example "
                                                f"{sorted(missing)[0]!r}): train and test files must not be mixed")
    merged = [common[k] | r for k, r in zip(index, rows)]  # the user's page-level features, then the impression's
    columns = {name: np.array([m.get(name, "") for m in merged], dtype=str) for name in FIELDS}
    click, conversion = np.array(clicks, np.float32), np.array(conversions, np.float32)
    return columns, {"click": click, "conversion": click * conversion}


def load_aliccp(root: str | os.PathLike | None = None, max_rows: int | None = 1_000_000,
                min_count: int = 10) -> tuple[CTRData, CTRData]:
    """(train, test) from the first ``max_rows`` impressions of each skeleton file (None: all of them)."""
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1):
        raise InputError(f"max_rows={max_rows!r}: give a positive number of impressions per part, or None for all")
    train, train_labels = read_part("train", root, max_rows)
    test, test_labels = read_part("test", root, max_rows)
    return tabular(train, train_labels, test, test_labels, min_count)
