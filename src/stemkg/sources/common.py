"""What every reader shares: the loaded unit, byte checks, hashing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from stemkg.errors import InputError
from stemkg.model import RecordFile

__all__ = ["Loaded", "content_hash", "read_bytes", "read_text"]

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Loaded:
    """One source read from a file: its key, where it came from, its hash and its records."""

    key: str
    path: Path
    content_hash: str
    record: RecordFile


def content_hash(data: bytes) -> str:
    """``sha256:<hex>`` of a source's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing files too large to be one source; the readers' only I/O."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(path, f"larger than {MAX_BYTES // 1024 // 1024} MB")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def read_text(path: Path) -> tuple[str, bytes]:
    """A record file's text and bytes; empty, binary and non-UTF-8 files raise (a record is
    written by a person or by stemkg, so a guessed charset would hide a mistake)."""
    data = read_bytes(path)
    if not data.strip():
        raise InputError(path, "empty file")
    if b"\x00" in data:
        raise InputError(path, "binary file (it holds NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    return text, data
