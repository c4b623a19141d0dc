"""Article → evidence records: pure functions over a ``Document`` (no I/O).

``extract(document, resources)`` returns the document's record file (one source, at most one
study report in v1), every value with its quote, offsets, method and confidence.
``vocab.load_resources()`` reads the lexicon, cues and trigger lists once.
"""

from __future__ import annotations

from stemkg.extract.annotate import Resources
from stemkg.extract.study import explain, extract_record
from stemkg.model import RecordFile
from stemkg.sources.document import Document

__all__ = ["Resources", "explain", "extract"]


def extract(document: Document, resources: Resources) -> RecordFile:
    """The record file of one document; ``reports`` is empty when it reports no study."""
    data = extract_record(document, resources)
    return RecordFile.model_validate(data, context={"lexicon": resources.lexicon})
