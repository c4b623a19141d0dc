"""The blind evaluation set (``eval/``): gold files, and scoring extraction against them.

A gold file (``eval/gold/<article stem>.yaml``) names its article, the facts it was written
from, a schema-version-2 record of what the article states, and optional alternative answers
per field path (``accept``). Gold terms are ontology identifiers checked by their writers in
the ontologies themselves, so they are read against an open term index: a CURIE stemkg's tables
do not hold is kept as it is (its label is the CURIE), never refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stemkg.errors import InputError
from stemkg.lexicon import CURIE_FORM, Kind, LexEntry, Lexicon, UnknownTermError, normalise
from stemkg.model import RecordFile
from stemkg.sources.common import read_text
from stemkg.sources.records import describe_error
from stemkg.terms import load_term_index

__all__ = [
    "FIELDS",
    "EvalReport",
    "FieldScore",
    "GoldFile",
    "Miss",
    "OpenLexicon",
    "as_json",
    "check_gold_dir",
    "load_gold",
    "load_gold_dir",
    "score",
]

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


class OpenLexicon(Lexicon):
    """The shipped lexicon, and any well-formed CURIE besides (labelled by itself); the
    CURIEs it let through are kept, so that a writer can see which ids no table vouches for."""

    def __init__(self, base: Lexicon) -> None:
        super().__init__(base)
        self.outside: set[str] = set()

    def resolve(self, kind: Kind, text: str) -> LexEntry:
        try:
            return super().resolve(kind, text)
        except UnknownTermError:
            if CURIE_FORM.match(text.strip()):
                self.outside.add(text.strip())
                return LexEntry(text.strip(), kind, text.strip())
            raise


@dataclass(frozen=True, slots=True)
class GoldFile:
    """One article's expected record and the alternatives its writer accepts."""

    path: Path
    article: Path
    facts: str
    record: RecordFile
    accept: dict[str, tuple[str, ...]]


def _accept(path: Path, value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InputError(path, "accept: expected a mapping of field paths to lists of answers")
    found = {}
    for field, answers in value.items():
        items = answers if isinstance(answers, list) else [answers]
        if not all(isinstance(a, str | int) for a in items):
            raise InputError(path, f"accept.{field}: expected a list of answers")
        found[field] = tuple(str(a) for a in items)
    return found


def load_gold(path: Path, lexicon: Lexicon) -> GoldFile:
    """A gold file, checked: its article exists beside it and its record is a valid record."""
    text, _ = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"YAML does not parse: {exc}") from None
    if not isinstance(data, dict) or not {"article", "record"} <= set(data):
        raise InputError(path, "a gold file is a mapping with article, facts, record, accept")
    unknown = set(data) - {"article", "facts", "record", "accept"}
    if unknown:
        raise InputError(path, f"unknown keys {', '.join(sorted(map(str, unknown)))}")
    article = path.parent.parent / "articles" / str(data["article"])
    if not article.is_file():
        raise InputError(path, f"article: no file {article}")
    try:
        record = RecordFile.model_validate(data["record"], context={"lexicon": lexicon})
    except ValidationError as exc:
        raise InputError(path, f"record: {describe_error(exc)}") from None
    return GoldFile(
        path, article, str(data.get("facts") or ""), record, _accept(path, data.get("accept"))
    )


def load_gold_dir(folder: Path, lexicon: Lexicon) -> list[GoldFile]:
    """Every gold file of an evaluation folder (``DIR/gold/*.yaml``), each article once."""
    return _read_gold_dir(folder, OpenLexicon(lexicon))


def check_gold_dir(folder: Path, lexicon: Lexicon) -> tuple[list[GoldFile], list[str]]:
    """The gold files of a folder, and the identifiers they use that neither the lexicon nor
    the term tables hold (right if the writer checked them in the ontology itself; an
    obsolete or mistyped id is among them)."""
    open_lexicon = OpenLexicon(lexicon)
    files = _read_gold_dir(folder, open_lexicon)
    index = load_term_index()
    return files, sorted(c for c in open_lexicon.outside if index.get(c) is None)


def _read_gold_dir(folder: Path, lexicon: OpenLexicon) -> list[GoldFile]:
    gold_dir = folder / "gold"
    if not gold_dir.is_dir():
        raise InputError(folder, "not an evaluation set (no gold/ folder)")
    files = [load_gold(p, lexicon) for p in sorted(gold_dir.glob("*.yaml"))]
    _check_articles(folder, files)
    return files


