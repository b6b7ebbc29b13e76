"""Facet counts: how many organisations of the current filter fall under each value."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import CTE, Select, String, distinct, func, literal, select, union_all
from sqlalchemy.sql.functions import coalesce
from sqlmodel import Session, col

from app.languages import DEFAULT, Language
from app.organisations.models import (
    Organisation,
    OrganisationConcept,
    OrganisationRegion,
    OrganisationTopic,
)
from app.pagination import FacetValue
from app.regions.models import Region
from app.vocabularies.catalogue import catalogue

FACETS = ("kind", "level", "region", "topic", "offer", "target_group", "access", "language")
# The concept scheme each concept facet counts (app.vocabularies).
CONCEPT_FACETS = {
    "offer": "offers",
    "target_group": "target-groups",
    "access": "access",
    "language": "languages",
}
_TOTAL = "*"  # the row counting every match, next to the facets' rows


@dataclass(frozen=True)
class FacetCounts:
    total: int
    facets: dict[str, list[FacetValue]]


def facet_counts(
    session: Session,
    query: Select[tuple[Organisation]],
    names: Sequence[str],
    lang: Language = DEFAULT,
) -> FacetCounts:
    """Counts per value of each named facet over the organisations `query` matches,
    and the number of those organisations.

    A region's count includes organisations linked to any region below it, so it
    equals the `total` a client gets when it adds that region as a filter.

    All facets and the total come from one statement: the filtered organisations
    are a common table expression that SQLite and PostgreSQL evaluate once when
    more than one part reads it, rather than once per part.
    """
    matched = (
        query.with_only_columns(
            col(Organisation.id), col(Organisation.kind), col(Organisation.level)
        )
        .order_by(None)
        .cte("matched")
    )
    builders: dict[str, Callable[[CTE], Select[Any]]] = {
        "kind": _by_kind,
        "level": _by_level,
        "topic": _by_topic,
        "region": _by_region,
    }
    for facet, scheme in CONCEPT_FACETS.items():
        builders[facet] = partial(_by_concept, facet, scheme)
    statement = union_all(
        _row(_TOTAL, _no_label(), _no_label(), func.count()).select_from(matched),
        *(builders[name](matched) for name in names),
    )
    total = 0
    counted: dict[str, list[FacetValue]] = defaultdict(list)
    for facet, value, label, count in session.execute(statement):
        if facet == _TOTAL:
            total = count
        else:
            if facet in CONCEPT_FACETS:
                label = _concept_label(CONCEPT_FACETS[facet], value, lang)
            counted[facet].append(FacetValue(value=value, label=label, count=count))
    return FacetCounts(total, {name: _sorted(counted[name]) for name in names})


def _row(facet: str, value: Any, label: Any, count: Any) -> Select[Any]:
    return select(
        literal(facet, String).label("facet"),
        value.label("value"),
        label.label("label"),
        count.label("count"),
    )


def _no_label() -> Any:
    return literal(None, String)


def _by_kind(matched: CTE) -> Select[Any]:
    return _row("kind", matched.c.kind, _no_label(), func.count()).group_by(matched.c.kind)


def _by_level(matched: CTE) -> Select[Any]:
    return _row("level", matched.c.level, _no_label(), func.count()).group_by(matched.c.level)


def _by_topic(matched: CTE) -> Select[Any]:
    # The folded key is the value to filter by; should organisations spell a topic
    # differently, one of their spellings is the label.
    topic = col(OrganisationTopic.topic)
    return (
        _row("topic", topic, func.min(col(OrganisationTopic.label)), func.count())
        .where(col(OrganisationTopic.organisation_id).in_(select(matched.c.id)))
        .group_by(topic)
    )


def _by_concept(facet: str, scheme: str, matched: CTE) -> Select[Any]:
    concept = col(OrganisationConcept.concept)
    return (
        _row(facet, concept, _no_label(), func.count())
        .where(
            col(OrganisationConcept.scheme) == scheme,
            col(OrganisationConcept.organisation_id).in_(select(matched.c.id)),
        )
        .group_by(concept)
    )


def _concept_label(scheme: str, concept: str, lang: Language) -> str | None:
    found = catalogue().concept(scheme, concept)
    return None if found is None else found.labels[lang].text


def _by_region(matched: CTE) -> Select[Any]:
    # Every (region, ancestor-or-self) pair, so a link to a town counts for its Kreis and Land.
    ancestry = select(col(Region.id).label("region_id"), col(Region.id).label("ancestor_id")).cte(
        "ancestry", recursive=True
    )
    parent = select(ancestry.c.region_id, col(Region.parent_id)).join(
        Region, (col(Region.id) == ancestry.c.ancestor_id) & col(Region.parent_id).is_not(None)
    )
    ancestry = ancestry.union_all(parent)
    counts = (
        select(
            ancestry.c.ancestor_id.label("region_id"),
            func.count(distinct(col(OrganisationRegion.organisation_id))).label("count"),
        )
        .join(ancestry, ancestry.c.region_id == col(OrganisationRegion.region_id))
        .where(col(OrganisationRegion.organisation_id).in_(select(matched.c.id)))
        .group_by(ancestry.c.ancestor_id)
        .subquery("region_counts")
    )
    return _row(
        "region", coalesce(col(Region.code), col(Region.slug)), col(Region.name), counts.c.count
    ).join(counts, counts.c.region_id == col(Region.id))


def _sorted(values: Any) -> list[FacetValue]:
    return sorted(values, key=lambda v: (-v.count, v.value is None, str(v.value)))
