"""Facet counts: how many organisations of the current filter fall under each value."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlmodel import Session

from app.organisations.models import Organisation, OrganisationRegion, OrganisationTopic
from app.pagination import FacetValue
from app.regions.models import Region

FACETS = ("kind", "level", "region", "topic")


def facet_counts(
    session: Session, query: Select[tuple[Organisation]], names: Sequence[str]
) -> dict[str, list[FacetValue]]:
    """Counts per value of each named facet over the organisations `query` matches.

    A region's count includes organisations linked to any region below it, so it
    equals the `total` a client gets when it adds that region as a filter.
    """
    matched = (
        query.with_only_columns(Organisation.id, Organisation.kind, Organisation.level)
        .order_by(None)
        .subquery("matched")
    )
    counters = {
        "kind": lambda: _by_column(session, matched, matched.c.kind),
        "level": lambda: _by_column(session, matched, matched.c.level),
        "topic": lambda: _by_topic(session, matched),
        "region": lambda: _by_region(session, matched),
    }
    return {name: counters[name]() for name in names}


def _by_column(session: Session, matched: Any, column: Any) -> list[FacetValue]:
    rows = session.execute(select(column, func.count()).group_by(column))
    return _sorted(FacetValue(value=value, count=count) for value, count in rows)


def _by_topic(session: Session, matched: Any) -> list[FacetValue]:
    rows = session.execute(
        select(OrganisationTopic.topic, func.count())
        .join(matched, matched.c.id == OrganisationTopic.organisation_id)
        .group_by(OrganisationTopic.topic)
    )
    return _sorted(FacetValue(value=topic, count=count) for topic, count in rows)


def _by_region(session: Session, matched: Any) -> list[FacetValue]:
    # Every (region, ancestor-or-self) pair, so a link to a town counts for its Kreis and Land.
    ancestry = select(Region.id.label("region_id"), Region.id.label("ancestor_id")).cte(
        "ancestry", recursive=True
    )
    parent = select(ancestry.c.region_id, Region.parent_id).join(
        Region, (Region.id == ancestry.c.ancestor_id) & Region.parent_id.is_not(None)
    )
    ancestry = ancestry.union_all(parent)
    counts = (
        select(
            ancestry.c.ancestor_id.label("region_id"),
            func.count(distinct(OrganisationRegion.organisation_id)).label("count"),
        )
        .join(ancestry, ancestry.c.region_id == OrganisationRegion.region_id)
        .join(matched, matched.c.id == OrganisationRegion.organisation_id)
        .group_by(ancestry.c.ancestor_id)
        .subquery()
    )
    rows = session.execute(
        select(Region.code, Region.slug, Region.name, counts.c.count).join(
            counts, counts.c.region_id == Region.id
        )
    )
    return _sorted(
        FacetValue(value=code or slug, label=name, count=count) for code, slug, name, count in rows
    )


def _sorted(values: Any) -> list[FacetValue]:
    return sorted(values, key=lambda v: (-v.count, v.value is None, str(v.value)))
