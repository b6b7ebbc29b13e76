"""UUIDs of records for formats that need them (vCard `UID`, and the like): derived from
the record's stable key, so they stay the same across hosts, reseeds, exports and
imports, and never name two records."""

import uuid

# Chosen once for this directory and never to change: every derived UUID depends on it.
NAMESPACE = uuid.UUID("ff3c61a2-ae3e-4f74-b113-d55a3f64327d")


def record_uuid(resource: str, key: str | int) -> uuid.UUID:
    """The UUIDv5 of a record by its kind and stable key: `("organisation", "bon-courage")`,
    `("contact", 12)`."""
    return uuid.uuid5(NAMESPACE, f"{resource}/{key}")


def contact_key(organisation_slug: str, kind: str, value: str) -> str:
    """A contact's stable key: its organisation, kind and value in any case, as an import
    matches it (its database id differs from database to database)."""
    return f"{organisation_slug}/{kind}/{value.lower()}"
