"""The paper figures the chapters reproduce, drawn from numbers the notebook has computed.

A notebook cell computes what a figure shows (attention weights, embeddings, per-seed AUCs): that is the
lesson. The matplotlib that lays it out lives here, so the cell shows the idea and one call. Every function
returns the figure; the notebook saves it with ``fig.savefig(figure_path(...))``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.decomposition import PCA


def activation_weights(weights: np.ndarray, relevance: np.ndarray, categories: np.ndarray, ad_cat: int):
    """DIN's Fig. 5: one bar per behaviour (1 = oldest), coloured by category, DIN's weight above and the
    true relevance below; the ad's own category comes first in the legend."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
    palette = plt.get_cmap("tab10")
    for k, c in enumerate(sorted(set(categories.tolist()), key=lambda c: c != ad_cat)):
        at = categories == c
        label = f"category {c}" + (" (the ad's)" if c == ad_cat else "")
        top.bar(np.flatnonzero(at) + 1, weights[at], color=palette(k), label=label)
        bottom.bar(np.flatnonzero(at) + 1, relevance[at], color=palette(k), label=label)
    top.set(ylabel="DIN activation weight",
            title=f"Fig. 5 reproduced: one user's behaviours for an ad of category {ad_cat}")
    bottom.set(xlabel="behaviour t (1 = oldest)", ylabel="true relevance (ShopSim)")
    top.axhline(0, color="k", lw=0.5)
    top.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    return fig


def embedding_map(xy: np.ndarray, categories: np.ndarray, pctr: np.ndarray, shown: Sequence[int],
                  interests: Sequence[int]):
    """DIN's Fig. 6: goods placed by t-SNE (``xy``), one marker per category in ``shown``, coloured by the
    predicted CTR for one user; the user's interest categories are outlined."""
    fig, ax = plt.subplots(figsize=(8, 6.5))
    for c, marker in zip(shown, "os^vDPX*h"):
        at = categories == c
        dots = ax.scatter(xy[at, 0], xy[at, 1], c=pctr[at], cmap="viridis", vmin=0, vmax=float(pctr.max()),
                          marker=marker, s=40, edgecolors="k" if c in interests else "none", linewidths=0.6,
                          label=f"category {c}" + (" (user's interest)" if c in interests else ""))
    fig.colorbar(dots, ax=ax, label="predicted CTR for this user")
    ax.set(xlabel="t-SNE 1", ylabel="t-SNE 2", title="Fig. 6 reproduced: DIN's good embeddings, coloured by pCTR")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    return fig


def seed_scores(results: Mapping[str, np.ndarray], oracle: float, title: str, xlabel: str = "test AUC",
                xlim=(0.5, 0.95)):
    """The ablation tables of DIN and DIEN as a figure: one horizontal bar per model, the mean score over seeds
    with its std, a dot per seed, and the oracle's score (the true click probabilities) as a dashed line."""
    names = list(results)
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(8, 4.2))
    n_seeds = len(next(iter(results.values())))
    ax.barh(y, [np.mean(results[n]) for n in names], xerr=[np.std(results[n]) for n in names],
            color="tab:blue", alpha=0.6, capsize=3, label=f"mean ± std over {n_seeds} seeds")
    for k in range(n_seeds):
        ax.plot([results[n][k] for n in names], y, "k.", ms=5, label="one seed" if k == 0 else None)
    ax.axvline(oracle, color="tab:red", ls="--", label="oracle (true click probability)")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(*xlim)
    ax.set(xlabel=xlabel, title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.14), ncol=3, fontsize=8)
    return fig


def interest_evolution(routes: Mapping[str, tuple], start, categories: Sequence[int]):
    """DIEN's Fig. 3. ``routes``: name -> (AUGRU states h'_t of shape (T, H), attention a_t of shape (T,)),
    one per target; ``start`` is h'_0 of shape (1, H). (a) the states projected to 2-D with PCA and linked in
    time order, (b) the attention of each behaviour, labelled with its category."""
    pca = PCA(n_components=2).fit(torch.cat([start] + [s for s, _ in routes.values()]).numpy())
    colours = ["tab:gray", "tab:blue", "tab:red"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1, 1.25]})
    for (name, (states, _)), colour in zip(routes.items(), colours):
        xy = pca.transform(torch.cat([start, states]).numpy())
        left.plot(xy[:, 0], xy[:, 1], "-o", color=colour, ms=3.5, lw=1.5, label=name)
        left.annotate("", xy=xy[-1], xytext=xy[-2], arrowprops=dict(arrowstyle="-|>", color=colour, lw=2))
    left.plot(*pca.transform(start.numpy())[0], "ks", ms=7, label="start $h'_0 = 0$")
    left.set(xlabel="PCA component 1", ylabel="PCA component 2",
             title="(a) AUGRU hidden states $h'_t$, linked in time order")
    left.legend(fontsize=8)
    x = np.arange(len(categories))
    for k, ((name, (_, att)), colour) in enumerate(zip(routes.items(), colours)):
        right.bar(x + (k - 1) * 0.27, att.numpy(), 0.27, color=colour, label=name)
    right.set_xticks(x, [f"{t + 1}\nc{c}" for t, c in enumerate(categories)], fontsize=7)
    right.set(xlabel="behaviour t (oldest first) and its category", ylabel="attention $a_t$",
              title="(b) attention score of each behaviour")
    right.legend(fontsize=8)
    fig.suptitle("Interest evolution (DIEN paper, Fig. 3) on ShopSim", y=1.02)
    return fig
