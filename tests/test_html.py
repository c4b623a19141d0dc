"""The offline evidence browser: a data/ build's page opened in Debian's headless Chromium.

The browser tests need ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian's
``chromium`` and ``chromium-driver``; ``.ci/run`` installs them). They skip locally when
either is missing and fail in CI (``CI`` set). Selenium is given the driver's path, so its
selenium-manager never downloads anything. ``STEMKG_SCREENSHOT=docs/x.png`` saves a picture
of a selected study (the README's screenshot).
"""

from __future__ import annotations

import html.parser
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from stemkg.html import browser_data, render_html, write_html
from stemkg.pipeline import BuildResult
from stemkg.store import load_ontology, open_store
from stemkg.vocab import VOCAB
from tests.conftest import ROOT
from tests.test_cli import invoke

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
STUDY = "https://w3id.org/stemkg/id/study/NCT01363401-phase-1"
# A sentence of the Oh et al. 2015 abstract in data/pubmed (checked below), offsets 576-715.
QUOTE = (
    "No serious adverse events were seen during 12 months of follow-up, and the decline of "
    "the ALSFRS-R score was not accelerated over 6 months."
)
_COUNT = f"""PREFIX s: <{VOCAB}>
SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE {{
  {{ ?n a s:Study }}
  UNION {{ ?r a s:StudyReport ; s:condition ?n }}
  UNION {{ ?a s:armOf ?r ; s:therapy ?t . ?t s:cellType|s:route ?n }}
  UNION {{ ?o s:outcomeOf ?r ; s:measure ?n }} }}"""


@pytest.fixture(scope="module")
def data_build(built_data: BuildResult) -> BuildResult:
    """The whole data/ folder built once: records, registry, PubMed and articles."""
    return built_data


