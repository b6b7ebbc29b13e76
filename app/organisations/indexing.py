"""Derived search fields, computed on every write of an organisation or contact."""

from collections.abc import Iterable

from app.folding import fold


def organisation_search_text(
    name: str,
    short_name: str | None,
    names_in_source: Iterable[str],
    description: str | None,
    tasks: Iterable[str],
    topics: Iterable[str],
    target_groups: Iterable[str],
    concept_labels: Iterable[str] = (),
) -> str:
    """Everything an organisation is found by, folded: its own text, and the labels of its
    vocabulary concepts in every language (app.organisations.concepts.concept_labels)."""
    parts = [
        name,
        short_name or "",
        *names_in_source,
        description or "",
        *tasks,
        *topics,
        *target_groups,
        *concept_labels,
    ]
    return fold(" \n".join(p for p in parts if p))


def contact_search_text(value: str, label: str | None, role: str | None) -> str:
    return fold(" ".join(p for p in (value, label, role) if p))
