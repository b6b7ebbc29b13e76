"""Entity tags of records, and the precondition every write checks against them."""

from typing import Any

from app.changes.models import Resource
from app.db import stored_id
from app.errors import PreconditionFailed, PreconditionRequired
from app.http_cache import if_match
from app.languages import DEFAULT

# The generation of every record's representation, raised when what records show changes
# for all of them at once without raising their versions: a new member (such as
# `concepts.languages`), or data a migration adds. Without it a cache holding a tag from
# before an upgrade would revalidate to the old body. tests/test_etags.py keeps a digest
# of the record schemas, and fails when they change while this stays.
REPRESENTATION = 2


# The tag of a record's JSON-LD adds this to the tag of its JSON (app.formats.jsonld).
LINKED_DATA = "-jsonld"


def record_etag(
    resource: Resource | str,
    record_id: int,
    version: int,
    lang: str = DEFAULT,
    representation: str = "",
) -> str:
    """The strong ETag of a record's representation: its identity, version and generation,
    a `representation` other than JSON (`LINKED_DATA`), and the language of its labels where
    that is not German (`"organisation-42-v3-r2-en"`, `"organisation-42-v3-r2-jsonld-en"`).

    A record's version rises whenever anything it shows changes (app.writes), and the
    generation whenever the shape of all of them does, so the tag changes exactly
    then; the tag read from any coding or language of a GET is one `If-Match` takes
    back (app.http_cache.if_match).
    """
    suffix = representation + ("" if lang == DEFAULT else f"-{lang}")
    return f'"{resource}-{record_id}-v{version}-r{REPRESENTATION}{suffix}"'


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
    # The tag of either representation (and, by if_match, any language and coding) is the
    # same state of the record.
    linked_data = record_etag(resource, stored_id(record), record.version, DEFAULT, LINKED_DATA)
    if not (if_match(header, current) or if_match(header, linked_data)):
        raise PreconditionFailed(record.version, current)
