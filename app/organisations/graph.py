"""Subqueries over the relation graph, shared by the organisation and contact lists."""

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlmodel import Session, col

from app.db import live
from app.errors import InvalidParameter
from app.organisations.models import NETWORK_KINDS, Organisation, Relation, RelationType

# `network <type> organisation` relations that make the organisation one of the
# network's members, and the role they imply.
LEADERSHIP_RELATIONS: dict[str, str] = {
    RelationType.coordinated_by: "coordinator",
    RelationType.convened_by: "convener",
}


def organisation_id(
    session: Session, slug: str, param: str, network: bool = False, deleted: bool = False
) -> int:
    """The id of the organisation a filter parameter names, or a 422 naming the parameter.

    With `network`, it must be a network: an organisation of another kind has no
    members, so naming one is a mistake, not an empty list. A deleted organisation
    names nothing, unless `deleted` (a list that shows deleted records too).
    """
    query = select(col(Organisation.id), col(Organisation.kind)).where(
        col(Organisation.slug) == slug
    )
    found = session.execute(query if deleted else query.where(live(Organisation))).first()
    if found is None:
        raise InvalidParameter(param, f"no organisation with slug {slug!r}")
    if network and found.kind not in NETWORK_KINDS:
        raise InvalidParameter(param, f"{slug!r} is of kind {found.kind!r}, not a network")
    return int(found.id)


def member_ids(network_ids: Sequence[int]) -> Select[tuple[int]]:
    """Ids of organisations that belong to any of the networks, leaders included."""
    members = select(col(Relation.subject_id)).where(
        col(Relation.type) == RelationType.member_of,
        col(Relation.object_id).in_(network_ids),
        live(Relation),
    )
    leaders = select(col(Relation.object_id)).where(
        col(Relation.type).in_(LEADERSHIP_RELATIONS),
        col(Relation.subject_id).in_(network_ids),
        live(Relation),
    )
    return members.union(leaders)  # type: ignore[return-value]


def related_ids(organisation_ids: Sequence[int]) -> Select[tuple[int]]:
    """Ids of organisations with any relation, either direction, to any of the given ones."""
    outgoing = select(col(Relation.object_id)).where(
        col(Relation.subject_id).in_(organisation_ids), live(Relation)
    )
    incoming = select(col(Relation.subject_id)).where(
        col(Relation.object_id).in_(organisation_ids), live(Relation)
    )
    return outgoing.union(incoming)  # type: ignore[return-value]
