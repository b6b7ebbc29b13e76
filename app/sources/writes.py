"""Source documents are facts of the data, not edited records: written as a file states them."""

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.sources.models import SourceDocument


class Outcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


def upsert_source(session: Session, entry: dict[str, Any]) -> tuple[SourceDocument, Outcome]:
    """The source document with `entry`'s slug, made or changed to hold `entry`'s fields."""
    source = session.execute(
        select(SourceDocument).where(col(SourceDocument.slug) == entry["slug"])
    ).scalar_one_or_none()
    if source is None:
        source = SourceDocument(**entry)
        session.add(source)
        session.flush()
        return source, Outcome.created
    if all(getattr(source, k) == v for k, v in entry.items()):
        return source, Outcome.unchanged
    for k, v in entry.items():
        setattr(source, k, v)
    source.version += 1
    session.flush()
    return source, Outcome.updated
