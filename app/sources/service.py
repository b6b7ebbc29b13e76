from sqlalchemy import select
from sqlmodel import Session, col

from app.sources.models import SourceDocument
from app.sources.schemas import CorrectionPublic, Provenance, SourcePublic


def source_by_id(session: Session, source_id: int | None) -> SourcePublic | None:
    if source_id is None:
        return None
    document = session.get(SourceDocument, source_id)
    return SourcePublic.model_validate(document, from_attributes=True) if document else None


def sources_by_id(session: Session, ids: set[int]) -> dict[int, SourcePublic]:
    if not ids:
        return {}
    documents = session.execute(
        select(SourceDocument).where(col(SourceDocument.id).in_(ids))
    ).scalars()
    return {d.id or 0: SourcePublic.model_validate(d, from_attributes=True) for d in documents}


def provenance(
    session: Session,
    source_id: int | None,
    slide: int | None,
    section: str | None,
    corrections: list[dict[str, str]] | None = None,
) -> Provenance:
    return Provenance(
        source=source_by_id(session, source_id),
        slide=slide,
        section=section,
        corrections=[CorrectionPublic(**c) for c in corrections or []],
    )