def _check_articles(folder: Path, files: Iterable[GoldFile]) -> None:
    named = {g.article.name for g in files}
    articles = folder / "articles"
    missing = (
        sorted(
            p.name
            for p in articles.iterdir()
            if p.suffix in ARTICLE_SUFFIXES and p.name not in named
        )
        if articles.is_dir()
        else []
    )
    if missing:
        raise InputError(articles / missing[0], "an article without a gold file")


# ---------------------------------------------------------------- scoring

FIELDS = (
    "condition",
    "cell_type",
    "source_tissue",
    "donor",
    "routes",
    "study_type",
    "allocation",
    "masking",
    "intervention_model",
    "control",
    "phase",
    "participants",
    "direction",
    "modality",
)
"""The fields scored, in the order the table shows them."""

_BENEFIT = {"improved", "slowed", "not_accelerated", "reduced", "increased"}
_NO_BENEFIT = {"no_change", "worsened"}


_STOP = frozenset(
    (
        "the",
        "and",
        "of",
        "in",
        "at",
        "with",
        "for",
        "from",
        "to",
        "on",
        "by",
        "a",
        "an",
        "its",
        "their",
        "after",
        "before",
        "per",
        "total",
        "overall",
        "measurement",
        "measurements",
        "score",
        "scores",
        "level",
        "levels",
        "change",
        "changes",
        "rate",
        "rates",
        "value",
        "values",
        "assessed",
        "measured",
    )
)


def _words(label: str) -> frozenset[str]:
    """The words of a measure's label that say what was measured."""
    return frozenset(w for w in re.findall(r"[^\W_]+", label.casefold()) if w not in _STOP)


def _alike(gold: str, found: str) -> bool:
    """Two measure labels name the same thing: at least half the words of the shorter one,
    and one word at least, are shared ("6-minute walk distance" ~ "six-minute walk test")."""
    a, b = _words(gold), _words(found)
    shared = len(a & b)
    return shared >= 1 and shared >= 0.5 * min(len(a), len(b))


@dataclass(frozen=True, slots=True)
class _Item:
    """A value of a field: what it is (a tuple of parts), the first part's alternatives, and,
    its label: an unmapped gold measure is matched by its words, an unmapped gold condition,
    cell type, tissue or route by a term of the very same name."""

    parts: tuple[str, ...]
    accept: frozenset[str] = frozenset()
    label: str = dataclass_field(default="", compare=False)

    def matches(self, other: _Item) -> bool:
        if self.parts[1:] != other.parts[1:]:
            return False
        if other.parts[0] == self.parts[0] or other.parts[0] in self.accept:
            return True
        if not self.parts[0].startswith("unmapped:"):
            return False
        if len(self.parts) == 1:  # a condition, cells, tissue or route: the very name
            return bool(self.label) and normalise(self.label) == normalise(other.label)
        return _alike(self.label, other.label)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """Counts of one field: right (tp), extracted but wrong (fp), in the gold but missed (fn)."""

    field: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Miss:
    """One disagreement: the article, the field, what the gold says and what was found."""

    article: str
    field: str
    expected: str
    found: str


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Scores of extraction over an evaluation set."""

    articles: int
    gold_studies: int
    found_studies: int
    paired_studies: int
    fields: tuple[FieldScore, ...]
    micro: FieldScore
    invented: tuple[str, ...]
    """Articles with an extracted study that no gold study pairs with (one entry each)."""
    flipped: tuple[Miss, ...]
    misses: tuple[Miss, ...]

    @property
    def missed_studies(self) -> int:
        return self.gold_studies - self.paired_studies


def _key(term: Any) -> str:
    return str(term.key) if term is not None else ""


def _name(term: Any) -> str:
    return str(term.label) if term is not None else ""


def _accepted(accept: dict[str, tuple[str, ...]], path: str) -> frozenset[str]:
    return frozenset(accept.get(path, ()))


def _items(report: Any, n: int, accept: dict[str, tuple[str, ...]]) -> dict[str, list[_Item]]:
    """The scored values of one report, each with the gold's alternatives for its path."""
    at = f"reports[{n}]"
    found: dict[str, list[_Item]] = {f: [] for f in FIELDS}
    for i, c in enumerate(report.conditions):
        path = f"{at}.conditions[{i}]"
        found["condition"].append(_Item((c.key,), _accepted(accept, path), c.label))
    for axis in ("study_type", "allocation", "masking", "intervention_model", "control"):
        choice = getattr(report.design, axis)
        if choice is not None:
            path = f"{at}.design.{axis}"
            found[axis].append(_Item((choice.value.value,), _accepted(accept, path)))
    phases = [(report.phase, f"{at}.phase")] + [
        (a.phase, f"{at}.arms[{i}].phase") for i, a in enumerate(report.arms)
    ]
    for phase, path in phases:
        if phase is not None and not any(x.parts == (phase.key,) for x in found["phase"]):
            found["phase"].append(_Item((phase.key,), _accepted(accept, path)))
    if report.participants:
        for name in ("enrolled", "treated"):
            count = getattr(report.participants, name)
            if count is not None:
                found["participants"].append(_Item((str(count.value), name)))
    _arm_items(report, at, accept, found)
    _outcome_items(report, at, accept, found)
    return found


