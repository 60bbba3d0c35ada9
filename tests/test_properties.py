"""Property tests (hypothesis) of the boundaries a learner touches. Whatever shapes, dtypes, sizes, NaNs, settings
or damaged files are thrown at them, each either works or raises the course's own error (InputError, or
DatasetNotFoundError for a missing file) with a message, never a raw error from torch or numpy. Saved progress
survives random damage and concurrent writers with nothing recorded lost."""
import gzip
import json
import math
import shutil
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_lib import progress_file
from course_lib.data import CTRData, ShopSim
from course_lib.data.real.common import DatasetNotFoundError
from course_lib.data.real.datasets import LOADERS, load
from course_lib.errors import InputError
from course_lib.metrics import auc, gauc, logloss, relaimpr
from course_lib.models import DCN, DIEN, DIN, EmbeddingMLP, MultiTaskCTR
from course_lib.train import fit

RAW = Path(__file__).parent / "fixtures" / "raw"
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OURS = (InputError, DatasetNotFoundError)

WORLD = ShopSim(seed=0, n_users=30, n_items=40, n_categories=5, max_len=6)
DATA = WORLD.generate(64)
MODELS = {"EmbeddingMLP": EmbeddingMLP(DATA.vocab), "DIN": DIN(DATA.vocab), "DIEN": DIEN(DATA.vocab),
          "DCN": DCN(DATA.vocab), "MultiTaskCTR": MultiTaskCTR(DATA.vocab, n_experts=2)}
for model in MODELS.values():
    model.eval()

# Anything a learner might type where a number goes.
ODD = st.one_of(st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
                st.text(max_size=3), st.sampled_from(["10", 2.5, -0.0, 10 ** 12, (1, 2)]))


def works_or_says_why(call):
    """Run ``call``; an error must be the course's own and carry a message."""
    try:
        return call()
    except OURS as err:
        assert str(err).strip(), f"{type(err).__name__} without a message"
        return None


# ---------------------------------------------------------------------------------- batches into every model

DTYPES = [torch.int64, torch.int32, torch.int16, torch.uint8, torch.float32, torch.float64, torch.bool]


@st.composite
def damaged_batches(draw):
    """A real batch of B rows (B may be 0), up to three damages of a learner's making, and perhaps one field
    handed over as a numpy array or a list."""
    b = DATA.batch(torch.arange(draw(st.integers(0, 5))))
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(b)))
        x = b[name]
        damage = draw(st.sampled_from(["dtype", "id", "width", "drop", "nan", "shape"]))
        if damage == "dtype":
            b[name] = x.to(draw(st.sampled_from(DTYPES)))
        elif damage == "id" and x.numel():
            x = x.clone()
            x.view(-1)[draw(st.integers(0, x.numel() - 1))] = draw(st.sampled_from([-1, -100, 10 ** 6]))
            b[name] = x
        elif damage == "width" and x.dim() == 2:
            width = draw(st.integers(0, x.shape[1] + 3))
            b[name] = torch.cat([x, torch.zeros(len(x), 3, dtype=x.dtype)], 1)[:, :width]
        elif damage == "drop":
            del b[name]
        elif damage == "nan":
            b[name] = x.float().fill_(math.nan)
        elif damage == "shape":
            b[name] = x.unsqueeze(-1)
    if b and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(b)))
        b[name] = draw(st.sampled_from([lambda t: t.numpy(), lambda t: t.tolist()]))(b[name])
    return b


@EXAMPLES
@given(name=st.sampled_from(sorted(MODELS)), batch=damaged_batches())
def test_a_model_takes_any_batch_or_says_what_is_wrong(name, batch):
    with torch.no_grad():
        out = works_or_says_why(lambda: MODELS[name](batch))
    if out is not None:
        assert out.shape[0] == len(batch["user"]) > 0 and torch.isfinite(out).all()


# ---------------------------------------------------------------------------------- metrics

def columns(length):
    """Labels or scores as a learner may hold them: numpy, torch or a list, 1-D or 2-D, with odd values."""
    values = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(allow_nan=True, allow_infinity=True, width=32))
    return st.tuples(st.lists(values, min_size=length, max_size=length), st.sampled_from(["numpy", "torch", "list",
                                                                                          "column", "row"]))


def as_given(values, form):
    a = np.asarray(values, dtype=np.float32)
    return {"numpy": a, "torch": torch.from_numpy(a), "list": values, "column": a[:, None], "row": a[None, :]}[form]


@EXAMPLES
@given(n=st.integers(0, 12), m=st.integers(0, 12), data=st.data(), binary=st.booleans())
def test_metrics_give_a_number_or_say_what_is_wrong(n, m, data, binary):
    y, y_form = data.draw(columns(n))
    if binary:
        y = [float(v > 0.5) if math.isfinite(v) else 0.0 for v in y]
    s, s_form = data.draw(columns(m))
    p = [min(max(v, 0.0), 1.0) if math.isfinite(v) else v for v in s]
    y_in, s_in, p_in = as_given(y, y_form), as_given(s, s_form), as_given(p, s_form)
    groups = np.arange(n) % 3
    for metric in (lambda: auc(y_in, s_in), lambda: gauc(y_in, s_in, groups), lambda: logloss(y_in, p_in)):
        value = works_or_says_why(metric)
        assert value is None or math.isfinite(value)


