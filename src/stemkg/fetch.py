"""Download PubMed records and ClinicalTrials.gov studies into files the readers take.

PubMed through NCBI's E-utilities (esearch, then efetch XML in batches of 200), with the
``tool`` and ``email`` parameters NCBI asks for and ``NCBI_API_KEY`` from the environment;
at most 3 requests a second without a key (10 with one). ClinicalTrials.gov through its v2
API, following ``nextPageToken``. Every answer is cached by its URL (a second fetch of the
same ids sends nothing), 429 and 5xx answers are retried with back-off (honouring
``Retry-After``), and each file is written whole or not at all. The transport is a
parameter, so tests answer from recorded responses and never touch the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from stemkg.errors import StemkgError
from stemkg.sources.xmlread import root_name

__all__ = [
    "CTGOV",
    "EUTILS",
    "FetchError",
    "Fetched",
    "Fetcher",
    "Response",
    "Transport",
    "UrllibTransport",
    "fetch",
    "parse_ids",
]

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
CTGOV = "https://clinicaltrials.gov/api/v2"
BATCH = 200
"""PMIDs per efetch request (NCBI suggests up to 200 for a GET)."""
TRIES = 5
_PMID = re.compile(r"(?:pmid:)?(\d{1,9})", re.I)
_NCT = re.compile(r"(?:nct:)?(NCT\d{8})", re.I)


class FetchError(StemkgError):
    """A download failed: offline, refused, not found, or answered with something else."""


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP answer."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    """What sends a GET request (urllib by default; a fake in tests)."""

    def get(self, url: str) -> Response: ...


class UrllibTransport:
    """GET over urllib, with a timeout; HTTP errors come back as responses, not raised."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout

    def get(self, url: str) -> Response:
        """The answer to ``url``; a network failure raises ``FetchError`` naming the host."""
        request = urllib.request.Request(url, headers={"User-Agent": "stemkg"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read() or b"", dict(exc.headers or {}))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            host = urllib.parse.urlsplit(url).netloc
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"cannot reach {host} ({reason}); are you offline?") from None


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch wrote: the files, how many records each kind gave, and what was cached."""

    files: tuple[Path, ...]
    pubmed: int
    trials: int
    requests: int
    cached: int
    missing: int = 0
    """PMIDs asked for that PubMed returned no record of (in a batch that had others)."""


def parse_ids(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """PMIDs and NCT ids from ``pmid:123``, ``nct:NCT01234567``, ``NCT01234567`` or ``123``;
    anything else is a ``FetchError`` naming it."""
    pmids: list[str] = []
    ncts: list[str] = []
    for value in values:
        v = value.strip()
        if m := _NCT.fullmatch(v):
            ncts.append(m.group(1).upper())
        elif m := _PMID.fullmatch(v):
            pmids.append(m.group(1))
        else:
            raise FetchError(f"{value!r} is not an id stemkg can fetch (pmid:123, nct:NCT01234567)")
    return list(dict.fromkeys(pmids)), list(dict.fromkeys(ncts))


Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress shown."""


