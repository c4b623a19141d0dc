#!/usr/bin/env python3
"""Build ontology/tables/mesh-mondo.tsv.gz: MeSH descriptors and the MONDO disease each is
exactly mapped to, from MONDO's own SSSOM mapping set.

    python scripts/build_mesh_map.py --mirror /work/.mirror

PubMed indexes every citation with MeSH headings (``DescriptorName UI="D000690"``) and
ClinicalTrials.gov lists the MeSH terms of a trial's conditions; with this table a heading
is a MONDO condition without matching its words. Source: monarch-initiative/mondo,
``src/ontology/mappings/mondo_exactmatch_mesh.sssom.tsv`` (skos:exactMatch only), read from a
bare git mirror as the search tool's ``fetch github:monarch-initiative/mondo`` makes it; the
commit is written into the table's header. Output is sorted, so the same input gives the same
bytes.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
from pathlib import Path

REPO = "monarch-initiative/mondo"
PATH = "src/ontology/mappings/mondo_exactmatch_mesh.sssom.tsv"
COMMIT = "fad2512b4845f483fc1268cdf0bf7a8ef43697cb"
OUT = Path(__file__).resolve().parent.parent / "ontology" / "tables" / "mesh-mondo.tsv.gz"


def rows(text: str) -> list[tuple[str, str]]:
    """(MeSH UI, MONDO id) of every exact match, sorted."""
    found = set()
    header: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        row = dict(zip(header, cells, strict=False))
        mesh = row.get("object_id", "")
        if row.get("predicate_id") == "skos:exactMatch" and mesh.startswith("mesh:"):
            found.add((mesh.removeprefix("mesh:"), row["subject_id"]))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True)
    parser.add_argument("--head", action="store_true", help="read the mirror's HEAD, not COMMIT")
    args = parser.parse_args()
    repo = args.mirror / REPO.replace("/", "+") / "repo"
    commit = "HEAD" if args.head else COMMIT
    text = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{PATH}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = rows(text)
    header = f"# source: {REPO} {PATH} @ {COMMIT if not args.head else 'HEAD'}\nmesh\tmondo\n"
    body = "".join(f"{m}\t{d}\n" for m, d in found)
    with gzip.GzipFile(OUT, "wb", mtime=0) as out:
        out.write((header + body).encode())
    print(f"wrote {OUT}: {len(found)} MeSH descriptors")


if __name__ == "__main__":
    main()
