"""course_lib.settings (the environment, read in one place) and course_lib.runtime (applied in a notebook)."""
from pathlib import Path

import pytest
import torch

from course_lib import runtime, settings


@pytest.mark.parametrize("variable, read", [("COURSE_LIB_DATA_DIR", settings.data_dir),
                                            ("COURSE_LIB_DATASETS", settings.datasets_dir),
                                            ("COURSE_LIB_FIGURES", settings.figures_dir)])
def test_folders_expand_the_home_folder_and_fall_back_to_the_user_folder(variable, read, monkeypatch):
    monkeypatch.setenv(variable, "~/course-x")  # what `%env COURSE_LIB_DATA_DIR=~/course-x` sets
    assert read() == Path.home() / "course-x"
    monkeypatch.setenv(variable, "  ")
    assert read().is_relative_to(settings.user_dir())
    monkeypatch.delenv(variable)
    assert read().is_relative_to(settings.user_dir())


def test_threads_default_to_two_and_refuse_nonsense(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_THREADS", raising=False)
    assert settings.threads() == 2
    monkeypatch.setenv("COURSE_LIB_THREADS", "1")
    assert settings.threads() == 1
    for bad in ("0", "two", "-1", "1.5"):
        monkeypatch.setenv("COURSE_LIB_THREADS", bad)
        with pytest.raises(ValueError, match="COURSE_LIB_THREADS"):
            settings.threads()


def test_setup_notebook_seeds_and_sets_the_thread_count(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("COURSE_LIB_THREADS", "1")
        runtime.setup_notebook(seed=3)
        assert torch.get_num_threads() == 1
        a = torch.rand(3)
        runtime.setup_notebook(seed=3)
        assert torch.equal(a, torch.rand(3))
    finally:
        torch.set_num_threads(before)


def test_one_thread_restores_the_thread_count_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with runtime.one_thread():
            assert torch.get_num_threads() == 1
            raise RuntimeError
    assert torch.get_num_threads() == before


def test_figures_go_where_the_setting_says(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_LIB_FIGURES", str(tmp_path / "new" / "figs"))
    path = runtime.figure_path("din_tsne.png")
    assert path == tmp_path / "new" / "figs" / "din_tsne.png" and path.parent.is_dir()


def test_paths_in_messages_hide_the_user_name():
    assert settings.shown(Path.home() / "a" / "b.json") == str(Path("~") / "a" / "b.json")
    assert settings.shown(Path("/opt/x")) == "/opt/x"
