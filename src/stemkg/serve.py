"""A read-only SPARQL 1.1 Protocol endpoint over a finished build.

The engine is the Oxigraph server (the ``oxigraph`` package, the same engine as pyoxigraph),
run as a child on an internal loopback port. It follows ``SERVICE <http://host/...>`` and so
would let anyone who can reach the endpoint make it send requests elsewhere; a thin front
therefore parses every query with rdflib's SPARQL parser first and refuses updates, malformed
queries and ``SERVICE`` calls to hosts not allowed, before the engine sees them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import html
import http.client
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from stemkg.errors import InputError, ServeError
from stemkg.pipeline import MANIFEST
from stemkg.query import NamedQuery, list_queries
from stemkg.store import STORE_DIR

__all__ = [
    "CANCELLED",
    "Endpoint",
    "Refusal",
    "ServeConfig",
    "check_query",
    "find_oxigraph",
    "service_hosts",
]

log = logging.getLogger(__name__)

CANCELLED = b"The SPARQL operation has been cancelled"
"""What the Oxigraph server appends to a result it stops at its time limit (status 200)."""
SPARQL_PATH = "/sparql"
_QUERY_PATHS = frozenset({"/", SPARQL_PATH, "/query", "/ui/sparql", "/ui/query"})
_UI = {  # Oxigraph's own query page (YASGUI) under /ui/; it queries /ui/sparql, checked too
    "/ui": "/",
    "/ui/": "/",
    "/ui/yasgui.min.js": "/yasgui.min.js",
    "/ui/yasgui.min.css": "/yasgui.min.css",
    "/logo.svg": "/logo.svg",
}
_MAX_BODY = 1 << 20
_FORWARDED = ("default-graph-uri", "named-graph-uri")
_GRACE_S = 10.0
_FORBIDDEN = HTTPStatus.FORBIDDEN
_READ_ONLY = "updates are refused: this endpoint is read-only"


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """What to serve and where: the build, the public address, the time limit per query, and
    the hosts a query may name in ``SERVICE``."""

    build_dir: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout_s: int = 30
    allow_service: frozenset[str] = field(default_factory=frozenset)


class Refusal(Exception):
    """A request the front answers itself: an HTTP status and a one-line reason."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return f"{self.status.value} {self.message}"


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _services(node: Any) -> Iterator[Any]:
    """The ``term`` of every SERVICE pattern anywhere in a translated query (subqueries,
    EXISTS filters and OPTIONALs included)."""
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.get("term")
        for value in node.values():
            yield from _services(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _services(value)


def _algebra(text: str) -> Any:
    """The query translated by rdflib (prefixes and BASE resolved); ``Refusal`` when it is
    empty or malformed (400) or an update (403)."""
    if not text.strip():
        raise Refusal(HTTPStatus.BAD_REQUEST, "malformed query: the query is empty")
    try:
        parsed = parseQuery(text)
    except Exception as exc:
        if _is_update(text):
            raise Refusal(_FORBIDDEN, _READ_ONLY) from None
        raise Refusal(HTTPStatus.BAD_REQUEST, f"malformed query: {_one_line(str(exc))}") from None
    try:
        return translateQuery(parsed).algebra
    except Exception as exc:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"malformed query: {_one_line(str(exc))}") from None


def _is_update(text: str) -> bool:
    try:
        parsed = parseUpdate(text)
    except Exception:
        return False
    return bool(parsed.get("request"))


def service_hosts(text: str) -> list[str]:
    """The ``host`` (or ``host:port``) of every SERVICE IRI in a query, prefixes resolved;
    a SERVICE on a variable gives ``?name``, one on an IRI with no host the IRI. Raises
    ``Refusal`` as ``check_query`` does."""
    hosts = []
    for term in _services(_algebra(text)):
        if isinstance(term, Variable):
            hosts.append(f"?{term}")
        else:
            hosts.append(urlsplit(str(term)).netloc.lower() or str(term))
    return hosts


