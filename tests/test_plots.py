"""The figure functions draw what they are given, with labelled axes (a figure a learner can read)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def labelled(ax):
    return bool(ax.get_xlabel() or ax.get_xticklabels()) and bool(ax.get_ylabel())


def test_activation_weights_draws_one_bar_per_behaviour_in_both_panels():
    weights, relevance = np.array([0.5, -0.1, 0.9]), np.array([1.0, 0.0, 2.0])
    fig = plots.activation_weights(weights, relevance, np.array([3, 5, 3]), ad_cat=3)
    top, bottom = fig.axes
    assert [p.get_height() for p in top.patches] == [0.5, 0.9, -0.1]  # the ad's category first
    assert sorted(p.get_x() + p.get_width() / 2 for p in bottom.patches) == [1, 2, 3]  # counted from 1
    assert top.get_legend().get_texts()[0].get_text() == "category 3 (the ad's)"
    assert top.get_ylabel() and bottom.get_xlabel() and bottom.get_ylabel()


def test_embedding_map_outlines_the_interest_categories_only():
    xy = np.arange(12.0).reshape(6, 2)
    fig = plots.embedding_map(xy, np.array([1, 1, 2, 2, 4, 4]), np.linspace(0, 0.5, 6), shown=[1, 2, 4],
                              interests=[2])
    ax = fig.axes[0]
    outlined = [c.get_linewidths()[0] > 0 and c.get_edgecolors().size > 0 for c in ax.collections]
    assert outlined == [False, True, False] and labelled(ax)
    assert fig.axes[1].get_ylabel() == "predicted CTR for this user"  # the colour bar says what colour means


def test_seed_scores_shows_mean_std_every_seed_and_the_oracle():
    results = {"A": np.array([0.6, 0.7]), "B": np.array([0.8, 0.8])}
    ax = plots.seed_scores(results, oracle=0.9, title="t", xlabel="test GAUC").axes[0]
    assert [round(p.get_width(), 6) for p in ax.patches] == [0.65, 0.8]
    assert ax.lines[-1].get_xdata()[0] == 0.9 and ax.get_xlabel() == "test GAUC"
    assert "mean ± std over 2 seeds" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_interest_evolution_draws_one_path_and_one_bar_series_per_target():
    torch.manual_seed(0)
    routes = {name: (torch.randn(4, 3), torch.full((4,), 0.25)) for name in ("none", "unrelated", "related")}
    left, right = plots.interest_evolution(routes, torch.zeros(1, 3), [7, 7, 2, 2]).axes
    assert [len(line.get_xdata()) for line in left.lines[:3]] == [5, 5, 5]  # h'_0 and 4 steps per target
    assert len(right.patches) == 12 and [t.get_text() for t in right.get_xticklabels()][:2] == ["1\nc7", "2\nc7"]
    assert labelled(left) and labelled(right)
