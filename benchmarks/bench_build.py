"""Build benchmark: time `stemkg build` on a synthetic corpus made from the shipped records.

    python benchmarks/bench_build.py --copies 50            # records
    python benchmarks/bench_build.py --copies 100 --articles  # articles (read + extract too)

Each copy of a shipped record gets its own identifiers, so the corpus has copies × records
sources and studies; with --articles every file of data/articles is copied instead, each
article's headline numbered so that every copy is a source of its own (sources are keyed by
content, not file name; the copies share their studies, so linking sees many reports per
study). Prints sources, triples, seconds and triples per second for the whole build (read,
extract, link, map, SHACL validation, store load, TriG/Turtle serialisation).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from stemkg.pipeline import build

RECORDS = Path(__file__).resolve().parents[1] / "data" / "records"
ARTICLES = RECORDS.parent / "articles"


def _renumber(record: dict[str, Any], copy: int, index: int) -> dict[str, Any]:
    """A copy of a record whose source and study identifiers are its own."""
    record["source"]["title"] = f"{record['source']['title']} (copy {copy})"
    for field in ("pmid", "doi", "nct", "url", "key"):
        record["source"].pop(field, None)
    for n, report in enumerate(record["reports"]):
        report["study"] = {"nct": f"NCT9{copy:04d}{index:02d}{n}"}
    return record


def make_corpus(folder: Path, copies: int) -> int:
    """Write ``copies`` renumbered copies of every shipped record; return the file count."""
    originals = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in RECORDS.glob("*.yaml")
    }
    count = 0
    for copy in range(copies):
        for index, (stem, record) in enumerate(sorted(originals.items())):
            data = _renumber(yaml.safe_load(yaml.safe_dump(record)), copy, index)
            (folder / f"{stem}-{copy:04d}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
            count += 1
    return count


def _titles(path: Path) -> list[str]:
    from stemkg.sources import read_file
    from stemkg.vocab import load_lexicon

    docs = read_file(path, load_lexicon()).documents
    return sorted({d.title for d in docs} | {d.url for d in docs if d.url}, key=len)[::-1]


def copy_articles(folder: Path, copies: int) -> int:
    """Write ``copies`` copies of every example article, headlines and URLs numbered."""
    count = 0
    for path in sorted(ARTICLES.iterdir()):
        text, titles = path.read_text(encoding="utf-8"), _titles(path)
        for copy in range(copies):
            numbered = text
            for title in titles:
                numbered = numbered.replace(title, f"{title} No. {copy}")
            (folder / f"{path.stem}-{copy:04d}{path.suffix}").write_text(numbered, encoding="utf-8")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50, help="copies of each shipped file")
    parser.add_argument("--articles", action="store_true", help="copy articles, not records")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = (copy_articles if args.articles else make_corpus)(corpus, args.copies)
        start = time.perf_counter()
        result = build([corpus], Path(tmp) / "build")
        seconds = time.perf_counter() - start
    data_triples = result.triples
    sources = len(result.sources)
    print(
        f"files {files}, sources {sources}, studies {result.studies}, data triples {data_triples}"
    )
    rate = data_triples / seconds
    print(f"build {seconds:.1f} s, {rate:,.0f} triples/s, conforms={result.validation.conforms}")


if __name__ == "__main__":
    main()
