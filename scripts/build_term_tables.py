#!/usr/bin/env python3
"""Build the ontology-scale term tables in ontology/tables/ from real ontology releases.

One gzipped TSV per ontology: every live term of the branch stemkg grounds to, with its label,
synonyms, abbreviations and direct parents (same prefix), so extraction can ground any condition,
cell type, tissue or measure a paper names, and the build can add each used term's ancestors.

    python scripts/build_term_tables.py --mirror /work/.mirror

Sources (bare git mirrors under --mirror, as the search tool's `fetch github:OWNER/NAME` makes
them; the commits are pinned below and written into each table's header):

  chanzuckerberg/cellxgene-ontology-guide  ontology-assets/*.json.zst: MONDO, CL, UBERON, EFO
                                           releases (labels, synonyms, ancestors with distances)
  obophenotype/cell-ontology               src/ontology/cl-edit.owl: CL's typed synonyms (exact,
                                           related, narrow; OMO:0003000 marks an abbreviation),
                                           which the cellxgene JSON of CL lacks

Kinds: MONDO descendants of disease (MONDO:0000001) and of injury are conditions; CL terms are
cell types; UBERON anatomical entities are tissues; EFO descendants of measurement (EFO:0001444)
are measures. Strings of three characters or fewer are kept only as abbreviations (matched
case-sensitively), never as names. Output is sorted, so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "ontology" / "tables"

CXG = "chanzuckerberg/cellxgene-ontology-guide"
CXG_COMMIT = "a2a31b73c9213c2afb01ce60e041d39b28ed2261"
CL_REPO = "obophenotype/cell-ontology"
CL_COMMIT = "fd61b954f3eba08f5780f2c86eba72913d35b5d4"


@dataclass(frozen=True)
class Table:
    name: str
    kind: str
    path: str
    roots: tuple[str, ...]
    """Keep terms with one of these among their ancestors (or being one); empty keeps all."""


TABLES = (
    Table(
        "mondo",
        "condition",
        "ontology-assets/MONDO-ontology-v2026-05-05.json.zst",
        ("MONDO:0000001", "MONDO:0021178"),  # disease, injury (burns); not characteristics
    ),
    Table("cl", "cell_type", "ontology-assets/CL-ontology-v2026-03-26.json.zst", ()),
    Table("uberon", "tissue", "ontology-assets/UBERON-ontology-v2026-04-01.json.zst", ()),
    Table("efo", "measure", "ontology-assets/EFO-ontology-v3.90.0.json.zst", ("EFO:0001444",)),
)


@dataclass
class Row:
    id: str
    label: str
    synonyms: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)


def _blob(mirror: Path, repo: str, commit: str, path: str) -> bytes:
    git_dir = mirror / repo.replace("/", "+") / "repo"
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def _json(mirror: Path, path: str) -> dict[str, dict[str, object]]:
    raw = _blob(mirror, CXG, CXG_COMMIT, path)
    text = subprocess.run(["zstd", "-dc"], input=raw, check=True, capture_output=True).stdout
    data: dict[str, dict[str, object]] = json.loads(text)
    return data


def _clean(text: str) -> str:
    return " ".join(text.split())


def _add_name(row: Row, name: str) -> None:
    """A synonym, or an abbreviation when it is short or written in capitals."""
    name = _clean(name)
    if not name or name == row.label:
        return
    if len(name) <= 3 or re.fullmatch(r"[A-Z0-9][A-Z0-9+\-]*[A-Z0-9+]", name):
        row.abbreviations.add(name)
    else:
        row.synonyms.add(name)


def rows_of(table: Table, data: dict[str, dict[str, object]]) -> dict[str, Row]:
    prefix = table.path.split("/")[-1].split("-")[0]
    rows: dict[str, Row] = {}
    for term, entry in data.items():
        if entry.get("deprecated") or not term.startswith(prefix + ":"):
            continue
        ancestors = entry.get("ancestors") or {}
        assert isinstance(ancestors, dict)
        if table.roots and not (set(table.roots) & (set(ancestors) | {term})):
            continue
        row = Row(term, _clean(str(entry["label"])))
        for name in entry.get("synonyms") or []:  # type: ignore[attr-defined]
            _add_name(row, str(name))
        row.parents = {a for a, d in ancestors.items() if d == 1 and a.startswith(prefix + ":")}
        rows[term] = row
    return rows


_CL_SYNONYM = re.compile(
    r"^AnnotationAssertion\((?P<ann>(?:Annotation\([^)]*\) )*)"
    r"oboInOwl:has(?P<scope>Exact|Related|Narrow)"
    r'Synonym obo:(?P<id>CL_\d{7}) "(?P<name>[^"]+)"'
)


def cl_synonyms(owl: str) -> Iterator[tuple[str, str, bool]]:
    """(CL id, synonym, is an abbreviation) from cl-edit.owl's functional syntax."""
    for line in owl.splitlines():
        m = _CL_SYNONYM.match(line)
        if m:
            abbreviation = "OMO_0003000" in m.group("ann")
            yield m.group("id").replace("_", ":"), m.group("name"), abbreviation


def _write(table: Table, rows: dict[str, Row], sources: list[str]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{table.name}.tsv.gz"
    lines = [f"# {s}" for s in sources]
    lines.append(f"# kind: {table.kind}; {len(rows)} terms")
    lines.append("id\tlabel\tsynonyms\tabbreviations\tparents")
    for term in sorted(rows):
        r = rows[term]
        lines.append(
            "\t".join(
                (
                    r.id,
                    r.label,
                    "|".join(sorted(r.synonyms)),
                    "|".join(sorted(r.abbreviations)),
                    "|".join(sorted(r.parents)),
                )
            )
        )
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(("\n".join(lines) + "\n").encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True)
    args = parser.parse_args()
    for table in TABLES:
        rows = rows_of(table, _json(args.mirror, table.path))
        sources = [f"source: {CXG} {table.path} @ {CXG_COMMIT}"]
        if table.name == "cl":
            owl = _blob(args.mirror, CL_REPO, CL_COMMIT, "src/ontology/cl-edit.owl").decode()
            for term, name, abbreviation in cl_synonyms(owl):
                if term in rows:
                    target = rows[term].abbreviations if abbreviation else None
                    if target is not None:
                        target.add(_clean(name))
                    else:
                        _add_name(rows[term], name)
            sources.append(f"source: {CL_REPO} src/ontology/cl-edit.owl @ {CL_COMMIT}")
        path = _write(table, rows, sources)
        print(
            f"wrote {path.relative_to(REPO_ROOT)}: {len(rows)} terms, {path.stat().st_size:,} bytes"
        )


if __name__ == "__main__":
    main()
