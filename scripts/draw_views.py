"""Draw each export view of a build as a PNG for the README (docs/export-*.png).

    .venv/bin/python scripts/draw_views.py --build /tmp/build --out docs

matplotlib is a dev dependency only; the package itself never imports it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx

from stemkg.export import View, network
from stemkg.store import open_store

COLOURS = {
    "source": "#bbbbbb",
    "report": "#8c564b",
    "study": "#1f77b4",
    "arm": "#9467bd",
    "therapy": "#e377c2",
    "outcome": "#7f7f7f",
    "planned_measure": "#c7c7c7",
    "cell_type": "#2ca02c",
    "tissue": "#bcbd22",
    "condition": "#d62728",
    "route": "#ff7f0e",
    "measure": "#17becf",
}
LABELLED = {"cell_type", "condition", "route"}


def _layout(graph: nx.MultiDiGraph, view: View) -> dict[str, tuple[float, float]]:
    if view is View.cell_condition:
        cells = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "cell_type")
        return dict(nx.bipartite_layout(graph, cells, align="vertical", scale=1.0))
    if view is View.routes:  # routes inside, what they reached around them, studies outside
        shells = [
            sorted(n for n, d in graph.nodes(data=True) if d["kind"] in kinds)
            for kinds in (("route",), ("cell_type", "condition"), ("study",))
        ]
        return dict(nx.shell_layout(graph, shells, scale=1.0))
    return dict(nx.spring_layout(nx.Graph(graph), seed=7, k=None, iterations=200))


def draw(graph: nx.MultiDiGraph, view: View, path: Path) -> None:
    """One view: nodes coloured by kind, sized by studies; edges as wide as their studies."""
    fig, ax = plt.subplots(figsize=(14, 10), dpi=100)
    pos = _layout(graph, view)
    kinds = [d["kind"] for _, d in graph.nodes(data=True)]
    sizes = [60 + 120 * int(d.get("studies", 1)) for _, d in graph.nodes(data=True)]
    if view is View.full:
        sizes = [30 if k not in LABELLED else 120 for k in kinds]
    widths = [0.5 + float(d.get("studies", 1)) for *_, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, alpha=0.35, arrows=False)
    nx.draw_networkx_nodes(
        graph, pos, ax=ax, node_color=[COLOURS.get(k, "#000000") for k in kinds], node_size=sizes
    )
    labels = {n: d["label"] for n, d in graph.nodes(data=True) if d["kind"] in LABELLED}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=8)
    present = sorted(set(kinds), key=list(COLOURS).index)
    handles = [plt.Line2D([], [], marker="o", ls="", color=COLOURS[k], label=k) for k in present]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
    title = f"stemkg export --view {view.value}: {graph.number_of_nodes()} nodes, "
    ax.set_title(title + f"{graph.number_of_edges()} edges (data/ build)")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, required=True, help="a finished build folder")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for the PNGs")
    args = parser.parse_args()
    store = open_store(args.build)
    args.out.mkdir(parents=True, exist_ok=True)
    for view in View:
        path = args.out / f"export-{view.value}.png"
        draw(network(store, view), view, path)
        print(path)


if __name__ == "__main__":
    main()