def _arm_items(
    report: Any, at: str, accept: dict[str, tuple[str, ...]], found: dict[str, list[_Item]]
) -> None:
    """Cell types, tissues, donors and routes of the treated arms, each value once."""
    for i, arm in enumerate(report.arms):
        if arm.comparator:
            continue
        t, path = arm.therapy, f"{at}.arms[{i}].therapy"
        values = [
            ("cell_type", _key(t.cell_type), _name(t.cell_type), f"{path}.cell_type"),
            (
                "source_tissue",
                _key(t.source_tissue),
                _name(t.source_tissue),
                f"{path}.source_tissue",
            ),
            ("donor", t.donor.value.value if t.donor else "", "", f"{path}.donor"),
            *(("routes", r.key, r.label, f"{path}.routes[{j}]") for j, r in enumerate(t.routes)),
        ]
        for field, value, name, where in values:
            if value and not any(x.parts == (value,) for x in found[field]):
                found[field].append(_Item((value,), _accepted(accept, where), name))


def _outcome_items(
    report: Any, at: str, accept: dict[str, tuple[str, ...]], found: dict[str, list[_Item]]
) -> None:
    for i, o in enumerate(report.outcomes):
        alternatives = _accepted(accept, f"{at}.outcomes[{i}].measure")
        label = o.measure.label
        if o.direction is not None:
            item = _Item((o.measure.key, o.direction.value.value), alternatives, label)
            if item not in found["direction"]:
                found["direction"].append(item)
        item = _Item((o.measure.key, o.modality.value.value), alternatives, label)
        if item not in found["modality"]:
            found["modality"].append(item)


def _compare(
    article: str, gold: list[_Item], got: list[_Item], field: str
) -> tuple[FieldScore, list[Miss]]:
    """Greedy one-to-one matching of found values to gold values, a gold value of the same
    identifier first (so that a gold value's accepted alternative does not take a found value
    another gold value names exactly)."""
    left = list(gold)
    tp = fp = 0
    wrong: list[_Item] = []
    for item in got:
        exact = (g for g in left if g.parts == item.parts)
        match = next(exact, None) or next((g for g in left if g.matches(item)), None)
        if match is None:
            fp += 1
            wrong.append(item)
        else:
            tp += 1
            left.remove(match)
    misses = [Miss(article, field, "|".join(g.parts), "") for g in left]
    misses += [Miss(article, field, "", "|".join(w.parts)) for w in wrong]
    return FieldScore(field, tp, fp, len(left)), misses


def _similarity(gold: Any, got: Any) -> float:
    ids = {gold.study.pmid, gold.study.doi, *gold.study.nct} - {None}
    shared = ids & ({got.study.pmid, got.study.doi, *got.study.nct} - {None})
    conditions = {c.key for c in gold.conditions} & {c.key for c in got.conditions}
    cells = {_key(a.therapy.cell_type) for a in gold.arms} & {
        _key(a.therapy.cell_type) for a in got.arms
    }
    return 10.0 * bool(shared) + len(conditions) + len(cells - {""})


def _pair(gold: list[Any], got: list[Any]) -> list[tuple[int | None, int | None]]:
    """Pair gold and extracted reports: by shared identifiers, then condition and cell type,
    then in order; every report is used once."""
    candidates = sorted(
        (
            (-_similarity(g, f), abs(i - j), i, j)
            for i, g in enumerate(gold)
            for j, f in enumerate(got)
        ),
    )
    used_g: set[int] = set()
    used_f: set[int] = set()
    pairs: list[tuple[int | None, int | None]] = []
    for _, _, i, j in candidates:
        if i not in used_g and j not in used_f:
            pairs.append((i, j))
            used_g.add(i)
            used_f.add(j)
    pairs += [(i, None) for i in range(len(gold)) if i not in used_g]
    pairs += [(None, j) for j in range(len(got)) if j not in used_f]
    return pairs


