"""Generate news-length articles about made-up stem-cell studies, for stress and scale runs.

    python benchmarks/generate_articles.py OUT_DIR --count 5000 [--seed 7]

Each article combines a condition, a cell type and, most of the time, a route from the term
table with a design sentence, group sizes and two or three findings, in varied wording; about
a third never say how the cells were given and some name a condition the table lacks. They
are synthetic (kind: news), for measuring extraction and build at scale, not accuracy.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CONDITIONS = [
    "amyotrophic lateral sclerosis",
    "multiple sclerosis",
    "Parkinson's disease",
    "knee osteoarthritis",
    "heart failure",
    "ischemic stroke",
    "spinal cord injury",
    "Crohn's disease",
    "graft-versus-host disease",
    "type 1 diabetes",
    "liver cirrhosis",
    "critical limb ischemia",
    "spinocerebellar ataxia",  # not in the term table
    "Friedreich ataxia",  # not in the term table
]
CELLS = [
    "mesenchymal stem cells",
    "bone marrow mesenchymal stem cells",
    "adipose-derived stem cells",
    "umbilical cord mesenchymal stem cells",
    "neural stem cells",
    "hematopoietic stem cells",
    "bone marrow mononuclear cells",
]
ROUTES = [
    "intravenously",
    "intrathecally",
    "by intra-articular injection",
    "intramuscularly",
    "into the coronary arteries",
    "by lumbar puncture",
    None,
    None,
    None,
]
DESIGNS = [
    "In a randomised, double-blind, placebo-controlled trial,",
    "In an open-label phase 1 study,",
    "In a small phase 2 trial,",
    "In a pilot study,",
    "In a single-arm study,",
]
FINDINGS = [
    "No serious adverse events were reported.",
    "Side effects were mild and transient.",
    "Pain scores improved in {k} of {n} patients.",
    "Quality of life improved over {m} months.",
    "Motor function did not change.",
    "Disability scores were stable at {m} months.",
    "The treated group walked farther in the six-minute walk test.",
]


def article(rng: random.Random, n: int) -> str:
    """One article: headline, a paragraph of study facts, a paragraph of findings."""
    condition, cells, route = rng.choice(CONDITIONS), rng.choice(CELLS), rng.choice(ROUTES)
    size = rng.randint(8, 120)
    months = rng.choice([3, 6, 12, 24])
    given = f" were given {route}" if route else " were given"
    facts = (
        f"{rng.choice(DESIGNS)} researchers enrolled {size} patients with {condition}. "
        f"Their {cells}{given} and the patients were followed for {months} months."
    )
    findings = " ".join(
        rng.choice(FINDINGS).format(k=rng.randint(1, size), n=size, m=months)
        for _ in range(rng.randint(2, 3))
    )
    headline = f"Stem cells tested in {condition}: report {n}"
    quote = "The team says larger studies are needed before the treatment can be recommended."
    return f"{headline}\n\n{facts}\n\n{findings} {quote}\n"


def generate(out: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` articles into ``out`` (the same ones for the same seed)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (out / f"generated-{n:05d}.txt").write_text(article(rng, n), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)
    print(f"wrote {args.count} articles to {args.out}")


if __name__ == "__main__":
    main()
