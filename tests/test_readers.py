"""Text readers: plain text, Markdown and HTML articles, their furniture, and bad input."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stemkg.errors import InputError
from stemkg.model import SourceKind
from stemkg.sources.document import ReadResult
from stemkg.sources.html import read_html
from stemkg.sources.markdown import read_markdown
from stemkg.sources.text import read_text
from stemkg.sources.textutil import decode, find_ids

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_a9ffed9fe85c4e76.txt"

Reader = Callable[[Path], ReadResult]
READERS: dict[str, Reader] = {".txt": read_text, ".md": read_markdown, ".html": read_html}

PROSE = (
    "Twelve patients with chronic stroke received mesenchymal stem cells into a vein. "
    "No serious adverse events were recorded over twelve months of follow-up, and walking "
    "speed improved in eight of them. The authors call for a randomised trial. "
) * 2


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _read(path: Path) -> ReadResult:
    return READERS[path.suffix](path)


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        _read(path)
    message = str(info.value)
    assert str(path) in message
    return message


# The real pages


@pytest.mark.skipif(not SEED.is_file(), reason="the shared seed sits beside the repository")
def test_seed_page_splits_into_its_three_articles() -> None:
    docs = read_text(SEED).documents
    assert [d.title for d in docs] == [
        "Stem Cells Show Protective Potential for Amyotrophic Lateral Sclerosis (ALS)",
        "Stem Cells that Secrete Neurotrophic Factors Shown to be Safe in ALS Patients",
        "Phase I Clinical Trial Demonstrates Safety of Stem Cell Therapy for Amyotrophic "
        "Lateral Sclerosis",
    ]
    for doc in docs:
        assert doc.text.startswith(doc.title + "\n\n")
        assert doc.text.count(doc.title) == 1
        assert doc.kind is SourceKind.NEWS
        for furniture in ("Subscribe", "Request Information Packet", "Learn more about"):
            assert furniture not in doc.text
    assert "13 of the patients (or 87%)" in docs[1].text


def test_roundup_splits_into_three_articles_without_furniture() -> None:
    docs = read_text(ARTICLES / "als-roundup.txt").documents
    assert [d.title.split()[0] for d in docs] == ["Lab", "Neurotrophic-Factor-Secreting", "Phase"]
    furniture = (
        "CellTherapy Digest",
        "Ask a Specialist",
        "Search this site",
        "Research Roundup",
        "Share this article",
        "Related posts",
        "What is a motor neuron?",
        "Subscribe To Our Newsletter",
        "Sign me up",
        "Find out more",
        "Most read this week",
        "cookies",
        "All rights reserved",
        "Written for stemkg",
    )
    for doc in docs:
        assert not [line for line in furniture if line in doc.text]
        assert "Source:" in doc.text
        assert doc.kind is SourceKind.EXAMPLE
    assert docs[0].text.startswith(docs[0].title + "\n\nWhen people talk about stem cells")
    assert (docs[1].pmid, docs[1].doi) == ("26751635", "10.1001/jamaneurol.2015.4321")
    assert (docs[2].pmid, docs[2].nct) == ("25934946", ("NCT01363401",))


@pytest.mark.parametrize(
    ("name", "title", "kept", "dropped"),
    [
        (
            "ms-msc-infusion-blog.md",
            "One drip, ten patients: what an early MSC trial in progressive MS measured "
            "through the eye",
            ["Secondary progressive multiple sclerosis is the stage", "Ten patients with "],
            ["Archive", "Filed under", "Further reading", "Comments are closed", "EDSS?"],
        ),
        (
            "stroke-rat-msc-classic.md",
            "Classic papers, revisited: intravenous marrow stromal cells after stroke in rats",
            ["The experiment used 32 rats.", "5 | 3 × 10⁶ cells into a vein, 7 days after"],
            ["Navigation", "Blog home", "Related on this blog", "Part of our", "**", "]("],
        ),
        (
            "what-are-stem-cells.md",
            "What are stem cells? A plain-language guide",
            ["A stem cell is a cell that can do two things", "Ask whether a treatment is"],
            ["Learn hub", "Sign up for our newsletter", "Updated regularly", "Written for"],
        ),
        (
            "knee-oa-adipose-msc.html",
            "Fat-derived stem cells beat saline for knee arthritis in small trial",
            ["Twenty-four patients with knee osteoarthritis took part.", "Source: Lee WS"],
            ["cookies", "Ask the expert", "Related stories", "Subscribe", "Editorial policy"],
        ),
        (
            "pisces-neural-stem-cells-stroke.html",
            "Neural stem cells implanted in stroke survivors' brains: first-in-man results",
            ["Eleven men living with long-term disability", "Source: Kalladka D"],
            ["cookies", "Donate", "Podcast", "Spot a stroke FAST", "Weekly briefing"],
        ),
        (
            "regen-clinic-advert.html",
            "Feel Like Yourself Again with Stem Cell Therapy",
            ["Harness your body's own healing power.", "Individual results vary."],
            ["cookies", "Book now", "Pricing", "Claim your free consultation", "Privacy"],
        ),
    ],
)
def test_marked_up_article_reads_as_one_document(
    name: str, title: str, kept: list[str], dropped: list[str]
) -> None:
    [doc] = _read(ARTICLES / name).documents
    assert doc.id == Path(name).stem
    assert doc.title == title
    assert doc.text.startswith(title + "\n\n")
    assert doc.text.count(title) == 1
    assert all(line in doc.text for line in kept)
    assert not [line for line in dropped if line in doc.text]
    assert doc.kind is SourceKind.EXAMPLE
    assert "\n\n\n" not in doc.text


def test_html_metadata_and_identifiers() -> None:
    [knee] = read_html(ARTICLES / "knee-oa-adipose-msc.html").documents
    [pisces] = read_html(ARTICLES / "pisces-neural-stem-cells-stroke.html").documents
    assert (knee.date, knee.doi) == ("2019-05-02", "10.1002/sctm.18-0122")
    assert pisces.url == "https://brainwatch.example/stroke/pisces-first-in-man"
    assert (pisces.pmid, pisces.nct) == ("27497862", ("NCT01151124",))
    assert pisces.doi == "10.1016/S0140-6736(16)30513-X"


def test_every_shipped_article_reads_with_unique_stable_ids() -> None:
    files = sorted(p for p in ARTICLES.iterdir() if p.suffix in READERS)
    first = [d.id for p in files for d in _read(p).documents]
    again = [d.id for p in files for d in _read(p).documents]
    assert first == again
    assert len(first) == len(set(first)) >= len(files) + 2
    assert all(len(i) <= 80 for i in first)


# Tiny pages


def test_one_article_takes_the_file_name_as_id(tmp_path: Path) -> None:
    page = f"Menu | News | About us\n\nStem Cells Help Stroke Patients Walk\n\n{PROSE}\n"
    [doc] = read_text(_write(tmp_path, "Stroke page.txt", page)).documents
    assert doc.id == "Stroke-page"
    assert doc.text == f"Stem Cells Help Stroke Patients Walk\n\n{PROSE.strip()}"


def test_short_teaser_and_furniture_only_pages_give_no_document(tmp_path: Path) -> None:
    teaser = "Stem Cells Help Stroke Patients Walk\n\nRead the full story on our site today.\n"
    furniture = "Home | News | About\n\nSubscribe To Our Newsletter\n\nSign up now.\n"
    assert read_text(_write(tmp_path, "teaser.txt", teaser)).documents == ()
    assert read_text(_write(tmp_path, "furniture.txt", furniture)).documents == ()


def test_a_registry_field_block_is_text_not_furniture(tmp_path: Path) -> None:
    fields = "Identifier: NCT00000001\nPhase: Phase 2\nAllocation: Randomized\nEnrollment: 40\n"
    page = f"Stem Cells Help Stroke Patients Walk\n\n{fields}\n{PROSE}\n"
    [doc] = read_text(_write(tmp_path, "registry.txt", page)).documents
    assert "Phase: Phase 2" in doc.text and "NCT00000001" in doc.text


def test_registry_fields_above_the_title_belong_to_the_article(tmp_path: Path) -> None:
    fields = "ClinicalTrials.gov Identifier: NCT05635409\nOther IDs: CCTU0263\n"
    page = f"{fields}\nBrief title: STEM-PD\n\n{PROSE}\n"
    [doc] = read_text(_write(tmp_path, "registry.txt", page)).documents
    assert doc.nct == ("NCT05635409",) and "Other IDs: CCTU0263" in doc.text


def test_a_news_brief_is_an_article(tmp_path: Path) -> None:
    brief = "Marrow Cells Heal Broken Legs\n\n" + ". ".join(PROSE.split(". ")[:2]) + ".\n"
    assert 25 <= len(brief.split()) < 60
    [doc] = read_text(_write(tmp_path, "brief.txt", brief)).documents
    assert doc.title == "Marrow Cells Heal Broken Legs"


def test_release_boilerplate_and_a_closing_subheading_are_no_articles(tmp_path: Path) -> None:
    about = "About Heart Repair News\nHeart Repair News is a newsroom that summarises research "
    release = f"Cells Mend Hearts\n\n{PROSE}\n\n###\n\n{about * 3}\n"
    assert [d.title for d in read_text(_write(tmp_path, "r.txt", release)).documents] == [
        "Cells Mend Hearts"
    ]
    closing = "So, do stem cells work?\n\n" + " ".join(["Not yet, on the evidence."] * 8)
    page = (
        f"Stem cells for stroke: what trials show\nPosted by Ann Lee\n\n{PROSE * 2}\n\n{closing}\n"
    )
    [doc] = read_text(_write(tmp_path, "blog.txt", page)).documents
    assert PROSE.strip() in doc.text and "Not yet" in doc.text


def test_headlines_split_articles_and_repeated_boxes_are_dropped(tmp_path: Path) -> None:
    box = "Join Our List\nYour email\nSign up\n"
    page = "".join(
        f"Study {n} Shows Stem Cells Are Safe In Rats\n\nStudy {n} Shows Stem Cells Are Safe "
        f"In Rats\n\n{PROSE.replace('Twelve', n)}\n\n{box}\n"
        for n in ("One", "Two", "Three")
    )
    docs = read_text(_write(tmp_path, "page.txt", page)).documents
    assert [d.title.split()[1] for d in docs] == ["One", "Two", "Three"]
    assert len({d.id for d in docs}) == 3
    assert all("Sign up" not in d.text for d in docs)


def test_press_release_structure_sets_the_kind(tmp_path: Path) -> None:
    page = (
        "FOR IMMEDIATE RELEASE\n\nNewsroom | Contacts | Images\n\n"
        f"Trial of Donor Cells Reports Safety\n\nMIAMI -- {PROSE}\n\n###\n\n"
        "About the Example Institute\nThe institute is fictional.\n"
    )
    [doc] = read_text(_write(tmp_path, "release.txt", page)).documents
    assert doc.kind is SourceKind.PRESS_RELEASE
    assert "About the Example Institute" not in doc.text


def test_markdown_front_matter_and_blog_kind(tmp_path: Path) -> None:
    page = (
        "---\nlayout: post\ntitle: Cells in a vein\ndate: 2020-01-02\n"
        "url: https://blog.example/cells\n---\n\n[Home](/) · [Archive](/a) · [About](/b)\n\n"
        f"# Cells in a vein\n\n*Filed under: news · 3 minutes*\n\n{PROSE}\n\n"
        "- [One link](/1)\n- [Another link](/2)\n- [A third](/3)\n"
    )
    [doc] = read_markdown(_write(tmp_path, "post.md", page)).documents
    assert (doc.title, doc.date) == ("Cells in a vein", "2020-01-02")
    assert doc.url == "https://blog.example/cells"
    assert doc.kind is SourceKind.BLOG
    assert doc.text == f"Cells in a vein\n\n{PROSE.strip()}"


def test_html_citation_metas(tmp_path: Path) -> None:
    page = (
        '<html><head><title>A trial</title><meta name="citation_doi" content="10.1234/abc.5">'
        '<meta name="citation_pmid" content="123456">'
        '<meta name="citation_journal_title" content="Journal of Tests"></head>'
        f"<body><article><h1>A trial of cells</h1><p>{PROSE}</p><p>{PROSE}</p></article>"
        "</body></html>"
    )
    [doc] = read_html(_write(tmp_path, "paper.html", page)).documents
    assert (doc.doi, doc.pmid, doc.venue) == ("10.1234/abc.5", "123456", "Journal of Tests")
    assert doc.kind is SourceKind.JOURNAL_ARTICLE


def test_an_italic_standfirst_that_reports_the_study_is_kept(tmp_path: Path) -> None:
    text = (
        "# Cord blood for a heart defect\n\n*A phase IIb trial found no benefit on most "
        "heart-function measures*\n\n*Posted by our volunteer team*\n\n"
        f"{PROSE}\n"
    )
    [doc] = read_markdown(_write(tmp_path, "deck.md", text)).documents
    assert "A phase IIb trial found no benefit" in doc.text
    assert "Posted by our volunteer team" not in doc.text


def test_registry_fields_joined_by_a_bar_are_no_navigation(tmp_path: Path) -> None:
    """'First posted: ... | Last update posted: ...' is two fields: the block with the trial's
    identifier is kept, not dropped as a menu."""
    text = (
        "ClinicalTrials.gov Identifier: NCT02057965\nTitle: Stromal Cells in Kidney Recipients\n"
        "First posted: February 7, 2014 | Last update posted: September 17, 2020\n\n"
        f"Summary\n\n{PROSE}\n\nHome | News | Contact\n"
    )
    [doc] = read_text(_write(tmp_path, "registry.txt", text)).documents
    assert doc.nct == ("NCT02057965",)
    assert "Home | News" not in doc.text


def test_a_plain_page_keeps_its_headings_and_lists(tmp_path: Path) -> None:
    """No <article> or <main>: the results in a bulleted list under a heading are kept, and
    the navigation and footer are still dropped."""
    page = (
        "<html><head><title>Cells for heart failure</title></head><body>"
        "<nav>Home &gt; Research updates</nav><h1>Cells for heart failure</h1>"
        f"<p>{PROSE}</p><h2>What happened</h2><ul>"
        "<li>Ejection fraction went up from 24% to 30% with the cells.</li>"
        "<li>Fewer people died: 14% against 35% of the controls.</li></ul>"
        "<footer><p>Heart Support Network, registered charity</p></footer></body></html>"
    )
    [doc] = read_html(_write(tmp_path, "plain.html", page)).documents
    assert "What happened" in doc.text
    assert "Ejection fraction went up" in doc.text and "Fewer people died" in doc.text
    assert "registered charity" not in doc.text and "Research updates" not in doc.text


def test_find_ids_trims_punctuation_but_keeps_bracketed_dois() -> None:
    text = (
        "(doi:10.1001/jama.2012.25321). See doi:10.1016/S0140-6736(16)30513-X. PMID: 123456; "
        "https://pubmed.ncbi.nlm.nih.gov/22236384/ and NCT01151124, again NCT01151124."
    )
    found = find_ids(text)
    assert found.dois == ("10.1001/jama.2012.25321", "10.1016/S0140-6736(16)30513-X")
    assert found.pmids == ("123456", "22236384")
    assert found.ncts == ("NCT01151124",)


# Bad input


@pytest.mark.parametrize("suffix", sorted(READERS))
@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file(tmp_path: Path, suffix: str, content: bytes) -> None:
    assert "empty file" in _error(_write(tmp_path, f"empty{suffix}", content))


@pytest.mark.parametrize("suffix", sorted(READERS))
def test_random_bytes_are_refused(tmp_path: Path, suffix: str) -> None:
    assert "binary" in _error(_write(tmp_path, f"noise{suffix}", os.urandom(4096)))
    no_nul = os.urandom(4096).replace(b"\x00", b"\x01")
    assert "binary" in _error(_write(tmp_path, f"noise2{suffix}", no_nul))


def test_latin1_text_is_decoded_with_a_warning(tmp_path: Path) -> None:
    page = f"Café Study Finds Cells Safe\n\nPatients at the café clinic. {PROSE}\n"
    result = read_text(_write(tmp_path, "latin.txt", page.encode("latin-1")))
    assert any(w.startswith("decoded as ") and "(not UTF-8)" in w for w in result.warnings)
    assert result.documents[0].title == "Café Study Finds Cells Safe"


def test_control_characters_are_stripped_with_a_warning(tmp_path: Path) -> None:
    page = f"Cells\x07 Help Stroke\x1b Patients\r\n\r\n{PROSE}\x0c\r\n"
    result = read_text(_write(tmp_path, "ctrl.txt", page))
    assert result.warnings == ("removed 3 control characters",)
    [doc] = result.documents
    assert doc.title == "Cells Help Stroke Patients"
    assert not any(c in doc.text for c in "\x07\x1b\x0c\r")


def test_decode_keeps_tabs_and_newlines() -> None:
    text, warnings = decode(Path("x.txt"), "\ufeffa\tb\r\nc\rd".encode())
    assert (text, warnings) == ("a\tb\nc\nd", [])


def test_a_5_mb_line_is_read_in_bounded_time(tmp_path: Path) -> None:
    path = _write(tmp_path, "line.txt", "Stem cells were given to patients. " * 150_000)
    start = time.perf_counter()
    result = read_text(path)
    assert time.perf_counter() - start < 60  # bounded, not a benchmark: under 1 s here
    assert len(result.documents) <= 1


def test_html_with_only_navigation_is_refused(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Site</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/news'>News</a> <a href='/about'>About us</a></nav>"
        "<footer><a href='/p'>Privacy</a> | <a href='/t'>Terms</a></footer></body></html>"
    )
    assert "no main text found" in _error(_write(tmp_path, "nav.html", page))


def test_a_structured_abstract_is_an_abstract_whatever_its_file(tmp_path: Path) -> None:
    from stemkg.sources import read_file
    from stemkg.vocab import load_lexicon

    text = (
        "# Cells after heart attack: a trial\n\n**Background.** Marrow cells have given mixed "
        "results after heart attacks in earlier trials of several kinds.\n\n**Methods.** We "
        "randomised 120 patients to intracoronary bone marrow cells or placebo.\n\n**Results.** "
        "Ejection fraction rose in both groups.\n\n**Conclusions.** The cells did not help.\n\n"
        "Traverse JH et al. JAMA. 2012;308(22):2380-2389.\n"
    )
    path = tmp_path / "time.md"
    path.write_text(text, encoding="utf-8")
    [doc] = read_file(path, load_lexicon()).documents
    assert doc.kind.value == "abstract"


def test_a_page_keeps_its_canonical_url_date_and_title(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Stem cells for ALS | Health News</title>"
        '<link rel="canonical" href="https://news.example.org/2024/05/als-stem-cells">'
        '<meta property="og:title" content="Stem cells slow ALS in small trial">'
        '<meta property="article:published_time" content="2024-05-03T08:00:00Z"></head>'
        "<body><nav><a href='/'>Home</a></nav><article><h1>Stem cells slow ALS in small trial</h1>"
        "<p>In a phase 1 trial, eight patients with amyotrophic lateral sclerosis received two "
        "intrathecal injections of their own bone marrow mesenchymal stem cells. No serious "
        "adverse events were reported over a year of follow-up, the researchers said.</p>"
        "</article></body></html>"
    )
    [doc] = read_html(_write(tmp_path, "saved.html", page)).documents
    assert doc.url == "https://news.example.org/2024/05/als-stem-cells"
    assert (doc.date, doc.title) == ("2024-05-03", "Stem cells slow ALS in small trial")


def test_a_masthead_printed_over_the_headline_does_not_lose_the_opening(tmp_path: Path) -> None:
    """A masthead and the headline on two lines with no blank between them: the prose under
    them is the article's opening, and the headline (not the capitals) is its title."""
    page = (
        "AA SUPPORT NETWORK - MEMBERS' NEWSLETTER\n"
        "Research corner: half-matched transplants with added cord cells\n\n"
        f"{PROSE}\n\nWhat happened\n\nHalf of the patients developed acute GVHD, and 21 of "
        "24 were alive at three months after the transplant.\n"
    )
    [doc] = read_text(_write(tmp_path, "newsletter.txt", page)).documents
    assert doc.title == "Research corner: half-matched transplants with added cord cells"
    assert PROSE.strip()[:40] in doc.text


def test_a_paper_s_long_title_is_its_headline(tmp_path: Path) -> None:
    title = (
        "Autologous adipose-derived stem cells compared with the incision-thread-drawing "
        "procedure for Crohn's fistula-in-ano: a small open-label controlled trial from Nanjing"
    )
    citation = "Stem Cell Research & Therapy, 2020. doi:10.1186/s13287-020-01636-4"
    page = f"{title}\n\n{citation}\n\n{PROSE}\n"
    [doc] = read_text(_write(tmp_path, "abstract.txt", page)).documents
    assert doc.title == title