def check_query(text: str, allowed: frozenset[str]) -> None:
    """Refuse what must not reach the engine: an empty or malformed query (400), an update
    (403), a SERVICE call to a host not in ``allowed`` (403)."""
    for host in service_hosts(text):
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host not in allowed and name not in allowed:
            raise Refusal(
                HTTPStatus.FORBIDDEN,
                f"SERVICE {host} is refused: this endpoint calls no other host unless it is "
                "started with --allow-service HOST",
            )


def find_oxigraph() -> Path:
    """The ``oxigraph`` binary of this environment (beside the Python running stemkg, so an
    un-activated virtualenv works), else the first on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError(
            "the oxigraph server is not installed (pip install oxigraph); `stemkg serve` runs it"
        )
    return Path(found)


def _check_build(build_dir: Path) -> Path:
    """The store of a finished build: refuse a folder with no build, an unfinished one, and
    one a build is writing now."""
    store = build_dir / STORE_DIR
    if not build_dir.is_dir() or not store.is_dir():
        raise InputError(build_dir, "no build here (run `stemkg build` first)")
    if not (build_dir / MANIFEST).is_file():
        raise InputError(build_dir, f"unfinished build (no {MANIFEST}); run `stemkg build` again")
    lock = build_dir / ".lock"
    with contextlib.suppress(FileNotFoundError), lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(build_dir, "a build is running here; serve it when it ends") from None
        fcntl.flock(handle, fcntl.LOCK_UN)
    return store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_listening(child: subprocess.Popen[bytes], port: int, log_file: IO[bytes]) -> None:
    """Block until the child accepts connections; its own words if it exits first."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if child.poll() is not None:
            log_file.seek(0)
            text = log_file.read().decode("utf-8", "replace").split("Stack backtrace")[0]
            said = _one_line(text) or "no message"
            raise ServeError(
                f"the oxigraph server stopped at start (exit {child.returncode}): {said}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise ServeError("the oxigraph server did not start listening within 20 s")


def _page(queries: list[NamedQuery], endpoint: str) -> bytes:
    """The root page: each named query with its header, a link running it and its text."""
    items = []
    for q in queries:
        run = f"{SPARQL_PATH}?{urlencode({'query': q.text})}"
        params = "".join(
            f"<li><code>?{html.escape(p.name)}</code> ({html.escape(p.kind)}) "
            f"{html.escape(p.description)}</li>"
            for p in q.params
        )
        items.append(
            f'<li id="{html.escape(q.name)}"><h2>{html.escape(q.title)}</h2>'
            f"<p><code>{html.escape(q.name)}</code>: {html.escape(q.description)}</p>"
            + (
                f"<p>parameters (unbound here, so every value is shown):</p><ul>{params}</ul>"
                if params
                else ""
            )
            + f'<p><a href="{html.escape(run)}">run it</a> (JSON results; send '
            "<code>Accept</code> for CSV, TSV or XML) &middot; "
            f'<a href="/queries/{quote(q.name)}">query text</a></p></li>'
        )
    body = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>stemkg SPARQL endpoint</title>'
        "</head><body><h1>stemkg SPARQL endpoint</h1>"
        f"<p>SPARQL 1.1 Protocol, read-only: <code>{html.escape(endpoint)}</code> (GET "
        "<code>?query=</code>, or POST <code>application/sparql-query</code> or a form). "
        "Every triple is in a named graph; the default graph is their union. "
        '<a href="/ui/">Oxigraph query editor</a> (its queries are checked here too).</p>'
        f"<h1>Named queries ({len(queries)})</h1><ul>{''.join(items)}</ul></body></html>\n"
    )
    return body.encode("utf-8")


