"""Reading a MEDLINE baseline file: time per 1,000 citations and peak memory, on one core.

    python benchmarks/bench_medline.py [--count 20000] [--share 0.05] [--seed 7]

Writes a gzipped ``PubmedArticleSet`` in the baseline files' layout (``--count`` citations,
abstracts of news length; a ``--share`` of them about stem cells, the rest about other
medicine), then times three passes: reading every citation (parse only), reading with
``--match "stem cell"`` (the filter a researcher uses on a baseline file), and reading with
the filter plus extraction of the kept citations. Peak memory is the process's maximum
resident size. The figures go in the README's Performance table; they are not tests.
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).parent))

from generate_articles import article

from stemkg.extract import extract
from stemkg.sources.pubmed import citations, matching
from stemkg.vocab import load_resources

_OTHER = (
    "In this cohort of {n} adults with hypertension, a low-salt diet lowered systolic blood "
    "pressure over 12 weeks compared with usual care; adherence was checked by urine sodium. "
)


def write_baseline(path: Path, count: int, share: float, seed: int) -> int:
    """A gzipped baseline-like file; the number of stem-cell citations in it."""
    rng = random.Random(seed)
    stem = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
        for n in range(1, count + 1):
            about = rng.random() < share
            stem += about
            text = article(rng, n) if about else _OTHER.format(n=rng.randint(20, 900)) * 6
            title, _, body = text.partition("\n")
            out.write(_citation(n, title.strip() or f"Citation {n}", " ".join(body.split())))
        out.write("</PubmedArticleSet>\n")
    return stem


def _citation(pmid: int, title: str, abstract: str) -> str:
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">'
        f'{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>2020'
        f"</Year></PubDate></JournalIssue><Title>Journal of Tests</Title></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle><Abstract><AbstractText>"
        f"{escape(abstract)}</AbstractText></Abstract><PublicationTypeList><PublicationType "
        f'UI="D016428">Journal Article</PublicationType></PublicationTypeList></Article>'
        f'</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}'
        f"</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pubmed25n0001.xml.gz"
        stem = write_baseline(path, args.count, args.share, args.seed)
        size = path.stat().st_size / 1e6
        print(f"{args.count} citations ({stem} about stem cells), {size:.1f} MB gzipped")
        resources = load_resources()
        keep = matching(("stem cell",))
        for label, work in (
            ("read every citation", lambda: sum(1 for _ in citations(path, "PubmedArticleSet"))),
            (
                "read, --match 'stem cell'",
                lambda: sum(1 for d in citations(path, "PubmedArticleSet") if keep(d)),
            ),
            (
                "read, match, extract",
                lambda: sum(
                    len(extract(d, resources).reports)
                    for d in citations(path, "PubmedArticleSet")
                    if keep(d)
                ),
            ),
        ):
            began = time.perf_counter()
            found = work()
            took = time.perf_counter() - began
            per = 1000 * took / args.count
            print(f"{label:<28} {found:>7}  {took:6.2f} s  {per:6.3f} s per 1,000")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