class Fetcher:
    """Downloads into ``out_dir`` through ``transport``, caching answers in ``cache_dir``."""

    def __init__(
        self,
        out_dir: Path,
        *,
        transport: Transport | None = None,
        cache_dir: Path | None = None,
        email: str | None = None,
        api_key: str | None = None,
        eutils: str = EUTILS,
        ctgov: str = CTGOV,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress = _quiet,
    ) -> None:
        self.out_dir = out_dir
        self.transport = transport or UrllibTransport()
        self.cache_dir = cache_dir
        self.email = email or os.environ.get("NCBI_EMAIL")
        self.api_key = api_key if api_key is not None else os.environ.get("NCBI_API_KEY")
        self.eutils, self.ctgov = eutils.rstrip("/"), ctgov.rstrip("/")
        self.sleep = sleep
        self.progress = progress
        self._last = 0.0
        self.requests = 0
        self.cached = 0
        self.missing = 0
        self.files: list[Path] = []

    # -- PubMed ---------------------------------------------------------------------------

    def pubmed_search(self, query: str, limit: int) -> list[str]:
        """The PMIDs esearch finds for a query, newest first, at most ``limit``."""
        body = self._get(
            self._eutils("esearch.fcgi", db="pubmed", term=query, retmax=str(limit), retmode="json")
        )
        try:
            ids = json.loads(body)["esearchresult"]["idlist"]
        except (ValueError, KeyError, TypeError):
            raise FetchError(
                f"esearch answered with something else than a result for {query!r}"
            ) from None
        return [str(i) for i in ids][:limit]

    def pubmed(self, pmids: Sequence[str]) -> int:
        """efetch XML for the PMIDs, one file per batch; how many citations came back."""
        found = 0
        for n in range(0, len(pmids), BATCH):
            batch = list(pmids[n : n + BATCH])
            body = self._get(
                self._eutils("efetch.fcgi", db="pubmed", id=",".join(batch), retmode="xml")
            )
            root = root_name(body[:4096])
            if root != "PubmedArticleSet":
                shown = f"<{root}>" if root else "no XML"
                raise FetchError(
                    f"efetch answered with {shown} for PMID {batch[0]}, not PubMed XML"
                )
            count = body.count(b"<PubmedArticle>") + body.count(b"<PubmedArticle ")
            missing = len(batch) - count
            if count == 0:
                raise FetchError(f"PubMed has no record for PMID {', '.join(batch[:5])}")
            name = (
                f"pubmed-{batch[0]}.xml"
                if len(batch) == 1
                else f"pubmed-{batch[0]}-{len(batch)}.xml"
            )
            self._write(name, body)
            found += count
            self.missing += missing
            self.progress("pubmed", min(n + BATCH, len(pmids)), len(pmids))
        return found

    def _eutils(self, tool: str, **params: str) -> str:
        params = {**params, "tool": "stemkg"}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        return f"{self.eutils}/{tool}?{urllib.parse.urlencode(params)}"

    # -- ClinicalTrials.gov --------------------------------------------------------------

    def trial(self, nct: str) -> None:
        """One study as v2 JSON, written as ``<nct>.json``."""
        body = self._get(
            f"{self.ctgov}/studies/{nct}?format=json", missing=f"{nct} is not on ClinicalTrials.gov"
        )
        self._json(body, f"ClinicalTrials.gov's answer for {nct}")
        self._write(f"{nct.casefold()}.json", body)

    def trials_search(self, query: str, limit: int) -> int:
        """Search pages of v2 JSON (100 studies each, following ``nextPageToken``) until
        ``limit`` studies; how many studies came back."""
        found, token, page = 0, "", 1
        key = hashlib.sha256(query.encode()).hexdigest()[:10]
        while found < limit:
            params = {
                "query.term": query,
                "pageSize": str(min(100, limit - found)),
                "format": "json",
            }
            if token:
                params["pageToken"] = token
            body = self._get(f"{self.ctgov}/studies?{urllib.parse.urlencode(params)}")
            data = self._json(body, f"ClinicalTrials.gov's search page {page}")
            studies = data.get("studies") if isinstance(data, dict) else None
            if not isinstance(data, dict) or not isinstance(studies, list):
                raise FetchError(f"ClinicalTrials.gov's search page {page} has no 'studies' list")
            if not studies:
                break
            self._write(f"ctgov-search-{key}-{page:03d}.json", body)
            found += len(studies)
            self.progress("trials", found, limit)
            token = str(data.get("nextPageToken") or "")
            if not token:
                break
            page += 1
        return found

    @staticmethod
    def _json(body: bytes, what: str) -> object:
        try:
            return json.loads(body)
        except ValueError:
            raise FetchError(f"{what} is not JSON (starts {body[:40]!r})") from None

    # -- plumbing ------------------------------------------------------------------------

    def _get(self, url: str, missing: str | None = None) -> bytes:
        """The body of a 200 answer: cached, else fetched politely with retries."""
        cached = self._cache_path(url)
        if cached is not None and cached.is_file():
            self.cached += 1
            return cached.read_bytes()
        for attempt in range(TRIES):
            self._pace()
            answer = self.transport.get(url)
            self.requests += 1
            if answer.status == 200:
                if cached is not None:
                    _write_whole(cached, answer.body)
                return answer.body
            if answer.status == 404 and missing:
                raise FetchError(missing)
            if answer.status != 429 and answer.status < 500:
                host = urllib.parse.urlsplit(url).netloc
                raise FetchError(f"{host} refused the request (HTTP {answer.status})")
            if attempt + 1 < TRIES:
                self.sleep(_wait(answer, attempt))
        host = urllib.parse.urlsplit(url).netloc
        raise FetchError(
            f"{host} kept failing (HTTP {answer.status} after {TRIES} tries); try later"
        )

    def _pace(self) -> None:
        """At most 3 requests a second (10 with an NCBI API key)."""
        gap = 0.1 if self.api_key else 0.34
        wait = self._last + gap - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last = time.monotonic()

    def _cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        clean = re.sub(r"([?&])api_key=[^&]*", r"\1", url)  # the key does not change the answer
        return self.cache_dir / hashlib.sha256(clean.encode()).hexdigest()

    def _write(self, name: str, body: bytes) -> None:
        path = self.out_dir / name
        _write_whole(path, body)
        self.files.append(path)


def _wait(answer: Response, attempt: int) -> float:
    """Seconds to wait before the next try: ``Retry-After`` when given, else 1, 2, 4, 8."""
    header = {k.casefold(): v for k, v in answer.headers.items()}.get("retry-after", "")
    if header.strip().isdigit():
        return min(float(header), 120.0)
    return float(2**attempt)


def _write_whole(path: Path, body: bytes) -> None:
    """Write a file so that it exists whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch(
    fetcher: Fetcher,
    ids: Sequence[str] = (),
    *,
    pubmed_query: str | None = None,
    trials_query: str | None = None,
    limit: int = 100,
) -> Fetched:
    """Fetch ids and the results of queries into the fetcher's folder."""
    pmids, ncts = parse_ids(ids)
    if pubmed_query:
        pmids += [p for p in fetcher.pubmed_search(pubmed_query, limit) if p not in pmids]
    pubmed = fetcher.pubmed(pmids) if pmids else 0
    for n, nct in enumerate(ncts, 1):
        fetcher.trial(nct)
        fetcher.progress("trials", n, len(ncts))
    trials = len(ncts) + (fetcher.trials_search(trials_query, limit) if trials_query else 0)
    return Fetched(
        tuple(fetcher.files), pubmed, trials, fetcher.requests, fetcher.cached, fetcher.missing
    )