class _Front(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a request that broke (a client gone mid-answer), never print it."""
        log.exception("request from %s failed", client_address)


class _Front6(_Front):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Front
    protocol_version = "HTTP/1.1"
    server_version = "stemkg-serve"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, refusal: Refusal) -> None:
        self.close_connection = True  # a refused request's body may be left unread
        self._send(refusal.status, refusal.message.encode() + b"\n", "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        fields = parse_qs(parts.query, keep_blank_values=True)
        try:
            if parts.path in _QUERY_PATHS and "query" in fields:
                self._answer(fields["query"][0], fields)
            elif parts.path == "/":
                page = self.server.endpoint.page
                self._send(200, page, "text/html; charset=utf-8")
            elif parts.path in _UI:
                self._send(*self.server.endpoint.static(_UI[parts.path]))
            elif parts.path.startswith("/queries/"):
                self._query_text(parts.path.removeprefix("/queries/"))
            elif "update" in fields or parts.path.endswith("/update"):
                raise Refusal(_FORBIDDEN, _READ_ONLY)
            elif parts.path in _QUERY_PATHS:
                raise Refusal(HTTPStatus.BAD_REQUEST, "give the query as ?query=")
            else:
                raise Refusal(HTTPStatus.NOT_FOUND, f"{parts.path}: no such page")
        except Refusal as refusal:
            self._refuse(refusal)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        fields = parse_qs(parts.query, keep_blank_values=True)
        try:
            if parts.path not in _QUERY_PATHS and not parts.path.endswith("/update"):
                raise Refusal(HTTPStatus.NOT_FOUND, f"{parts.path}: no such endpoint")
            text = self._post_query(parts.path, fields)
            self._answer(text, fields)
        except Refusal as refusal:
            self._refuse(refusal)

    def _post_query(self, path: str, fields: dict[str, list[str]]) -> str:
        """The query of a POST (``application/sparql-query`` or a form); an update is refused."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise Refusal(HTTPStatus.BAD_REQUEST, "Content-Length is not a number") from None
        if length > _MAX_BODY:
            raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the query is larger than 1 MiB")
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update" or path.endswith("/update"):
            raise Refusal(_FORBIDDEN, _READ_ONLY)
        if kind == "application/sparql-query":
            return body
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                raise Refusal(_FORBIDDEN, _READ_ONLY)
            for name in _FORWARDED:
                fields.setdefault(name, []).extend(form.get(name, []))
            if "query" in form:
                return form["query"][0]
            raise Refusal(HTTPStatus.BAD_REQUEST, "the form has no query= field")
        raise Refusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"POST application/sparql-query or a form, not {kind or 'no content type'}",
        )

    def _query_text(self, name: str) -> None:
        for q in self.server.endpoint.queries:
            if q.name == name:
                self._send(200, q.text.encode("utf-8"), "application/sparql-query; charset=utf-8")
                return
        raise Refusal(HTTPStatus.NOT_FOUND, f"no named query {name!r}")

    def _answer(self, text: str, fields: dict[str, list[str]]) -> None:
        endpoint = self.server.endpoint
        check_query(text, endpoint.config.allow_service)
        accept = self.headers.get("Accept") or "application/sparql-results+json"
        status, content_type, body = endpoint.forward(text, fields, accept)
        self._send(status, body, content_type)