@EXAMPLES
@given(model_auc=ODD, base_auc=ODD)
def test_relaimpr_gives_a_number_or_says_what_is_wrong(model_auc, base_auc):
    value = works_or_says_why(lambda: relaimpr(model_auc, base_auc))
    assert value is None or math.isfinite(value)


# ---------------------------------------------------------------------------------- data and training settings

SETTINGS = ["n_users", "n_items", "n_categories", "max_len", "min_len", "interests_per_user", "latent_dim", "seed",
            "drift", "memory", "ctr", "item_noise", "relevance_scale", "cross_strength", "conversion_correlation",
            "popularity_exponent", "candidate_from_interest"]
SMALL = dict(n_users=20, n_items=30, n_categories=5, max_len=5)


@EXAMPLES
@given(changes=st.dictionaries(st.sampled_from(SETTINGS), st.one_of(ODD, st.floats(0, 1), st.integers(1, 8)),
                               max_size=3),
       n=st.one_of(st.integers(-2, 40), ODD))
def test_shopsim_builds_a_world_or_names_the_setting(changes, n):
    assume(not any(isinstance(v, int) and not isinstance(v, bool) and v > 40 for v in changes.values()))
    world = works_or_says_why(lambda: ShopSim(**(SMALL | changes)))
    if world is not None:
        data = works_or_says_why(lambda: world.generate(n))
        if data is not None:
            assert len(data) == n and 0 <= float(data.labels["click"].mean()) <= 1
            assert all(torch.isfinite(v).all() for v in data.truth.values() if v.is_floating_point())


@EXAMPLES
@given(fractions=st.lists(ODD, min_size=0, max_size=4), batch_size=ODD, seed=st.integers(0, 3))
def test_split_and_loader_cover_the_data_or_say_what_is_wrong(fractions, batch_size, seed):
    parts = works_or_says_why(lambda: DATA.split(fractions, seed=seed))
    if parts is not None:
        assert sum(len(p) for p in parts) == len(DATA) and all(len(p) > 0 for p in parts)
    batches = works_or_says_why(lambda: list(DATA.loader(batch_size)))
    if batches is not None:
        assert sum(len(b["click"]) for b in batches) == len(DATA)


TINY = DATA.subset(torch.arange(16))


@settings(max_examples=25, deadline=None)
@given(epochs=st.one_of(st.integers(-1, 2), ODD), batch_size=st.one_of(st.integers(-1, 20), ODD),
       lr=st.one_of(st.floats(1e-4, 1e-1), ODD), label=st.sampled_from(["click", "conversion", ("click", "conversion"),
                                                                        "purchase", "", ()]))
def test_fit_trains_or_says_what_is_wrong(epochs, batch_size, lr, label):
    assume(not (isinstance(epochs, int) and epochs > 2))
    torch.manual_seed(0)
    model = MultiTaskCTR(TINY.vocab, n_experts=2) if isinstance(label, tuple) else EmbeddingMLP(TINY.vocab)
    history = works_or_says_why(lambda: fit(model, TINY, epochs=epochs, batch_size=batch_size, lr=lr, label=label,
                                            progress=False))
    if history is not None:
        assert len(history.train_loss) == epochs and all(math.isfinite(x) for x in history.train_loss)


@EXAMPLES
@given(labels=st.lists(st.sampled_from([0, 1, 2, -1, 0.5, math.nan, True]), min_size=16, max_size=16),
       dtype=st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool, torch.float16]))
def test_any_labels_train_as_0_1_or_are_refused(labels, dtype):
    y = torch.tensor(labels, dtype=torch.float64).to(dtype)
    data = works_or_says_why(lambda: CTRData(TINY.features, {"click": y}, TINY.vocab))
    if data is not None:
        history = works_or_says_why(lambda: fit(EmbeddingMLP(TINY.vocab), data, epochs=1, progress=False))
        assert history is None or math.isfinite(history.train_loss[0])


# ---------------------------------------------------------------------------------- damaged raw files

