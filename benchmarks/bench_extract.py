"""Extraction speed on news-length articles, on one core.

    python benchmarks/bench_extract.py [--count 500] [--seed 7]

Generates ``--count`` news-length articles (``generate_articles.py``), reads them, and times
``extract`` over them: start-up (loading the lexicon, cues and term tables, once per process)
and the steady rate are reported apart, then the rate a one-off ``stemkg extract`` of all of
them would see (start-up included). Reading the files is timed on its own. The figure goes in
the README's Performance table; it is not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_articles import generate

from stemkg.extract import extract
from stemkg.sources import read_file
from stemkg.vocab import load_lexicon, load_resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="articles to generate")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.count, args.seed)
        began = time.perf_counter()
        resources, lexicon = load_resources(), load_lexicon()
        loaded = time.perf_counter()
        docs = [d for f in sorted(folder.iterdir()) for d in read_file(f, lexicon).documents]
        read = time.perf_counter()
        reports = sum(len(extract(d, resources).reports) for d in docs)
        done = time.perf_counter()
    steady = len(docs) / (done - read)
    print(f"start-up (lexicon, cues, term tables): {loaded - began:.2f} s")
    print(f"read {len(docs)} articles: {read - loaded:.2f} s")
    print(f"extract: {reports} reports in {done - read:.2f} s = {steady:.0f} articles/s")
    print(f"with start-up and reading: {len(docs) / (done - began):.0f} articles/s")


if __name__ == "__main__":
    main()
