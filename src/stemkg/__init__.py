"""stemkg: a knowledge graph of stem-cell therapy evidence.

The library is staged: ``sources`` read files, ``link`` joins reports into studies, ``rdf``
maps records to quads, ``store`` keeps them, ``validate`` checks SHACL shapes, ``query`` runs
named SPARQL, ``export`` projects networks; ``pipeline`` runs them in order.
"""

from stemkg.errors import InputError, MappingError, OutputError, QueryError, StemkgError
from stemkg.model import RecordFile, Report, Source
from stemkg.pipeline import BuildResult, build, validate_build, validate_file

__all__ = [
    "BuildResult",
    "InputError",
    "MappingError",
    "OutputError",
    "QueryError",
    "RecordFile",
    "Report",
    "Source",
    "StemkgError",
    "build",
    "validate_build",
    "validate_file",
]