class Endpoint:
    """The front and its Oxigraph child: ``start()``, ``serve_forever()``, ``close()`` (or use
    it as a context manager, which starts and closes it)."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.queries = list_queries()
        self._front: _Front | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._child_log: IO[bytes] | None = None
        self._internal = 0
        self._serving = False
        self.page = b""

    @property
    def url(self) -> str:
        """The endpoint's address (``http://host:port/sparql``)."""
        if self._front is None:
            raise ServeError("the endpoint is not started")
        host, port = self._front.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{SPARQL_PATH}"

    def start(self) -> None:
        """Check the build, take the public port, start the engine and wait until it listens."""
        store = _check_build(self.config.build_dir)
        binary = find_oxigraph()
        self._front = self._bind()
        try:
            self._spawn(binary, store)
        except BaseException:
            self.close()
            raise
        self.page = _page(self.queries, self.url)

    def _bind(self) -> _Front:
        address = (self.config.host, self.config.port)
        try:
            front = (_Front6 if ":" in self.config.host else _Front)(address, _Handler)
        except OSError as exc:
            where = f"{self.config.host}:{self.config.port}"
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"{where}: port in use; choose another with --port") from None
            raise ServeError(f"{where}: cannot listen ({exc.strerror or exc})") from None
        front.endpoint = self
        return front

    def _spawn(self, binary: Path, store: Path) -> None:
        self._child_log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._internal = _free_port()
        command = [
            str(binary), "serve-read-only", "--location", str(store),
            "--bind", f"127.0.0.1:{self._internal}", "--union-default-graph",
            "--timeout-s", str(self.config.timeout_s),
        ]  # fmt: skip
        self._child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._child_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches us; we stop the child ourselves
            env={**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"},
        )
        _wait_until_listening(self._child, self._internal, self._child_log)

    def forward(
        self, text: str, fields: dict[str, list[str]], accept: str
    ) -> tuple[int, str, bytes]:
        """Send a checked query to the engine; its status, content type and whole body (read
        whole so a result cut at the time limit becomes a 503, not a truncated 200)."""
        extra = [(name, value) for name in _FORWARDED for value in fields.get(name, [])]
        path = "/query" + (f"?{urlencode(extra)}" if extra else "")
        limit = self.config.timeout_s
        connection = http.client.HTTPConnection(
            "127.0.0.1", self._internal, timeout=limit + _GRACE_S
        )
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept}
        try:
            connection.request("POST", path, body=text.encode("utf-8"), headers=headers)
            response = connection.getresponse()
            body = response.read()
        except TimeoutError:
            return self._timed_out()
        except (OSError, http.client.HTTPException) as exc:
            message = f"the SPARQL engine did not answer ({_one_line(str(exc))})\n"
            return HTTPStatus.BAD_GATEWAY, "text/plain; charset=utf-8", message.encode()
        finally:
            connection.close()
        if body.endswith(CANCELLED):
            return self._timed_out()
        content_type = response.getheader("Content-Type") or "application/octet-stream"
        if response.status >= 400:
            message = _one_line(body.decode("utf-8", "replace"))
            body = (message + "\n").encode()
        return response.status, content_type, body

    def static(self, path: str) -> tuple[int, bytes, str]:
        """A page or asset of the engine's query UI: status, body, content type."""
        connection = http.client.HTTPConnection("127.0.0.1", self._internal, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            message = f"the SPARQL engine did not answer ({_one_line(str(exc))})\n"
            return HTTPStatus.BAD_GATEWAY, message.encode(), "text/plain; charset=utf-8"
        finally:
            connection.close()
        return response.status, body, response.getheader("Content-Type") or "text/plain"

    def _timed_out(self) -> tuple[int, str, bytes]:
        message = (
            f"query stopped: it ran longer than the time limit of {self.config.timeout_s} s "
            "(narrow it, or start serve with a larger --timeout)\n"
        )
        return HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", message.encode()

    def serve_forever(self) -> None:
        """Answer requests until ``close()`` (from another thread) or an exception."""
        if self._front is None:
            raise ServeError("the endpoint is not started")
        self._serving = True
        try:
            self._front.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def close(self) -> None:
        """Stop listening and stop the engine (SIGTERM, then SIGKILL after 5 s)."""
        if self._front is not None:
            if self._serving:  # in another thread: wait until it stops answering
                self._front.shutdown()
            self._front.server_close()
            self._front = None
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._child_log is not None:
            self._child_log.close()
            self._child_log = None

    @property
    def engine_pid(self) -> int | None:
        """The Oxigraph child's process id while it runs."""
        return self._child.pid if self._child is not None else None

    def __enter__(self) -> Endpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
