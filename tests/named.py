"""Run a named query on a build with its parameters bound, as rows of name -> value."""

from __future__ import annotations

from stemkg import query
from stemkg.lexicon import Lexicon
from stemkg.pipeline import BuildResult
from stemkg.store import open_store

Row = dict[str, str | None]


def named_rows(built: BuildResult, name: str, lexicon: Lexicon, **params: str) -> list[Row]:
    named = query.load_query(name)
    result = query.run_query(open_store(built.out_dir), named, query.bind(named, params, lexicon))
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]