@st.composite
def damage(draw):
    """A way a download goes wrong: cut short, bytes changed, bytes inserted, gzipped (whole or cut), emptied."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "gzip", "gzip-truncated", "empty", "missing"]))
    return kind, draw(st.floats(0, 1)), draw(st.binary(min_size=1, max_size=8))


def damaged(raw: bytes, kind: str, where: float, junk: bytes) -> bytes | None:
    at = int(where * len(raw))
    if kind == "truncate":
        return raw[:at]
    if kind == "flip":
        return raw[:at] + bytes(b ^ 0xFF for b in junk[: len(raw) - at]) + raw[at + len(junk):]
    if kind == "insert":
        return raw[:at] + junk + raw[at:]
    if kind in ("gzip", "gzip-truncated"):
        zipped = gzip.compress(raw, mtime=0)
        return zipped if kind == "gzip" else zipped[: max(2, int(where * len(zipped)))]
    return b"" if kind == "empty" else None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(LOADERS)), file_index=st.integers(0, 1), how=damage())
def test_a_damaged_raw_file_loads_or_is_named(tmp_path_factory, name, file_index, how):
    root = tmp_path_factory.mktemp("raw")
    folder = root / LOADERS[name][1].folder
    shutil.copytree(RAW / LOADERS[name][1].folder, folder)
    files = sorted(p for p in folder.iterdir())
    target = files[file_index % len(files)]
    content = damaged(target.read_bytes(), *how)
    if content is None:
        target.unlink()
    else:
        target.write_bytes(content)
    try:
        parts = load(name, root=root)
    except OURS as err:
        message = str(err)
        assert target.name in message or "max_" in message or "nothing to predict" in message or \
            "no negative" in message or "both training and test" in message, message
    else:
        assert all(isinstance(p, CTRData) for p in parts)


# ---------------------------------------------------------------------------------- saved progress

@pytest.fixture
def data_dir(monkeypatch, tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress")
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(folder))
    monkeypatch.setattr(progress_file, "_unsaved_warned", False)
    return folder


QIDS = [f"emb.q{i}" for i in range(4)]
STEPS = st.one_of(
    st.tuples(st.just("answer"), st.sampled_from(QIDS), st.booleans()),
    st.tuples(st.just("exercise"), st.sampled_from(["emb.e0", "emb.e1"]), st.booleans()),
    st.tuples(st.just("damage"), st.sampled_from(["truncate", "garbage", "wrong type", "not an object"]),
              st.floats(0, 1)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEPS, max_size=12))
def test_damaged_progress_never_loses_what_was_recorded(data_dir, steps):
    """After any damage the damaged bytes are kept in a backup, and every record the damage did not touch is
    still counted; nothing ever raises."""
    for old in data_dir.iterdir():
        old.unlink()
    expected: dict[str, dict[str, int]] = {"questions": {}, "exercises": {}}
    damaged_copies = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each repair warns; what matters here is what is kept
        for kind, key, arg in steps:
            if kind == "answer":
                progress_file.record_answer(key, arg)
                expected["questions"][key] = expected["questions"].get(key, 0) + 1
            elif kind == "exercise":
                progress_file.record_exercise(key, arg)
                expected["exercises"][key] = expected["exercises"].get(key, 0) + 1
            elif progress_file.path().exists():
                raw = progress_file.path().read_bytes()
                if key == "wrong type" and expected["questions"]:
                    state = json.loads(raw)
                    hit = sorted(expected["questions"])[int(arg * (len(expected["questions"]) - 1))]
                    state["questions"][hit]["attempts"] = "many"
                    bad = json.dumps(state).encode()
                    expected["questions"].pop(hit)  # set aside; the rest stays
                else:
                    bad = {"truncate": raw[: int(arg * len(raw))], "garbage": b"\xff\x00" + raw,
                           "not an object": b"[1, 2]", "wrong type": b"null"}[key]
                    if bad == raw:
                        continue  # a cut at the very end damages nothing
                    expected = {"questions": {}, "exercises": {}}  # the whole file is set aside
                progress_file.path().write_bytes(bad)
                damaged_copies.append(bad)
            state = progress_file.load()
            for section in expected:
                assert {k: v["attempts"] for k, v in state[section].items()} == expected[section]
    backups = {p.read_bytes() for p in data_dir.glob("progress.json.corrupt-*")}
    for bad in damaged_copies:
        assert bad in backups or _still_readable(bad), "a damaged file was not kept"


def _still_readable(raw: bytes) -> bool:
    """A cut that happens to leave valid JSON of the right layout (e.g. cut after the final brace's whitespace)."""
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(st.lists(st.tuples(st.sampled_from(QIDS), st.booleans()), min_size=1, max_size=15),
                      min_size=2, max_size=4))
def test_concurrent_writers_in_any_interleaving_lose_nothing(data_dir, plans):
    for old in data_dir.iterdir():
        old.unlink()
    start = threading.Barrier(len(plans))

    def writer(plan):
        start.wait()
        for qid, correct in plan:
            progress_file.record_answer(qid, correct)
            progress_file.record_exercise("emb.shared", correct)

    threads = [threading.Thread(target=writer, args=(plan,)) for plan in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    state = progress_file.load()
    attempts = {}
    for plan in plans:
        for qid, _ in plan:
            attempts[qid] = attempts.get(qid, 0) + 1
    assert {k: v["attempts"] for k, v in state["questions"].items()} == attempts
    assert state["exercises"]["emb.shared"]["attempts"] == sum(len(p) for p in plans)
    assert state["exercises"]["emb.shared"]["passed"] == any(c for p in plans for _, c in p)
