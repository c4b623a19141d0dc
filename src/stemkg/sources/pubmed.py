"""PubMed XML: efetch's ``PubmedArticleSet`` and MEDLINE baseline files, streamed.

Each citation becomes a Document whose text is its title and abstract, one paragraph per
labelled section ("METHODS: ..."), so extraction sees the abstract's sections as they were
labelled. Identifiers (PMID, DOI, registry ids from ``DataBankList``), journal, date,
publication types and MeSH headings come from the record's fields, not from its prose. A
review or meta-analysis reports no new study; a retracted paper is marked so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from stemkg.errors import InputError
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.sources.textutil import find_ids
from stemkg.sources.xmlread import elements, text_of

__all__ = ["ROOTS", "citations", "iso_date", "matching", "no_study_reason"]

ROOTS = {
    "PubmedArticleSet": frozenset({"PubmedArticle", "PubmedBookArticle"}),
    "MedlineCitationSet": frozenset({"MedlineCitation"}),
}
"""The root elements of PubMed XML and the citation elements each holds."""

NO_NEW_STUDY = frozenset(
    {
        "review",
        "systematic review",
        "meta-analysis",
        "editorial",
        "comment",
        "news",
        "retraction of publication",
        "published erratum",
        "practice guideline",
        "guideline",
    }
)
"""Publication types of papers that report no study of their own (unless also typed as one)."""
_A_STUDY = re.compile(
    r"clinical trial|clinical study|case reports?|observational study|"
    r"randomized controlled trial|controlled clinical trial|comparative study|"
    r"evaluation study|validation study",
    re.I,
)
_MONTHS = {
    m: n
    for n, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_REGISTRIES = ("clinicaltrials.gov",)


def matching(words: tuple[str, ...]) -> Callable[[Document], bool]:
    """Whether a document's MeSH headings, title or text name any of ``words`` (ignoring
    case): ``matching(("stem cell", "stromal"))`` keeps the stem-cell citations of a
    baseline file."""
    wanted = tuple(w.casefold() for w in words if w.strip())

    def keep(doc: Document) -> bool:
        haystack = " ".join((*doc.keywords, doc.text)).casefold()
        return any(w in haystack for w in wanted)

    return keep


def citations(path: Path, root: str) -> Iterator[Document]:
    """The citations of a PubMed or MEDLINE XML file, one Document each, in file order."""
    for element in elements(path, ROOTS[root]):
        if element.tag == "PubmedBookArticle":
            continue  # a book chapter: no journal citation to read
        citation = element if element.tag == "MedlineCitation" else element.find("MedlineCitation")
        if citation is None:
            raise InputError(path, f"a <{element.tag}> without <MedlineCitation>")
        yield _document(path, citation, element.find("PubmedData"))


def _document(path: Path, citation: Element, data: Element | None) -> Document:
    pmid = (citation.findtext("PMID") or "").strip()
    if not pmid.isdigit():
        raise InputError(path, f"a citation without a numeric <PMID> (found {pmid!r})")
    article = citation.find("Article")
    if article is None:
        raise InputError(path, f"PMID {pmid}: no <Article> element")
    title = text_of(article.find("ArticleTitle")) or text_of(article.find("VernacularTitle"))
    title = title or f"PubMed {pmid}"
    paragraphs = [_section(a) for a in article.iterfind("Abstract/AbstractText")]
    paragraphs = [p for p in paragraphs if p]
    text = "\n\n".join([title, *paragraphs])
    types = tuple(text_of(t) for t in article.iterfind("PublicationTypeList/PublicationType"))
    mesh = tuple(text_of(m) for m in citation.iterfind("MeshHeadingList/MeshHeading/*"))
    return Document(
        id=f"pmid-{pmid}",
        title=title,
        text=text,
        kind=SourceKind.ABSTRACT,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}",
        date=_date(article),
        venue=text_of(article.find("Journal/Title"))
        or text_of(article.find("Journal/ISOAbbreviation"))
        or None,
        pmid=pmid,
        doi=_doi(article, data),
        nct=_registry_ids(article, text),
        retracted=_retracted(citation, types),
        not_a_study=no_study_reason(types, bool(paragraphs)),
        keywords=mesh,
        mesh=tuple(
            (d.get("UI", ""), text_of(d))
            for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
            if d.get("UI")
        ),
    )


def _section(element: Element) -> str:
    """One ``AbstractText``: "LABEL: text" when labelled, else the text."""
    body = text_of(element)
    label = (element.get("Label") or "").strip()
    if not body or not label or label.casefold() == "unlabelled":
        return body
    return f"{label}: {body}"


def _date(article: Element) -> str | None:
    """The issue's publication date as ISO 8601 (year, year-month or full), else the
    electronic date; ``MedlineDate`` ("2016 Mar-Apr") gives its first year and month."""
    pub = article.find("Journal/JournalIssue/PubDate")
    if pub is not None:
        year = (pub.findtext("Year") or "").strip()
        if not year:
            found = re.match(
                r"\s*((?:19|20)\d\d)(?:\s+([A-Za-z]{3}))?", pub.findtext("MedlineDate") or ""
            )
            return iso_date(found.group(1), found.group(2), None) if found else None
        return iso_date(year, pub.findtext("Month"), pub.findtext("Day"))
    electronic = article.find("ArticleDate")
    if electronic is not None:
        return iso_date(
            electronic.findtext("Year") or "",
            electronic.findtext("Month"),
            electronic.findtext("Day"),
        )
    return None


def iso_date(year: str, month: str | None, day: str | None) -> str | None:
    """ISO 8601 from a citation's year, month (number or name) and day, as far as known."""
    if not re.fullmatch(r"(?:19|20)\d\d", year.strip()):
        return None
    m = (month or "").strip()
    number = int(m) if m.isdigit() else _MONTHS.get(m[:3].casefold())
    if number is None or not 1 <= number <= 12:
        return year.strip()
    d = (day or "").strip()
    if d.isdigit() and 1 <= int(d) <= 31:
        return f"{year.strip()}-{number:02d}-{int(d):02d}"
    return f"{year.strip()}-{number:02d}"