@pytest.fixture(scope="module")
def page(data_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "browser.html"
    write_html(open_store(data_build.out_dir), path)
    return path


def _expected_nodes(store: Store) -> int:
    """Studies plus the distinct terms their reports name, counted by a query of its own."""
    row = next(iter(store.query(_COUNT, use_default_graph_as_union=True)))  # type: ignore[arg-type]
    return int(row["count"].value)


def _embedded(text: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="stemkg-data">(.*?)</script>', text, re.S
    )
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


class _Loads(html.parser.HTMLParser):
    """Every address a tag would make the browser load (src, href of link, CSS url())."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "src" or (name == "href" and tag == "link")):
                self.loads.append(value)


def test_page_is_deterministic_self_contained_and_complete(
    data_build: BuildResult, page: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.html"
    summary = write_html(open_store(data_build.out_dir), again)
    assert page.read_bytes() == again.read_bytes()
    assert summary.size == page.stat().st_size
    text = page.read_text(encoding="utf-8")
    parser = _Loads()
    parser.feed(text)
    assert parser.loads == ["data:,"]  # the favicon, inline; no script or style file
    assert not re.search(r"url\(|@import", text)
    assert "default-src 'none'" in text
    data = _embedded(text)
    assert len(data["nodes"]) == _expected_nodes(open_store(data_build.out_dir))
    assert summary.studies == len(data["studies"]) == 13
    assert all(len(s["grades"]) == 1 for s in data["studies"].values())  # one grade each
    assert data["studies"][STUDY]["grades"][0]["level"] == "7"  # single group, 7 treated
    quotes = [q for r in data["studies"][STUDY]["reports"] for q in r["quotes"]]
    match = [q for q in quotes if q["quote"] == QUOTE]
    assert match and (match[0]["start"], match[0]["end"]) == (576, 715)
    assert QUOTE in (ROOT / "data" / "pubmed" / "seed-trials-efetch.xml").read_text()


def test_data_cannot_close_the_script(data_build: BuildResult) -> None:
    data = browser_data(open_store(data_build.out_dir))
    data["nodes"][0]["title"] = "</script><script>alert(1)</script>"
    text = render_html(data)
    assert text.count("</script>") == 2 and _embedded(text)["nodes"][0]["title"].startswith("</")


def _ungraded_store(build_dir: Path) -> Store:
    """The build in memory without its grades, as a graph from another tool may come."""
    store = Store()
    store.load(path=str(build_dir / "stemkg.trig"), format=RdfFormat.TRIG)
    load_ontology(store)
    for quad in list(store.quads_for_pattern(None, NamedNode(VOCAB + "evidenceGrade"), None)):
        store.remove(quad)
    return store


def test_a_build_without_grades_is_shown_ungraded(data_build: BuildResult) -> None:
    data = browser_data(_ungraded_store(data_build.out_dir))
    assert data["studies"] and not any(s["grades"] for s in data["studies"].values())


def test_cli_writes_the_page_and_refuses_a_missing_build(
    data_build: BuildResult, page: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cli.html"
    result = invoke(
        "export", "--format", "html", "--out", str(out), "--build", str(data_build.out_dir)
    )
    assert result.exit_code == 0, result.output
    summary = write_html(open_store(data_build.out_dir), tmp_path / "library.html")
    said = f"{summary.studies} studies, {summary.terms} terms, {summary.quotes} quotes"
    assert summary.studies == 13 and said in " ".join(result.stdout.split())
    assert out.read_bytes() == page.read_bytes()
    missing = invoke(
        "export",
        "--format",
        "html",
        "--out",
        str(tmp_path / "x.html"),
        "--build",
        str(tmp_path / "none"),
    )
    assert missing.exit_code == 2 and "no build here" in missing.stderr
    assert not (tmp_path / "x.html").exists()


# --- in headless Chromium ---------------------------------------------------------------


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    if missing:
        reason = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver  # the dev extra; missing, it fails rather than skips

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path=str(DRIVER))  # no selenium-manager
    chrome = webdriver.Chrome(options=options, service=service)
    try:
        yield chrome
    finally:
        chrome.quit()


def _open(driver: Any, path: Path) -> list[Any]:
    from selenium.webdriver.common.by import By

    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    return list(driver.find_elements(By.CSS_SELECTOR, "#network g.node"))


def test_page_renders_offline_without_errors(
    driver: Any, data_build: BuildResult, page: Path
) -> None:
    from selenium.webdriver.common.by import By

    nodes = _open(driver, page)
    assert len(nodes) == _expected_nodes(open_store(data_build.out_dir))
    assert len(driver.find_elements(By.CSS_SELECTOR, "#network circle")) == len(nodes)
    assert driver.find_elements(By.CSS_SELECTOR, "#network line.edge")
    kinds = {n.get_attribute("data-kind") for n in nodes}
    assert kinds == {"study", "condition", "cell_type", "route", "outcome"}
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe
    requested = [
        json.loads(e["message"])["message"]["params"]["request"]["url"]
        for e in driver.get_log("performance")
        if '"Network.requestWillBeSent"' in e["message"]
    ]
    assert requested and all(u.startswith(("file:", "data:")) for u in requested), requested


def test_clicking_a_study_shows_its_reports_quotes_and_grade(driver: Any, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, page)
    driver.find_element(By.CSS_SELECTOR, f'#network g.node[data-id="{STUDY}"] circle').click()
    detail = driver.find_element(By.ID, "detail")
    assert QUOTE in detail.text and "characters 576–715" in detail.text
    assert "level 7" in detail.text
    reports = detail.find_elements(By.CSS_SELECTOR, ".reports article.report")
    assert len(reports) == 4  # curated record, registry, PubMed abstract, news article
    tops = {r.location["y"] for r in reports[:2]}
    assert len(tops) == 1  # side by side
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    shot = os.environ.get("STEMKG_SCREENSHOT")
    if shot:
        driver.save_screenshot(shot)


def test_clicking_a_term_lists_its_studies(driver: Any, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, page)
    als = "http://purl.obolibrary.org/obo/MONDO_0004976"
    driver.find_element(By.CSS_SELECTOR, f'#network g.node[data-id="{als}"] circle').click()
    links = driver.find_elements(By.CSS_SELECTOR, "#detail .studies a")
    assert len(links) >= 3
    links[0].click()
    assert driver.find_elements(By.CSS_SELECTOR, "#detail .reports article.report")


def test_an_ungraded_study_says_so(driver: Any, data_build: BuildResult, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    path = tmp_path / "ungraded.html"
    path.write_text(
        render_html(browser_data(_ungraded_store(data_build.out_dir))), encoding="utf-8"
    )
    _open(driver, path)
    driver.find_element(By.CSS_SELECTOR, f'#network g.node[data-id="{STUDY}"] circle').click()
    grade = driver.find_element(By.CSS_SELECTOR, "#detail .grade")
    assert grade.text == "not graded"
