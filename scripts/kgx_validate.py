"""Run KGX's validator offline on KGX TSV files; print its report as JSON.

Runs inside the test-only venv that ``scripts/kgx-venv.sh`` makes (kgx, bmt and the
biolink-model package). kgx builds a ``bmt.Toolkit`` when it is imported, and that Toolkit,
like kgx's JSON-LD context, is fetched from GitHub by default; here the Toolkit reads the
schema the ``biolink-model`` package ships, and the context map is filled from that package's
prefix map and prefixcommons' registry files, so nothing is downloaded.

Usage: kgx_validate.py [--prefix NAME=IRI ...] NODES.tsv EDGES.tsv
``--prefix`` adds a local prefix to the Biolink prefix map (stemkg's minted ids have none
there); the report names every prefix it was given, so a reader sees what was added.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any


def _package_file(package: str, *parts: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:  # biolink_model is a namespace package: no __init__, no origin
        raise SystemExit(f"{package} is not installed in {sys.prefix}")
    return Path(locations[0]).joinpath(*parts)


def _offline_toolkit() -> str:
    """Point bmt's Toolkit default at the packaged schema before kgx imports it."""
    import bmt.toolkit

    schema = _package_file("biolink_model", "schema", "biolink_model.yaml")
    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(schema), {"predicate mappings": []})
    return str(schema)


def _fill_contexts(extra: dict[str, str]) -> dict[str, str]:
    import kgx.config

    prefix_map = json.loads(
        _package_file("biolink_model", "prefixmaps", "biolink-model-prefix-map.json").read_text()
    )
    prefix_map.update(extra)
    kgx.config.jsonld_context_map["biolink"] = prefix_map
    for name in ("monarch_context", "obo_context"):
        registry = _package_file("prefixcommons", "registry", f"{name}.jsonld")
        kgx.config.jsonld_context_map[name] = json.loads(registry.read_text())["@context"]
    return prefix_map


def validate(files: list[str], extra: dict[str, str]) -> dict[str, Any]:
    """kgx's own ``validate`` flow (Validator as the Transformer's inspector), offline."""
    schema = _offline_toolkit()
    _fill_contexts(extra)
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    validator = Validator()
    counts = {"nodes": 0, "edges": 0}

    def count(kind: Any, _rec: Any) -> None:
        counts["nodes" if kind.value == "node" else "edges"] += 1

    validator.progress_monitor = count
    transformer = Transformer(stream=True)
    transformer.transform(
        input_args={"filename": files, "format": "tsv"},
        output_args={"format": "null"},
        inspector=validator,
    )
    return {
        "biolink_version": validator.get_validation_model_version(),
        "schema": schema,
        "extra_prefixes": extra,
        "counts": counts,
        "errors": validator.get_errors(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--prefix", action="append", default=[], metavar="NAME=IRI")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.prefix)
    with contextlib.redirect_stdout(sys.stderr):  # kgx logs to stdout; the report goes there
        report = validate(args.files, extra)
    json.dump(report, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