def _said(outcome: Any) -> tuple[str, str, str, str]:
    direction = outcome.direction.value.value if outcome.direction else ""
    return outcome.measure.key, direction, outcome.modality.value.value, outcome.measure.label


def _same_measure(found: tuple[str, str, str, str], gold: tuple[str, str, str, str]) -> bool:
    if found[0] == gold[0]:
        return True
    return gold[0].startswith("unmapped:") and _alike(gold[3], found[3])


def _helped(found: tuple[str, str, str, str], gold: tuple[str, str, str, str]) -> bool:
    """Whether an extracted finding claims a benefit the gold finding denies."""
    _, direction, modality, _ = gold
    if not _same_measure(found, gold) or found[2] != "asserted" or found[1] not in _BENEFIT:
        return False
    if modality == "negated" and direction in _BENEFIT:  # "did not improve"
        return found[1] == direction
    return modality == "asserted" and direction in _NO_BENEFIT  # "did not change", "worsened"


def _flipped(article: str, gold: Any, got: Any) -> list[Miss]:
    """Findings the gold says did not help that the extraction says helped (unless another
    gold finding on the same measure says just that, e.g. in the treated arm)."""
    found = []
    for f in got.outcomes:
        said = _said(f)
        supported = any(
            _same_measure(said, _said(g)) and said[1:3] == _said(g)[1:3] for g in gold.outcomes
        )
        if supported:
            continue
        for g in gold.outcomes:
            if _helped(said, _said(g)):
                found.append(Miss(article, "flipped", " ".join(_said(g)[:3]), " ".join(said[:3])))
    return found


def score(results: Iterable[tuple[GoldFile, list[Any]]]) -> EvalReport:
    """Score extracted reports (per gold file) against the gold records."""
    totals = {f: FieldScore(f) for f in FIELDS}
    misses: list[Miss] = []
    flipped: list[Miss] = []
    invented: list[str] = []
    articles = gold_n = found_n = paired = 0
    for gold_file, got in results:
        articles += 1
        name = gold_file.article.name
        gold = list(gold_file.record.reports)
        gold_n, found_n = gold_n + len(gold), found_n + len(got)
        for i, j in _pair(gold, got):
            g_items = _items(gold[i], i, gold_file.accept) if i is not None else None
            f_items = _items(got[j], -1, {}) if j is not None else None
            if i is not None and j is not None:
                paired += 1
                flipped += _flipped(name, gold[i], got[j])
            if i is None:
                invented.append(name)
            for field in FIELDS:
                s, m = _compare(
                    name,
                    g_items[field] if g_items else [],
                    f_items[field] if f_items else [],
                    field,
                )
                t = totals[field]
                totals[field] = FieldScore(field, t.tp + s.tp, t.fp + s.fp, t.fn + s.fn)
                misses += m
    fields = tuple(totals[f] for f in FIELDS)
    micro = FieldScore(
        "micro",
        sum(f.tp for f in fields),
        sum(f.fp for f in fields),
        sum(f.fn for f in fields),
    )
    return EvalReport(
        articles,
        gold_n,
        found_n,
        paired,
        fields,
        micro,
        tuple(invented),
        tuple(flipped),
        tuple(misses),
    )


def as_json(report: EvalReport) -> dict[str, Any]:
    """The report as plain data (for ``stemkg eval --json``)."""

    def counts(s: FieldScore) -> dict[str, Any]:
        return {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "tp": s.tp,
            "fp": s.fp,
            "fn": s.fn,
        }

    return {
        "articles": report.articles,
        "studies": {
            "gold": report.gold_studies,
            "extracted": report.found_studies,
            "paired": report.paired_studies,
            "missed": report.missed_studies,
            "invented": list(report.invented),
        },
        "fields": {s.field: counts(s) for s in report.fields},
        "micro": counts(report.micro),
        "flipped": [vars_of(m) for m in report.flipped],
        "misses": [vars_of(m) for m in report.misses],
    }


def vars_of(miss: Miss) -> dict[str, str]:
    return {
        "article": miss.article,
        "field": miss.field,
        "expected": miss.expected,
        "found": miss.found,
    }
