"""`stemkg serve`: the Oxigraph server behind the checking front, against the data/ build."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, POST, SPARQLWrapper
from typer.testing import CliRunner

from stemkg.cli import app
from stemkg.errors import InputError, ServeError
from stemkg.pipeline import BuildResult
from stemkg.query import list_queries
from stemkg.serve import Endpoint, Refusal, ServeConfig, check_query, service_hosts
from stemkg.store import build_lock, open_store

PREFIX = "PREFIX s: <https://w3id.org/stemkg/vocab/>\n"
STUDIES = PREFIX + "SELECT DISTINCT ?study WHERE { ?study a s:Study } ORDER BY ?study"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@contextlib.contextmanager
def serving(build_dir: Path, **options: Any) -> Iterator[Endpoint]:
    """The library's endpoint on a free port, answering in a thread."""
    endpoint = Endpoint(ServeConfig(build_dir, port=0, **options))
    endpoint.start()
    thread = threading.Thread(target=endpoint.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.close()
        thread.join(10)


@pytest.fixture(scope="module")
def endpoint(built: BuildResult) -> Iterator[Endpoint]:
    with serving(built.out_dir) as running:
        yield running


@pytest.fixture(scope="module")
def expected_studies(built: BuildResult) -> list[str]:
    """The studies as pyoxigraph reads the same store in-process: what the endpoint must give."""
    rows = open_store(built.out_dir).query(STUDIES, use_default_graph_as_union=True)
    return [row["study"].value for row in rows]  # type: ignore[union-attr]


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    """Status, content type and body of a request (errors included)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def get(endpoint: Endpoint, query: str, accept: str) -> tuple[int, str, bytes]:
    url = f"{endpoint.url}?{urllib.parse.urlencode({'query': query})}"
    return fetch(url, headers={"Accept": accept})


def form(field: str, value: str) -> bytes:
    return urllib.parse.urlencode({field: value}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_sparqlwrapper_get_json_and_post_csv(
    endpoint: Endpoint, expected_studies: list[str]
) -> None:
    assert len(expected_studies) >= 5
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(STUDIES)
    client.setReturnFormat(JSON)
    result: Any = client.query().convert()
    assert [b["study"]["value"] for b in result["results"]["bindings"]] == expected_studies
    client.setMethod(POST)
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode())))
    assert rows == [["study"], *([s] for s in expected_studies)]


def test_urllib_get_and_both_posts(endpoint: Endpoint, expected_studies: list[str]) -> None:
    status, kind, body = get(endpoint, STUDIES, "text/csv")
    assert (status, kind.split(";")[0]) == (200, "text/csv")
    assert body.decode().split() == ["study", *expected_studies]
    by_form = fetch(endpoint.url, form("query", STUDIES), {**FORM, "Accept": "text/csv"})
    raw = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    by_body = fetch(endpoint.url, STUDIES.encode(), raw)
    assert by_form == by_body == (status, kind, body)


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_select_results_formats_by_accept(
    endpoint: Endpoint, expected_studies: list[str], accept: str, kind: str
) -> None:
    status, content_type, body = get(endpoint, STUDIES, accept)
    assert status == 200 and content_type.split(";")[0] == kind
    for study in expected_studies:
        assert study in body.decode()


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt")]
)
def test_construct_as_turtle_and_ntriples(
    endpoint: Endpoint, expected_studies: list[str], accept: str, fmt: str
) -> None:
    query = PREFIX + "CONSTRUCT { ?study a s:Study } WHERE { ?study a s:Study }"
    status, content_type, body = get(endpoint, query, accept)
    assert status == 200 and content_type.split(";")[0] == accept
    graph = rdflib.Graph().parse(data=body.decode(), format=fmt)
    assert sorted(str(s) for s in graph.subjects()) == expected_studies


def _one_line(body: bytes) -> str:
    lines = body.decode().strip().splitlines()
    assert len(lines) == 1, body
    return lines[0]


def test_updates_are_refused(endpoint: Endpoint, expected_studies: list[str]) -> None:
    update = PREFIX + "DELETE WHERE { ?study a s:Study }"
    attempts = [
        fetch(endpoint.url, form("update", update), FORM),
        fetch(endpoint.url, update.encode(), {"Content-Type": "application/sparql-update"}),
        fetch(endpoint.url, form("query", update), FORM),
        get(endpoint, "CLEAR ALL", "text/csv"),
        fetch(endpoint.url.replace("/sparql", "/update"), form("update", update), FORM),
    ]
    for status, _, body in attempts:
        assert status == 403 and "read-only" in _one_line(body)
    assert get(endpoint, STUDIES, "text/csv")[2].decode().split()[1:] == expected_studies


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP listener on a free port, standing for another host's SPARQL endpoint."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        yield sock


def _connected(sock: socket.socket) -> bool:
    try:
        connection, _ = sock.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def test_service_is_refused_and_never_called(endpoint: Endpoint, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    queries = [
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <http://127.0.0.1:{port}/>\n"
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT x:sparql { ?s ?q ?r } } }",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{port}/> "
        "{ ?s ?p ?o } } } }",
    ]
    for query in queries:
        status, _, body = get(endpoint, query, "application/sparql-results+json")
        assert status == 403 and f"SERVICE 127.0.0.1:{port} is refused" in _one_line(body)
    time.sleep(0.2)
    assert not _connected(listener)


def test_an_allowed_service_host_is_called(built: BuildResult, listener: socket.socket) -> None:
    """The check above is what keeps the engine from calling out: allowed, it does."""
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with serving(built.out_dir, allow_service=frozenset({"127.0.0.1"}), timeout_s=5) as running:
        answer = threading.Thread(target=get, args=(running, query, "text/csv"), daemon=True)
        answer.start()
        listener.setblocking(True)
        listener.settimeout(10)
        connection, _ = listener.accept()
        connection.close()
        answer.join(20)


def test_malformed_queries_get_400_with_one_line(endpoint: Endpoint) -> None:
    for query in ("SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ", "   "):
        status, _, body = get(endpoint, query, "text/csv")
        assert status == 400 and _one_line(body).startswith("malformed query:")
    status, _, body = fetch(endpoint.url, b"query", {"Content-Type": "text/plain"})
    assert status == 415 and "application/sparql-query" in _one_line(body)
    elsewhere = endpoint.url.replace("/sparql", "/store")
    assert fetch(elsewhere, form("query", STUDIES), FORM)[0] == 404


def test_check_query_reads_services_through_prefixes_and_base() -> None:
    query = "BASE <http://Example.org/>\nSELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }"
    assert service_hosts(query) == ["example.org"]
    check_query(query, frozenset({"example.org"}))
    with pytest.raises(Refusal) as refused:
        check_query(query, frozenset({"other.org"}))
    assert refused.value.status == HTTPStatus.FORBIDDEN
    # codepoint escapes are read as the engine reads them, before parsing
    escaped = [
        "SELECT * WHERE { \\u0053ERVICE <http://a.org/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <http\\u003A//a.org/\\u003e { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <HTTP://A.org/> { ?s ?p ?o } }",
    ]
    assert [service_hosts(q) for q in escaped] == [["a.org"]] * 3
    hidden = 'SELECT * { BIND("\\u0022) } SERVICE <http://a.org/> { ?s ?p ?o } } #" AS ?y) }'
    with pytest.raises(Refusal, match="malformed query"):
        check_query(hidden, frozenset())
    assert service_hosts("SELECT * WHERE { SERVICE <urn:x> { ?s ?p ?o } }") == ["urn:x"]
    on_variable = "SELECT * WHERE { VALUES ?e { <http://a/> } SERVICE ?e { ?s ?p ?o } }"
    with pytest.raises(Refusal, match=r"SERVICE \?e is refused"):
        check_query(on_variable, frozenset({"a"}))


def test_every_named_query_passes_the_check_and_runs(endpoint: Endpoint) -> None:
    for named in list_queries():
        check_query(named.text, frozenset())
        status, _, body = get(endpoint, named.text, "application/sparql-results+json")
        assert status == 200, (named.name, body[:200])


def test_root_page_lists_and_runs_the_named_queries(endpoint: Endpoint) -> None:
    status, kind, body = fetch(endpoint.url.removesuffix("/sparql") + "/")
    page = body.decode()
    assert status == 200 and kind.startswith("text/html")
    named = list_queries()
    assert len(named) >= 10
    for q in named:
        assert f'id="{q.name}"' in page and q.title in page
        assert html.escape(q.description) in page
        for param in q.params:
            assert f"?{param.name}" in page
    base = endpoint.url.removesuffix("/sparql")
    runs = re.findall(r'<a href="(/sparql\?query=[^"]+)">run it</a>', page)
    assert len(runs) == len(named)
    link = runs[[q.name for q in named].index("studies-by-route")].replace("&amp;", "&")
    status, kind, body = fetch(base + link, headers={"Accept": "text/csv"})
    assert status == 200 and body.decode().startswith("route,study,")
    status, _, text = fetch(f"{base}/queries/studies-by-route")
    assert (
        status == 200
        and text.decode() == named[[q.name for q in named].index("studies-by-route")].text
    )
    assert fetch(f"{base}/queries/nope")[0] == 404


def test_oxigraph_query_editor_is_proxied_and_checked(endpoint: Endpoint) -> None:
    base = endpoint.url.removesuffix("/sparql")
    status, kind, page = fetch(f"{base}/ui/")
    assert status == 200 and kind.startswith("text/html") and b"yasgui.min.js" in page
    assert 'href="/ui/"' in fetch(f"{base}/")[2].decode()
    for asset in ("/ui/yasgui.min.js", "/ui/yasgui.min.css", "/logo.svg"):
        status, _, body = fetch(base + asset)
        assert status == 200 and len(body) > 100, asset
    ui = base + "/ui/sparql"
    status, _, body = fetch(ui, form("query", STUDIES), {**FORM, "Accept": "text/csv"})
    assert status == 200 and body.decode().startswith("study")
    assert fetch(base + "/ui/update", form("update", "CLEAR ALL"), FORM)[0] == 403
    refused = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    assert fetch(ui, form("query", refused), FORM)[0] == 403


def test_time_limit_gives_503_with_a_clear_message(built: BuildResult) -> None:
    with serving(built.out_dir, timeout_s=1) as running:
        started = time.monotonic()
        status, _, body = get(running, SLOW, "text/csv")
    assert status == 503
    assert "time limit of 1 s" in _one_line(body)
    assert time.monotonic() - started < 30


def test_port_in_use_and_missing_builds_are_errors(built: BuildResult, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=rf"127.0.0.1:{port}: port in use"):
            Endpoint(ServeConfig(built.out_dir, port=port)).start()
    with pytest.raises(InputError, match="no build here"):
        Endpoint(ServeConfig(tmp_path / "nothing", port=0)).start()
    (tmp_path / "half" / "store").mkdir(parents=True)
    with pytest.raises(InputError, match=r"unfinished build \(no manifest.json\)"):
        Endpoint(ServeConfig(tmp_path / "half", port=0)).start()
    (tmp_path / "half" / "manifest.json").write_text("{}")
    with pytest.raises(ServeError, match="the oxigraph server stopped at start"):
        Endpoint(ServeConfig(tmp_path / "half", port=0)).start()
    with build_lock(built.out_dir), pytest.raises(InputError, match="a build is running here"):
        Endpoint(ServeConfig(built.out_dir, port=0)).start()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _stemkg() -> str:
    return str(Path(sys.executable).parent / "stemkg")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_its_engine(
    built: BuildResult, expected_studies: list[str], stop: signal.Signals
) -> None:
    command = [_stemkg(), "serve", "--build", str(built.out_dir), "--port", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/sparql)", first)
        assert url, first + proc.stderr.read()
        assert "press Ctrl+C to stop" in proc.stdout.readline()
        engines = _children(proc.pid)
        assert len(engines) == 1
        client = SPARQLWrapper(url.group(1))
        client.setQuery(STUDIES)
        client.setReturnFormat(JSON)
        result: Any = client.query().convert()
        assert [b["study"]["value"] for b in result["results"]["bindings"]] == expected_studies
        proc.send_signal(stop)
        assert proc.wait(20) == 0
        assert "stopped" in proc.stderr.read()
    assert not Path(f"/proc/{engines[0]}").exists()


def test_cli_port_in_use_is_one_line(built: BuildResult) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = CliRunner().invoke(app, ["serve", "--build", str(built.out_dir), "--port", port])
    assert done.exit_code == 2
    assert (
        done.stderr.strip() == f"error: 127.0.0.1:{port}: port in use; choose another with --port"
    )
    missing = CliRunner().invoke(app, ["serve", "--build", str(built.out_dir / "nope")])
    assert missing.exit_code == 2
    assert missing.stderr.strip().endswith("nope: no build here (run `stemkg build` first)")
