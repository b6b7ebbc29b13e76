"""Write the whole directory as a `DirectoryFile` (app.exchange.schemas).

Every record that is not deleted, in an order that depends on the data alone
(sources, regions and organisations by slug, an organisation's contacts in the
order they were made, relations by their ends and type), so that the same
directory always gives the same bytes. Organisations are read a chunk at a time
with the bulk reads the API's pages use.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.contacts.models import Contact
from app.db import as_utc, live, read_snapshot, stored_id, utc_text
from app.exchange.schemas import FORMAT, VERSION
from app.organisations import concepts
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, Relation
from app.regions.models import Region
from app.sources.models import SourceDocument

CHUNK = 500
"""Organisations read at once: a bound on the parameters of one statement."""


def export_document(session: Session) -> bytes:
    """The directory as one document (see `export_chunks`)."""
    return b"".join(export_chunks(session))


def export_chunks(session: Session) -> Iterator[bytes]:
    """The directory as indented UTF-8 JSON, ending in a newline, a record at a time: what
    is written out is not kept, so a large directory costs no more memory than a small one.
    The same bytes as `orjson.dumps(document, option=OPT_INDENT_2)`. `session` must be
    fresh: all of it is read from one state of the database, whatever is written meanwhile.
    """
    read_snapshot(session)
    regions = {
        stored_id(r): r
        for r in session.execute(select(Region).order_by(_bytewise(session, Region.slug))).scalars()
    }
    sources = {
        stored_id(s): s
        for s in session.execute(
            select(SourceDocument).order_by(_bytewise(session, SourceDocument.slug))
        ).scalars()
    }
    head = {"format": FORMAT, "version": VERSION}
    yield orjson.dumps(head, option=orjson.OPT_INDENT_2)[:-2]  # open: without "\n}"
    yield from _member("sources", (_source(s) for s in sources.values()))
    live_regions = (_region(r, regions) for r in regions.values() if r.deleted_at is None)
    yield from _member("regions", live_regions)
    organisations = (
        entry
        for chunk in _organisation_chunks(session)
        for entry in _organisations(session, chunk, regions, sources)
    )
    yield from _member("organisations", organisations)
    yield from _member("relations", _relations(session, sources))
    yield b"\n}\n"


def in_blocks(chunks: Iterable[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """`chunks` joined into blocks of about `size` bytes: fewer, larger writes."""
    block = bytearray()
    for chunk in chunks:
        block += chunk
        if len(block) >= size:
            yield bytes(block)
            block.clear()
    if block:
        yield bytes(block)


def _member(name: str, items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """`,\n  "name": [...]` as OPT_INDENT_2 writes a list at the second level."""
    yield b',\n  "' + name.encode() + b'": ['
    empty = True
    for item in items:
        dumped = orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")
        yield (b"\n    " if empty else b",\n    ") + dumped
        empty = False
    yield b"]" if empty else b"\n  ]"


def _organisation_chunks(session: Session) -> Iterator[list[Organisation]]:
    last = ""
    while True:
        chunk = list(
            session.execute(
                select(Organisation)
                .where(live(Organisation), _bytewise(session, Organisation.slug) > last)
                .order_by(_bytewise(session, Organisation.slug))
                .limit(CHUNK)
            ).scalars()
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].slug
        session.expunge_all()  # what was written out is not kept in memory


def _organisations(
    session: Session,
    chunk: Sequence[Organisation],
    regions: dict[int, Region],
    sources: dict[int, SourceDocument],
) -> list[dict[str, Any]]:
    ids = [stored_id(o) for o in chunk]
    topics = organisation_service.topics_of(session, ids)
    links = organisation_service.region_links_of(session, ids, "")
    tags = concepts.editable_concepts_of(session, ids)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in session.execute(
        select(Contact)
        .where(col(Contact.organisation_id).in_(ids), live(Contact))
        .order_by(col(Contact.id))
    ).scalars():
        contacts[contact.organisation_id].append(contact)
    return [
        {
            "slug": o.slug,
            "name": o.name,
            "short_name": o.short_name,
            "kind": o.kind,
            "legal_form": o.legal_form,
            "level": o.level,
            "description": o.description,
            "tasks": list(o.tasks),
            "target_groups": list(o.target_groups),
            "names_in_source": list(o.names_in_source),
            "topics": topics[stored_id(o)],
            "regions": [
                {"region": link.code or link.slug, "role": link.role}
                for link in links[stored_id(o)]
            ],
            "concepts": tags[stored_id(o)],
            "valid_as_of": _day(o.valid_as_of),
            **_kept(o, sources),
            "contacts": [_contact(c, regions, sources) for c in contacts[stored_id(o)]],
        }
        for o in chunk
    ]


def _contact(
    contact: Contact, regions: dict[int, Region], sources: dict[int, SourceDocument]
) -> dict[str, Any]:
    region = regions.get(contact.region_id) if contact.region_id is not None else None
    return {
        "kind": contact.kind,
        "value": contact.value,
        "label": contact.label,
        "role": contact.role,
        "region": (region.code or region.slug) if region is not None else None,
        "valid_as_of": _day(contact.valid_as_of),
        **_kept(contact, sources),
    }


def _relations(session: Session, sources: dict[int, SourceDocument]) -> Iterator[dict[str, Any]]:
    subject, obj = aliased(Organisation, name="subject"), aliased(Organisation, name="object")
    rows = session.execute(
        select(Relation, col(subject.slug), col(obj.slug))
        .join(subject, col(subject.id) == col(Relation.subject_id))
        .join(obj, col(obj.id) == col(Relation.object_id))
        # A live relation of a deleted organisation is not shown anywhere: nor here.
        .where(live(Relation), live(subject), live(obj))
        .order_by(
            _bytewise(session, subject.slug), col(Relation.type), _bytewise(session, obj.slug)
        )
        .execution_options(yield_per=CHUNK)
    )
    for relation, subject_slug, object_slug in rows:
        yield {
            "subject": subject_slug,
            "type": relation.type,
            "object": object_slug,
            "role": relation.role,
            "note": relation.note,
            "valid_as_of": _day(relation.valid_as_of),
            **_kept(relation, sources),
        }
        session.expunge(relation)


def _bytewise(session: Session, column: Any) -> Any:
    """`column` ordered byte by byte, as SQLite orders text, whatever the database's collation:
    the file's order depends on the data alone."""
    if session.get_bind().dialect.name == "postgresql":
        return col(column).collate("C")
    return col(column)


