"""Source documents and the provenance of records read from them."""

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.db import stored_id
from app.sources.models import SourceDocument
from app.sources.schemas import CorrectionPublic, InferencePublic, Provenance, SourcePublic

# The source document joined to a record's row, its columns prefixed `source_`.
source = aliased(SourceDocument, name="source")
SOURCE_COLUMNS: tuple[Any, ...] = (
    col(source.id).label("source_document_id"),
    col(source.slug).label("source_slug"),
    col(source.title).label("source_title"),
    col(source.subtitle).label("source_subtitle"),
    col(source.published_on).label("source_published_on"),
    col(source.authors).label("source_authors"),
    col(source.publisher).label("source_publisher"),
    col(source.file_name).label("source_file_name"),
)


def public_source(document: SourceDocument) -> SourcePublic:
    return SourcePublic(
        slug=document.slug,
        title=document.title,
        subtitle=document.subtitle,
        published_on=document.published_on,
        authors=document.authors,
        publisher=document.publisher,
        file_name=document.file_name,
    )


def joined_source(row: Row[Any]) -> SourcePublic | None:
    """The source of a row that selected the `SOURCE_COLUMNS` (outer-joined on its source_id)."""
    if row.source_document_id is None:
        return None
    return SourcePublic(
        slug=row.source_slug,
        title=row.source_title,
        subtitle=row.source_subtitle,
        published_on=row.source_published_on,
        authors=row.source_authors,
        publisher=row.source_publisher,
        file_name=row.source_file_name,
    )


def source_by_id(session: Session, source_id: int | None) -> SourcePublic | None:
    if source_id is None:
        return None
    document = session.get(SourceDocument, source_id)
    return public_source(document) if document else None


def sources_by_id(session: Session, ids: set[int]) -> dict[int, SourcePublic]:
    """Sources by id; one statement even for no ids (see regions_by_id)."""
    documents = session.execute(
        select(SourceDocument).where(col(SourceDocument.id).in_(ids))
    ).scalars()
    return {stored_id(d): public_source(d) for d in documents}


def record_provenance(record: Any, source: SourcePublic | None) -> Provenance:
    """The provenance of a record (or row) with `source_slide`, `source_section`, `corrections`."""
    return Provenance(
        source=source,
        slide=record.source_slide,
        section=record.source_section,
        corrections=[CorrectionPublic(**c) for c in record.corrections or []],
        inferences=[InferencePublic(**i) for i in record.inferences or []],
    )