def _doi(article: Element, data: Element | None) -> str | None:
    for loc in article.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and (loc.text or "").strip():
            return (loc.text or "").strip()
    if data is not None:
        for aid in data.iterfind("ArticleIdList/ArticleId"):
            if aid.get("IdType") == "doi" and (aid.text or "").strip():
                return (aid.text or "").strip()
    return None


def _registry_ids(article: Element, text: str) -> tuple[str, ...]:
    """ClinicalTrials.gov ids from ``DataBankList``, then those the abstract names."""
    found: list[str] = []
    for bank in article.iterfind("DataBankList/DataBank"):
        if (bank.findtext("DataBankName") or "").strip().casefold() in _REGISTRIES:
            found += [(a.text or "").strip() for a in bank.iterfind("AccessionNumberList/*")]
    if "NCT" in text:  # the abstract's own mentions, cheaply skipped when there are none
        found += find_ids(text).ncts
    return tuple(dict.fromkeys(n for n in found if re.fullmatch(r"NCT\d{8}", n)))


def _retracted(citation: Element, types: tuple[str, ...]) -> bool:
    if any(t.casefold() == "retracted publication" for t in types):
        return True
    return any(
        c.get("RefType") == "RetractionIn"
        for c in citation.iterfind("CommentsCorrectionsList/CommentsCorrections")
    )


def no_study_reason(types: tuple[str, ...], has_abstract: bool) -> str | None:
    """Why a citation reports no study of its own (no abstract, or a review's publication
    type without a study's), else None."""
    if not has_abstract:
        return "the citation has no abstract to read"
    if any(_A_STUDY.search(t) for t in types):
        return None
    kinds = [t for t in types if t.casefold() in NO_NEW_STUDY]
    if kinds:
        return f"its publication type is {kinds[0]!r}, which reports no new study"
    return None
