"""Extraction accuracy against tests/gold and extraction speed on one core.

    python benchmarks/eval_extraction.py [--mismatches] [--repeat 20]

Prints per-field agreement (agreeing / compared, where either side has a value) over every
article in data/articles, then articles per second for reading + extraction.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from stemkg.evaluate import Comparison, agreement, compare_reports
from stemkg.extract import extract
from stemkg.model import RecordFile
from stemkg.sources import read_file
from stemkg.vocab import load_lexicon, load_resources

ROOT = Path(__file__).resolve().parents[1]


def evaluate() -> list[Comparison]:
    """Compare every article's extraction with its gold file."""
    lexicon, resources = load_lexicon(), load_resources()
    found: list[Comparison] = []
    for article in sorted((ROOT / "data" / "articles").iterdir()):
        gold_data = yaml.safe_load((ROOT / "tests" / "gold" / f"{article.stem}.yaml").read_text())
        gold = RecordFile.model_validate(gold_data, context={"lexicon": lexicon}).reports
        docs = read_file(article, lexicon).documents
        got = [r for d in docs for r in extract(d, resources).reports]
        found += compare_reports(article.name, list(gold), got)
    return found


def speed(repeat: int) -> tuple[int, float]:
    """Articles read and extracted per second (one process, one core)."""
    lexicon, resources = load_lexicon(), load_resources()
    files = sorted((ROOT / "data" / "articles").iterdir())
    start, count = time.perf_counter(), 0
    for _ in range(repeat):
        for path in files:
            for doc in read_file(path, lexicon).documents:
                extract(doc, resources)
                count += 1
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mismatches", action="store_true", help="list every disagreement")
    parser.add_argument("--repeat", type=int, default=10, help="passes over the articles for speed")
    args = parser.parse_args()
    comparisons = evaluate()
    print(f"{'field':<22} agree/compared")
    for field, (ok, total) in agreement(comparisons).items():
        print(f"{field:<22} {ok:>3}/{total:<3} {ok / total:6.0%}")
    ok = sum(c.ok for c in comparisons)
    print(f"{'all fields':<22} {ok:>3}/{len(comparisons):<3} {ok / len(comparisons):6.0%}")
    if args.mismatches:
        for c in comparisons:
            if not c.ok:
                print(f"  {c.article} {c.field}: expected {c.expected!r}, found {c.found!r}")
    count, seconds = speed(args.repeat)
    print(f"extraction: {count} articles in {seconds:.2f} s = {count / seconds:.1f} articles/s")


if __name__ == "__main__":
    main()
