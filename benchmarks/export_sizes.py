"""Nodes, edges, bytes and seconds of every export format and view of a build, as a Markdown
table (the README's export figures come from here).

    .venv/bin/python benchmarks/export_sizes.py --build /tmp/build
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from stemkg.export import View, network, write_cyjs, write_graphml
from stemkg.export_formats import RDF_FORMATS, write_csv, write_gexf, write_rdf
from stemkg.store import open_store

NETWORK = {"graphml": write_graphml, "gexf": write_gexf, "cyjs": write_cyjs, "csv": write_csv}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, required=True)
    args = parser.parse_args()
    store = open_store(args.build)
    with tempfile.TemporaryDirectory() as tmp:
        print("| view | nodes | edges | " + " | ".join(NETWORK) + " |")
        print("|---|---:|---:|" + "---:|" * len(NETWORK))
        for view in View:
            graph = network(store, view)
            cells = []
            for fmt, writer in NETWORK.items():
                path = Path(tmp) / f"{view.value}.{fmt}"
                writer(graph, path)
                cells.append(f"{_size(path):,}")
            counts = f"{graph.number_of_nodes()} | {graph.number_of_edges()}"
            print(f"| {view.value} | {counts} | " + " | ".join(cells) + " |")
        print()
        print("| build as | bytes | seconds |")
        print("|---|---:|---:|")
        for fmt in RDF_FORMATS:
            path = Path(tmp) / f"build.{fmt}"
            start = time.perf_counter()
            write_rdf(store, fmt, path)
            print(f"| {fmt} | {_size(path):,} | {time.perf_counter() - start:.2f} |")


if __name__ == "__main__":
    main()
