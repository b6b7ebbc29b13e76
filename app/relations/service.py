"""Reads of relations as records of their own (`/relations/{id}`)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.db import as_utc, live, not_verified_since
from app.errors import Gone, NotFound
from app.organisations import graph
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, Relation
from app.pagination import PageRequest, SortKey, Window, fetch_window
from app.refs import relation_url
from app.relations.schemas import RelationRecord
from app.sources import service as source_service


def get_relation(session: Session, relation_id: int) -> Relation:
    """The live relation `relation_id`: NotFound if none, Gone if deleted."""
    relation = session.get(Relation, relation_id)
    if relation is None:
        raise NotFound("relation", "id", relation_id)
    if relation.deleted_at is not None:
        raise Gone("relation", "id", relation_id, relation.deleted_at)
    return relation


def relation_public(session: Session, relation: Relation, base: str) -> RelationRecord:
    subject = session.get(Organisation, relation.subject_id)
    obj = session.get(Organisation, relation.object_id)
    assert subject is not None and obj is not None
    subject_ref, object_ref = organisation_service.refs([subject, obj], base)
    return RelationRecord(
        id=relation.id or 0,
        type=relation.type,
        subject=subject_ref,
        object=object_ref,
        role=relation.role,
        note=relation.note,
        provenance=source_service.provenance(
            session, relation.source_id, relation.source_slide, relation.source_section
        ),
        url=relation_url(base, relation.id or 0),
        version=relation.version,
        created_at=relation.created_at,
        updated_at=relation.updated_at,
        valid_as_of=relation.valid_as_of,
        last_verified_at=relation.last_verified_at,
        deleted_at=relation.deleted_at,
    )


BY_ID = SortKey("id", (col(Relation.id),), (False,), (int,))


@dataclass(frozen=True)
class RelationFilters:
    organisation: str | None = None
    updated_since: datetime | None = None
    verified_before: datetime | None = None
    include_deleted: bool = False


def list_relations(
    session: Session, filters: RelationFilters, page: PageRequest, base: str
) -> Window[RelationRecord]:
    query = select(Relation)
    if not filters.include_deleted:
        query = query.where(live(Relation))
    if filters.organisation is not None:
        organisation_id = graph.organisation_id(session, filters.organisation, "organisation")
        query = query.where(
            (col(Relation.subject_id) == organisation_id)
            | (col(Relation.object_id) == organisation_id)
        )
    if filters.updated_since:
        query = query.where(col(Relation.updated_at) >= as_utc(filters.updated_since))
    if filters.verified_before:
        query = query.where(not_verified_since(Relation, filters.verified_before))
    window = fetch_window(session, query, BY_ID, page)
    relations = [row[0] for row in window.rows]
    return Window(
        [relation_public(session, r, base) for r in relations], window.total, window.next_cursor
    )