def _region(region: Region, regions: dict[int, Region]) -> dict[str, Any]:
    parent = regions.get(region.parent_id) if region.parent_id is not None else None
    return {
        "slug": region.slug,
        "name": region.name,
        "kind": region.kind,
        "code": region.code,
        "parent": (parent.code or parent.slug) if parent is not None else None,
        "note": region.note,
        "valid_as_of": _day(region.valid_as_of),
        "last_verified_at": _moment(region.last_verified_at),
    }


def _source(source: SourceDocument) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "title": source.title,
        "subtitle": source.subtitle,
        "published_on": _day(source.published_on),
        "authors": list(source.authors),
        "publisher": source.publisher,
        "file_name": source.file_name,
    }


def _kept(record: Any, sources: dict[int, SourceDocument]) -> dict[str, Any]:
    """`last_verified_at` and `provenance` of an organisation, contact or relation (which
    has no corrections)."""
    source = sources.get(record.source_id) if record.source_id is not None else None
    corrected = hasattr(record, "corrections")
    corrections = list(record.corrections or []) if corrected else []
    inferences = list(record.inferences or [])
    known = source or record.source_slide or record.source_section or corrections or inferences
    provenance = (
        {
            "source": source.slug if source is not None else None,
            "slide": record.source_slide,
            "section": record.source_section,
            "inferences": inferences,
            **({"corrections": corrections} if corrected else {}),
        }
        if known
        else None
    )
    return {"last_verified_at": _moment(record.last_verified_at), "provenance": provenance}


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _moment(moment: datetime | None) -> str | None:
    return utc_text(as_utc(moment)) if moment is not None else None
