"""Entity tags of records, and the precondition every write checks against them."""

from typing import Any

from app.changes.models import Resource
from app.db import stored_id
from app.errors import PreconditionFailed, PreconditionRequired
from app.http_cache import if_match


def record_etag(resource: Resource | str, record_id: int, version: int) -> str:
    """The strong ETag of a record's representation: its identity and version.

    A record's version rises whenever anything it shows changes (app.writes), so
    the tag changes exactly then, and the tag read from any coding of a GET is
    the one `If-Match` takes back.
    """
    return f'"{resource}-{record_id}-v{version}"'


def etag_of(resource: Resource, record: Any) -> str:
    return record_etag(resource, stored_id(record), record.version)


def require_match(header: str | None, resource: Resource, record: Any) -> None:
    """PreconditionRequired without `If-Match`, PreconditionFailed if it names an older version.

    Called inside the write transaction, after the writers' lock: no other
    writer can change the record between this check and the commit.
    """
    if header is None:
        raise PreconditionRequired()
    current = etag_of(resource, record)
    if not if_match(header, current):
        raise PreconditionFailed(record.version, current)
