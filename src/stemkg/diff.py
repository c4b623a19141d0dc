"""What changed between two builds: studies, reports and their values, matched by IRI.

Builds are deterministic (the same input gives the same IRIs), so a node is the same node in
both builds exactly when its IRI is; a value is one (node, property, object) statement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Store

from stemkg.store import open_store
from stemkg.vocab import RDF, C

__all__ = ["BuildDiff", "ValueChange", "diff_builds"]

#: The classes whose nodes and values a diff reports.
KINDS = {C.Study: "study", C.StudyReport: "report", C.Arm: "arm", C.Outcome: "outcome"}


@dataclass(frozen=True)
class ValueChange:
    """One property of one node whose values differ between the builds."""

    node: str
    kind: str
    predicate: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def change(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        if not self.old:
            return "added"
        return "removed" if not self.new else "changed"


@dataclass
class BuildDiff:
    """Nodes added and removed, and values changed, from build A to build B."""

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    values: list[ValueChange] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The stable JSON form (see README, `stemkg diff`)."""
        return {
            "added": self.added,
            "removed": self.removed,
            "values": [
                {
                    "node": v.node,
                    "kind": v.kind,
                    "property": v.predicate,
                    "change": v.change,
                    "old": list(v.old),
                    "new": list(v.new),
                }
                for v in self.values
            ],
        }


def _nodes(store: Store) -> dict[str, str]:
    """IRI → kind of every study, report, arm and outcome."""
    nodes: dict[str, str] = {}
    for cls, kind in KINDS.items():
        for quad in store.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(cls), None):
            if isinstance(quad.subject, NamedNode):
                nodes[quad.subject.value] = kind
    return nodes


def _values(store: Store, nodes: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for iri in nodes:
        for quad in store.quads_for_pattern(NamedNode(iri), None, None, None):
            values[(iri, quad.predicate.value)].add(str(quad.object))
    return values


def diff_builds(build_a: Path, build_b: Path) -> BuildDiff:
    """Compare two finished builds."""
    store_a, store_b = open_store(build_a), open_store(build_b)
    nodes_a, nodes_b = _nodes(store_a), _nodes(store_b)
    result = BuildDiff()
    for kind in sorted(set(KINDS.values())):
        result.added[kind] = sorted(n for n, k in nodes_b.items() if k == kind and n not in nodes_a)
        result.removed[kind] = sorted(
            n for n, k in nodes_a.items() if k == kind and n not in nodes_b
        )
    values_a, values_b = _values(store_a, nodes_a), _values(store_b, nodes_b)
    kinds = {**nodes_a, **nodes_b}
    for key in sorted(set(values_a) | set(values_b)):
        old, new = values_a.get(key, set()), values_b.get(key, set())
        if old != new:
            node, prop = key
            result.values.append(
                ValueChange(node, kinds[node], prop, tuple(sorted(old)), tuple(sorted(new)))
            )
    return result
