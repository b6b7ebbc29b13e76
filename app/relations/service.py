"""Reads of relations as records of their own (`/relations/{id}`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.db import as_utc, live, not_verified_since
from app.errors import Gone, NotFound
from app.memo import filter_key
from app.organisations import graph
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, Relation
from app.pagination import PageRequest, SortKey, Window, fetch_window, remembered_page
from app.refs import relation_url
from app.relations.schemas import RelationRecord
from app.sources import service as source_service
from app.sources.schemas import InferencePublic, Provenance


def get_relation(session: Session, relation_id: int) -> Relation:
    """The live relation `relation_id`: NotFound if none, Gone if deleted."""
    relation = session.get(Relation, relation_id)
    if relation is None:
        raise NotFound("relation", "id", relation_id)
    if relation.deleted_at is not None:
        raise Gone("relation", "id", relation_id, relation.deleted_at)
    return relation


def read_detail(session: Session, relation_id: int, base: str) -> RelationRecord:
    """The live relation `relation_id` as its detail shows it."""
    return relation_public(session, get_relation(session, relation_id), base)


def relation_public(session: Session, relation: Relation, base: str) -> RelationRecord:
    (record,) = relation_records(session, [relation], base)
    return record


def relation_records(
    session: Session, relations: Sequence[Relation], base: str
) -> list[RelationRecord]:
    """The records of `relations`, with both ends and the sources read in one query each."""
    ids = {r.subject_id for r in relations} | {r.object_id for r in relations}
    ends = {
        o.id: o
        for o in session.execute(
            select(Organisation).where(col(Organisation.id).in_(ids))
        ).scalars()
    }
    sources = source_service.sources_by_id(
        session, {r.source_id for r in relations if r.source_id is not None}
    )
    records = []
    for relation in relations:
        subject_ref, object_ref = organisation_service.refs(
            [ends[relation.subject_id], ends[relation.object_id]], base
        )
        records.append(
            RelationRecord(
                id=relation.id or 0,
                type=relation.type,
                subject=subject_ref,
                object=object_ref,
                role=relation.role,
                note=relation.note,
                provenance=Provenance(
                    source=sources.get(relation.source_id or 0),
                    slide=relation.source_slide,
                    section=relation.source_section,
                    inferences=[InferencePublic(**i) for i in relation.inferences or []],
                ),
                url=relation_url(base, relation.id or 0),
                version=relation.version,
                created_at=relation.created_at,
                updated_at=relation.updated_at,
                valid_as_of=relation.valid_as_of,
                last_verified_at=relation.last_verified_at,
                deleted_at=relation.deleted_at,
            )
        )
    return records


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
    return remembered_page(
        session,
        "relations page",
        filters,
        page,
        lambda: _relations_page(session, filters, page, base),
        base,
    )


def _relations_page(
    session: Session, filters: RelationFilters, page: PageRequest, base: str
) -> Window[RelationRecord]:
    query = select(Relation)
    if not filters.include_deleted:
        query = query.where(live(Relation))
    if filters.organisation is not None:
        organisation_id = graph.organisation_id(
            session, filters.organisation, "organisation", deleted=filters.include_deleted
        )
        query = query.where(
            (col(Relation.subject_id) == organisation_id)
            | (col(Relation.object_id) == organisation_id)
        )
    if filters.updated_since:
        query = query.where(col(Relation.updated_at) >= as_utc(filters.updated_since))
    if filters.verified_before:
        query = query.where(not_verified_since(Relation, filters.verified_before))
    window = fetch_window(
        session, query, BY_ID, page, count_key=filter_key("relations", filters), records=True
    )
    relations = [row[0] for row in window.rows]
    return Window(relation_records(session, relations, base), window.total, window.next_cursor)
