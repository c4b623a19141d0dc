"""``stemkg fetch`` against a local HTTP server answering as NCBI and ClinicalTrials.gov do
(recorded-format responses from ``data/``); no test touches the network."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from stemkg.fetch import Fetcher, FetchError, Response, fetch, parse_ids
from stemkg.lexicon import Lexicon
from stemkg.sources import Format, detect, read_file
from tests.test_cli import _one_line_error, invoke

DATA = Path(__file__).resolve().parents[1] / "data"
EFETCH = (DATA / "pubmed" / "seed-trials-efetch.xml").read_bytes()
STUDY = (DATA / "registry" / "nct01363401-ctgov-v2.json").read_bytes()


class _Registry(BaseHTTPRequestHandler):
    """Answers like E-utilities and the ClinicalTrials.gov v2 API, from recorded files."""

    failures: ClassVar[dict[str, int]] = {}
    seen: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.seen.append(self.path)
        if self.failures.get(url.path, 0) > 0:
            self.failures[url.path] -= 1
            self._send(503, b"busy", {"Retry-After": "3"})
        elif url.path == "/eutils/esearch.fcgi":
            ids = ["25934946", "26751635"] if "ALS" in query["term"] else []
            self._send(200, json.dumps({"esearchresult": {"idlist": ids}}).encode())
        elif url.path == "/eutils/efetch.fcgi":
            if query["id"] == "99999999":
                self._send(200, b'<?xml version="1.0"?>\n<PubmedArticleSet></PubmedArticleSet>')
            elif query["id"] == "66666666":
                self._send(200, b"<!DOCTYPE html><html><body>Service unavailable</body></html>")
            else:
                self._send(200, EFETCH)
        elif url.path == "/ctgov/studies/NCT01363401":
            self._send(200, STUDY)
        elif url.path == "/ctgov/studies":
            self._search(query)
        else:
            self._send(404, b'{"message": "not found"}')

    def _search(self, query: dict[str, str]) -> None:
        study = json.loads(STUDY)
        if query.get("pageToken") == "page2":
            other = json.loads(STUDY)
            other["protocolSection"]["identificationModule"]["nctId"] = "NCT09999999"
            self._send(200, json.dumps({"studies": [other]}).encode())
        else:
            self._send(200, json.dumps({"studies": [study], "nextPageToken": "page2"}).encode())

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    _Registry.failures, _Registry.seen = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _fetcher(base: str, out: Path, cache: Path | None = None, **kw: Any) -> Fetcher:
    waits: list[float] = []
    fetcher = Fetcher(
        out,
        eutils=f"{base}/eutils",
        ctgov=f"{base}/ctgov",
        cache_dir=cache,
        email="curator@example.org",
        api_key="",
        sleep=waits.append,
        **kw,
    )
    fetcher.waits = waits  # type: ignore[attr-defined]
    return fetcher


def test_ids_and_queries_are_fetched_into_files_the_readers_take(
    server: str, tmp_path: Path, lexicon: Lexicon
) -> None:
    out = tmp_path / "fetched"
    fetcher = _fetcher(server, out)
    result = fetch(fetcher, ["pmid:26751635", "nct:NCT01363401"], trials_query="stem cells ALS")
    assert (result.pubmed, result.trials) == (2, 3)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and names[2:] == ["nct01363401.json", "pubmed-26751635.xml"]
    assert names[0].startswith("ctgov-search-") and names[1].endswith("-002.json")
    formats = {p.name: detect(p) for p in out.iterdir()}
    assert formats["pubmed-26751635.xml"] is Format.PUBMED_XML
    assert all(f is Format.REGISTRY_JSON for n, f in formats.items() if n.endswith(".json"))
    docs = list(read_file(out / "pubmed-26751635.xml", lexicon).documents)
    assert [d.pmid for d in docs] == ["26751635", "25934946"]
    efetch = next(p for p in _Registry.seen if "efetch" in p)
    assert "tool=stemkg" in efetch and "email=curator%40example.org" in efetch


def test_pubmed_query_and_the_cache(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = fetch(_fetcher(server, tmp_path / "a", cache), pubmed_query="ALS stem cells")
    assert first.pubmed == 2 and first.requests == 2 and first.cached == 0
    again = fetch(_fetcher(server, tmp_path / "b", cache), pubmed_query="ALS stem cells")
    assert again.requests == 0 and again.cached == 2  # nothing sent the second time
    assert (tmp_path / "b" / "pubmed-25934946-2.xml").read_bytes() == EFETCH


def test_busy_server_is_retried_honouring_retry_after(server: str, tmp_path: Path) -> None:
    _Registry.failures["/ctgov/studies/NCT01363401"] = 2
    fetcher = _fetcher(server, tmp_path / "out")
    fetch(fetcher, ["NCT01363401"])
    assert fetcher.requests == 3
    assert [w for w in fetcher.waits if w >= 1] == [3.0, 3.0]  # type: ignore[attr-defined]


def test_a_server_that_keeps_failing_writes_nothing(server: str, tmp_path: Path) -> None:
    _Registry.failures["/ctgov/studies/NCT01363401"] = 10
    out = tmp_path / "out"
    with pytest.raises(FetchError, match=r"kept failing \(HTTP 503 after 5 tries\)"):
        fetch(_fetcher(server, out), ["NCT01363401"])
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["pmid:99999999"], "PubMed has no record for PMID 99999999"),
        (["66666666"], "efetch answered with <html> for PMID 66666666, not PubMed XML"),
        (["NCT00000001"], "NCT00000001 is not on ClinicalTrials.gov"),
    ],
)
def test_missing_ids_and_error_pages_are_named(
    server: str, tmp_path: Path, ids: list[str], message: str
) -> None:
    with pytest.raises(FetchError, match=re.escape(message)):
        fetch(_fetcher(server, tmp_path / "out"), ids)


def test_ids_are_read_in_every_spelling() -> None:
    assert parse_ids(["pmid:1", "2", "nct:nct01234567", "NCT01234567"]) == (
        ["1", "2"],
        ["NCT01234567"],
    )
    with pytest.raises(FetchError, match=r"'doi:10\.1/x' is not an id"):
        parse_ids(["doi:10.1/x"])


def test_offline_is_one_clear_line(tmp_path: Path) -> None:
    class Offline:
        def get(self, url: str) -> Response:
            raise FetchError("cannot reach eutils.ncbi.nlm.nih.gov (no route); are you offline?")

    with pytest.raises(FetchError, match="are you offline"):
        fetch(Fetcher(tmp_path, transport=Offline(), sleep=lambda s: None), ["pmid:1"])


def test_cli_refuses_what_it_cannot_fetch(tmp_path: Path) -> None:
    _one_line_error(invoke("fetch", "doi:10.1/x", "--out", str(tmp_path)), "is not an id")
    _one_line_error(invoke("fetch", "--out", str(tmp_path)), "nothing to fetch")


def test_pmids_pubmed_has_no_record_of_are_counted(server: str, tmp_path: Path) -> None:
    result = fetch(_fetcher(server, tmp_path / "out"), ["26751635", "25934946", "12345678"])
    assert (result.pubmed, result.missing) == (2, 1)  # the server knows two of the three
