"""Writes of the typed relations between organisations."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.changes.models import Resource
from app.db import stored_id, utc_now
from app.errors import Conflict, InvalidBody
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, Relation
from app.organisations.writes import watch_organisation
from app.relations.schemas import RelationInput
from app.relations.service import get_relation, relation_public
from app.writes import (
    Author,
    Editing,
    Origin,
    Snapshot,
    T,
    Write,
    add,
    assign,
    representation,
)


def relation_snapshot(session: Session, relation: Relation) -> Snapshot:
    return representation(relation_public(session, relation, ""), relation)


def watch_relation(write: Write, relation: Relation) -> None:
    """Watch a relation and both organisations that show it."""
    session = write.session
    write.watch(
        Resource.relation,
        relation,
        lambda: str(relation.id),
        lambda: relation_snapshot(session, relation),
    )
    for end in (relation.subject_id, relation.object_id):
        other = session.get(Organisation, end)
        if other is not None and other.deleted_at is None:  # a tombstone shows nothing
            watch_organisation(write, other, dependants=False)


def _relation_end(session: Session, slug: str, name: str) -> Organisation:
    organisation = organisation_service.find_organisation(session, slug)
    if organisation is None or organisation.deleted_at is not None:
        state = "deleted" if organisation is not None else "unknown"
        raise InvalidBody.field(name, f"{state} organisation {slug!r}")
    return organisation


def create_relation(write: Write, data: RelationInput, origin: Origin | None = None) -> Relation:
    session = write.session
    subject = _relation_end(session, data.subject, "subject")
    obj = _relation_end(session, data.object, "object")
    if subject.id == obj.id:
        raise InvalidBody.field("object", "a relation links two different organisations")
    existing = session.execute(
        select(Relation).where(
            col(Relation.subject_id) == subject.id,
            col(Relation.object_id) == obj.id,
            col(Relation.type) == data.type.value,
        )
    ).scalar_one_or_none()
    origin = origin or Origin()
    values = _relation_columns(data, subject, obj, origin)
    if existing is not None:
        if existing.deleted_at is None:
            raise Conflict(
                f"{data.subject} {data.type.value} {data.object} exists already "
                f"(/relations/{existing.id}).",
                extra={"relation": f"/relations/{existing.id}"},
            )
        # The same link made again: the tombstone comes back to life under its own id.
        watch_relation(write, existing)
        assign(existing, values)
        existing.deleted_at = None
        return existing
    for end in (subject, obj):
        watch_organisation(write, end, dependants=False)
    relation = Relation(**values, created_at=write.now, updated_at=write.now)
    write.add(
        Resource.relation,
        relation,
        lambda: str(relation.id),
        lambda: relation_snapshot(session, relation),
    )
    return relation


def update_relation(
    write: Write, relation: Relation, data: RelationInput, origin: Origin | None = None
) -> Relation:
    session = write.session
    subject = _relation_end(session, data.subject, "subject")
    obj = _relation_end(session, data.object, "object")
    if subject.id == obj.id:
        raise InvalidBody.field("object", "a relation links two different organisations")
    clash = session.execute(
        select(col(Relation.id)).where(
            col(Relation.subject_id) == subject.id,
            col(Relation.object_id) == obj.id,
            col(Relation.type) == data.type.value,
            col(Relation.id) != relation.id,
        )
    ).scalar_one_or_none()
    if clash is not None:
        raise Conflict(f"{data.subject} {data.type.value} {data.object} is /relations/{clash}.")
    watch_relation(write, relation)
    for end in (subject, obj):
        watch_organisation(write, end, dependants=False)
    current = Origin(
        relation.source_id,
        relation.source_slide,
        relation.source_section,
        inferences=list(relation.inferences),
    )
    values = _relation_columns(data, subject, obj, origin or current)
    if data.valid_as_of is None:
        values["valid_as_of"] = relation.valid_as_of
    assign(relation, values)
    return relation


def delete_relation(write: Write, relation: Relation) -> None:
    watch_relation(write, relation)
    relation.deleted_at = write.now


def relation_state(session: Session, relation: Relation) -> dict[str, Any]:
    """The relation as a `RelationInput` body: what a merge patch applies to."""
    subject = session.get(Organisation, relation.subject_id)
    obj = session.get(Organisation, relation.object_id)
    assert subject is not None and obj is not None
    return {
        "subject": subject.slug,
        "type": relation.type,
        "object": obj.slug,
        "role": relation.role,
        "note": relation.note,
        "valid_as_of": relation.valid_as_of.isoformat() if relation.valid_as_of else None,
    }


def _relation_columns(
    data: RelationInput, subject: Organisation, obj: Organisation, origin: Origin
) -> dict[str, Any]:
    return {
        "subject_id": stored_id(subject),
        "object_id": stored_id(obj),
        "type": data.type.value,
        "role": data.role,
        "note": data.note,
        "source_id": origin.source_id,
        "source_slide": origin.slide,
        "source_section": origin.section,
        "inferences": list(origin.inferences),
        "valid_as_of": data.valid_as_of or utc_now().date(),
    }


# --- Transactions, as the API calls them ------------------------------------------------------


def create(session: Session, author: Author, data: RelationInput, answer: Callable[[Any], T]) -> T:
    return add(session, author, lambda write: create_relation(write, data), answer)


EDITING = Editing(
    Resource.relation,
    get_relation,
    relation_state,
    RelationInput,
    update_relation,
    delete_relation,
    lambda write, relation: watch_relation(write, relation),
)
