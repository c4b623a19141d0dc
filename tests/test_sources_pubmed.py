"""PubMed efetch and MEDLINE XML, RIS and MEDLINE text: what each reader yields, and bad input."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

from stemkg.errors import InputError
from stemkg.extract import explain, extract
from stemkg.lexicon import Lexicon
from stemkg.model import SourceKind
from stemkg.pipeline import build
from stemkg.query import bind, load_query, run_query
from stemkg.rdf import SourceInput, map_source
from stemkg.sources import Document, Format, detect, read_file
from stemkg.sources.pubmed import citations, matching
from stemkg.sources.textutil import labelled_sections
from stemkg.store import open_store
from stemkg.vocab import load_lexicon, load_resources

DATA = Path(__file__).resolve().parents[1] / "data"
EFETCH = DATA / "pubmed" / "seed-trials-efetch.xml"
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)


def _docs(path: Path, lexicon: Lexicon) -> list[Document]:
    return list(read_file(path, lexicon).documents)


def _citation(
    pmid: int, *, types: str = "Journal Article", abstract: str = "", extra: str = ""
) -> str:
    body = f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else ""
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>"
        f"<Journal><JournalIssue><PubDate><MedlineDate>2019 Mar-Apr</MedlineDate></PubDate>"
        f"</JournalIssue><Title>Test Journal</Title></Journal>"
        f"<ArticleTitle>Citation {pmid}</ArticleTitle>{body}"
        f"<PublicationTypeList><PublicationType>{types}</PublicationType></PublicationTypeList>"
        f"</Article>{extra}</MedlineCitation></PubmedArticle>"
    )


def _set(*articles: str) -> str:
    body = "".join(articles)
    return f'<?xml version="1.0"?>\n{DOCTYPE}\n<PubmedArticleSet>{body}</PubmedArticleSet>'


def test_efetch_file_gives_one_document_per_citation(lexicon: Lexicon) -> None:
    assert detect(EFETCH) is Format.PUBMED_XML
    petrou, oh = _docs(EFETCH, lexicon)
    assert (petrou.id, petrou.pmid, petrou.doi) == (
        "pmid-26751635",
        "26751635",
        "10.1001/jamaneurol.2015.4321",
    )
    assert petrou.nct == ("NCT01051882", "NCT01777646")  # from DataBankList
    assert (petrou.venue, petrou.date, petrou.kind) == (
        "JAMA neurology",
        "2016-03",
        SourceKind.ABSTRACT,
    )
    assert "\n\nRESULTS: Adverse events were mostly mild" in petrou.text  # labelled sections kept
    assert petrou.text.startswith(petrou.title)
    assert "Amyotrophic Lateral Sclerosis" in petrou.keywords  # MeSH, not part of the text
    assert "1 × 10⁶ cells per kilogram" in oh.text  # 10<sup>6</sup> is 10⁶


def test_efetch_abstract_is_extracted_with_its_identifiers(lexicon: Lexicon) -> None:
    _, oh = _docs(EFETCH, lexicon)
    record = extract(oh, load_resources())
    [report] = record.reports
    assert record.source.pmid == "25934946" and record.source.nct == ("NCT01363401",)
    assert record.source.venue == "Stem cells translational medicine"  # the journal field
    assert report.conditions[0].id == "MONDO:0004976"
    assert report.arms[0].therapy.cell_type is not None
    assert report.arms[0].therapy.cell_type.id == "CL:0002540"
    assert report.arms[0].therapy.dose is not None and report.arms[0].therapy.dose.value == 1e6
    for ev in (report.conditions[0], report.arms[0].therapy.cell_type):
        assert ev.start is not None and oh.text[ev.start : ev.end] == ev.quote


def test_review_reports_no_new_study(tmp_path: Path, lexicon: Lexicon) -> None:
    abstract = "We review twenty trials of mesenchymal stem cells given intrathecally for ALS."
    path = tmp_path / "review.xml"
    path.write_text(_set(_citation(11, types="Review", abstract=abstract)), encoding="utf-8")
    [doc] = _docs(path, lexicon)
    assert doc.not_a_study and "'Review'" in doc.not_a_study
    assert extract(doc, load_resources()).reports == []
    assert "reports no new study" in explain(doc, load_resources())


def test_case_report_typed_also_as_review_is_read(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "case.xml"
    both = "Case Reports</PublicationType><PublicationType>Review"
    path.write_text(_set(_citation(12, types=both, abstract="A patient.")), encoding="utf-8")
    [doc] = _docs(path, lexicon)
    assert doc.not_a_study is None and doc.date == "2019-03"


def test_retracted_paper_is_flagged_in_the_graph(tmp_path: Path, lexicon: Lexicon) -> None:
    notice = (
        '<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        "<RefSource>Test Journal. 2020</RefSource></CommentsCorrections></CommentsCorrectionsList>"
    )
    path = tmp_path / "retracted.xml"
    _, oh = _docs(EFETCH, lexicon)
    abstract = oh.text.split("\n\n", 1)[1].replace("×", "x").replace("⁶", "^6")
    path.write_text(_set(_citation(13, abstract=abstract, extra=notice)), encoding="utf-8")
    [doc] = _docs(path, lexicon)
    record = extract(doc, load_resources())
    assert doc.retracted and record.source.retracted and record.reports
    quads = map_source(SourceInput("pmid:13", "retracted.xml", "sha256:0", record, ("k",), "t"))
    assert any(q.predicate.value.endswith("/retracted") and q.object.value == "true" for q in quads)


def test_medline_baseline_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A gzipped MedlineCitationSet of 3,000 citations is read one citation at a time."""
    path = tmp_path / "medline25n0001.xml.gz"
    abstract = "Mesenchymal stem cells were given intravenously to patients. " * 20
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<MedlineCitationSet>')
        for n in range(1, 3001):
            inner = _citation(n, abstract=abstract if n % 3 else "Knee surgery outcomes.")
            out.write(inner.removeprefix("<PubmedArticle>").removesuffix("</PubmedArticle>"))
        out.write("</MedlineCitationSet>")
    assert detect(path) is Format.PUBMED_XML
    tracemalloc.start()
    keep = matching(("stem cell",))
    kept = sum(1 for doc in citations(path, "MedlineCitationSet") if keep(doc))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert kept == 2000
    assert peak < 8_000_000, peak  # the whole file holds ~4 MB of text; one citation is ~1 kB


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        (
            "page.xml",
            "<!DOCTYPE html><html><body>Error 503</body></html>",
            "root <html>: is this a web page",
        ),
        (
            "lol.xml",
            '<?xml version="1.0"?><!DOCTYPE PubmedArticleSet '
            '[<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            "<PubmedArticleSet>&b;</PubmedArticleSet>",
            "declares entities ('a')",
        ),
        (
            "xxe.xml",
            '<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<PubmedArticleSet>&x;</PubmedArticleSet>",
            "never expands or fetches",
        ),
        ("cut.xml", _set(_citation(1, abstract="Cells."))[:-60], "was it cut short?"),
        (
            "nopmid.xml",
            _set("<PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle>"),
            "PMID",
        ),
    ],
)
def test_bad_pubmed_xml_is_one_clear_line(
    tmp_path: Path, lexicon: Lexicon, name: str, content: str, needle: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        _docs(path, lexicon)
    assert str(path) in str(info.value) and needle in str(info.value)
    assert "passwd" not in str(info.value) or "xxe" in name


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"<PubmedArticleSet/>", "named .gz but not gzip data"), (None, "cut short")],
)
def test_bad_gzip_is_one_clear_line(
    tmp_path: Path, lexicon: Lexicon, data: bytes | None, needle: str
) -> None:
    path = tmp_path / "pubmed.xml.gz"
    whole = gzip.compress(
        _set(*(_citation(n, abstract="Cells " * 500) for n in range(50))).encode()
    )
    path.write_bytes(data if data is not None else whole[: len(whole) // 2])
    with pytest.raises(InputError) as info:
        _docs(path, lexicon)
    assert needle in str(info.value)


RIS = """TY  - JOUR
TI  - Intrathecal mesenchymal stem cells in progressive multiple sclerosis
T2  - Test Journal
PY  - 2021
DO  - 10.1000/test.1
AB  - In this phase 2 trial, 48 patients with progressive multiple sclerosis received
      autologous bone marrow mesenchymal stem cells intrathecally.
ER  -

TY  - JOUR
TI  - Umbilical cord MSCs for knee osteoarthritis
JO  - Another Journal
PY  - 2019/05/01
N2  - Twenty patients with knee osteoarthritis received intra-articular umbilical cord MSCs.
ER  -

TY  - JOUR
TI  - A reference without an abstract
ER  -
"""


def test_ris_export_reads_abstracts_in_ab_and_n2(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "zotero.ris"
    path.write_text(RIS, encoding="utf-8")
    ms, knee, bare = _docs(path, lexicon)
    assert (ms.doi, ms.venue, ms.date) == ("10.1000/test.1", "Test Journal", "2021")
    assert "48 patients with progressive multiple sclerosis received" in ms.text
    assert "intra-articular umbilical cord MSCs" in knee.text and knee.date == "2019-05-01"
    assert bare.not_a_study == "the citation has no abstract to read"
    assert ms.id != knee.id


MEDLINE = """PMID- 31000001
OWN - NLM
TI  - Autologous adipose-derived stem cells for critical limb ischemia: a phase 1
      study.
AB  - Ten patients with critical limb ischemia received intramuscular injections of
      autologous adipose-derived stem cells.
AID - 10.1000/limb.2 [doi]
DP  - 2018 Jun
JT  - Journal of Tests
PT  - Clinical Trial, Phase I
SI  - ClinicalTrials.gov/NCT01234567
MH  - Ischemia/therapy

PMID- 31000002
TI  - Stem cells in stroke: a review.
AB  - We review the trials.
PT  - Review
"""


def test_medline_text_reads_tags_and_continuations(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "pubmed-export.txt"
    path.write_text(MEDLINE, encoding="utf-8")
    assert detect(path) is Format.MEDLINE
    limb, review = _docs(path, lexicon)
    assert (
        limb.title
        == "Autologous adipose-derived stem cells for critical limb ischemia: a phase 1 study."
    )
    assert (limb.pmid, limb.doi, limb.nct, limb.date) == (
        "31000001",
        "10.1000/limb.2",
        ("NCT01234567",),
        "2018-06",
    )
    assert limb.keywords == ("Ischemia/therapy",) and limb.not_a_study is None
    assert review.not_a_study is not None


def test_medline_text_with_a_broken_tag_line_names_it(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "broken.nbib"
    path.write_text(MEDLINE.replace("AID - ", "AID:"), encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.nbib: line 7 is not a MEDLINE tag line"):
        _docs(path, lexicon)


def test_mesh_headings_name_the_condition_the_abstract_leaves_out(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    abstract = (
        "In this open-label phase 1 trial, 12 patients received two intrathecal injections of "
        "autologous bone marrow mesenchymal stem cells; no serious adverse events occurred."
    )
    mesh = (
        '<MeshHeadingList><MeshHeading><DescriptorName UI="D000690">Amyotrophic Lateral '
        'Sclerosis</DescriptorName></MeshHeading><MeshHeading><DescriptorName UI="D006801">'
        "Humans</DescriptorName></MeshHeading></MeshHeadingList>"
    )
    path = tmp_path / "mesh.xml"
    path.write_text(_set(_citation(14, abstract=abstract, extra=mesh)), encoding="utf-8")
    [doc] = _docs(path, lexicon)
    [report] = extract(doc, load_resources()).reports
    [condition] = report.conditions
    assert condition.id == "MONDO:0004976"
    assert condition.locator == (
        "MeSH heading 'Amyotrophic Lateral Sclerosis' (D000690), MONDO's exact match"
    )
    assert condition.start is None  # the heading is not part of the text


def test_a_retracted_paper_is_flagged_in_query_results(tmp_path: Path) -> None:
    notice = (
        '<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        "<RefSource>Test Journal. 2020</RefSource></CommentsCorrections></CommentsCorrectionsList>"
    )
    text = EFETCH.read_text(encoding="utf-8").replace(
        "</MeshHeadingList>\n  </MedlineCitation>",
        f"</MeshHeadingList>{notice}</MedlineCitation>",
        1,
    )
    path = tmp_path / "retracted.xml"
    path.write_text(text, encoding="utf-8")
    result = build([path], tmp_path / "out")
    named = load_query("evidence-chain")
    found = run_query(open_store(result.out_dir), named, bind(named, {}, load_lexicon()))
    rows = [dict(zip(found.variables, row, strict=True)) for row in found.rows]
    flags = {str(r["source"]): r["retracted"] for r in rows}
    assert flags, rows
    petrou = next(k for k in flags if k.startswith("Safety and Clinical Effects"))
    oh = next(k for k in flags if k.startswith("Phase I trial"))
    assert str(flags[petrou]) == "true" and flags[oh] is None


def test_a_one_paragraph_structured_abstract_keeps_its_sections(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    """RIS and MEDLINE text often hold a structured abstract as one paragraph with its labels
    in sentence case; its results are results, not background."""
    abstract = (
        "Background: Cell therapy might help patients with ischaemic stroke. Methods: In this "
        "phase 2 trial, 126 patients were randomly assigned to intravenous multipotent adult "
        "progenitor cells or placebo. Findings: Global recovery at day 90 did not differ between "
        "the groups. No serious adverse events were linked to the cells. Interpretation: The "
        "cells were safe."
    )
    path = tmp_path / "export.ris"
    path.write_text(f"TY  - JOUR\nTI  - Cells after stroke\nAB  - {abstract}\nER  - \n", "utf-8")
    [doc] = _docs(path, lexicon)
    assert "\n\nFindings: Global recovery" in doc.text
    [report] = extract(doc, load_resources()).reports
    assert report.outcomes


def test_inline_section_labels_are_found_after_a_sentence() -> None:
    text = "Background: Why. Methods: Ten patients were enrolled. Findings: Pain fell. See: x."
    kinds = [(text[at:].split(":")[0], kind) for at, kind in labelled_sections(text)]
    assert kinds == [("Background", "background"), ("Methods", "methods"), ("Findings", "results")]
