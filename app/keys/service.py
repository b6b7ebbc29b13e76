"""Creating, checking and revoking API keys.

A key's secret reads `wgw_<lookup>_<secret>`. The lookup finds the row; the
secret is checked against an HMAC-SHA256 of it under the key's own random salt.
The secret itself is never stored: whoever reads the database cannot write.

Every function runs its own transaction on the fresh session it is given and
returns records detached from it, their values loaded.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import as_utc, utc_now
from app.errors import Conflict, InvalidBody, NotFound, Unauthorized
from app.keys.models import ApiKey, Scope
from app.pagination import PageRequest, SortKey, Window, fetch_window

PREFIX = "wgw"
LOOKUP_HEX_CHARS = 12
SECRET_BYTES = 32
SALT_BYTES = 16

# token_urlsafe(32) gives 43 characters of the URL-safe alphabet, underscores included.
_TOKEN = re.compile(rf"{PREFIX}_([0-9a-f]{{{LOOKUP_HEX_CHARS}}})_([A-Za-z0-9_-]{{43}})")
# Letters, digits and `-_.@ `, starting with a letter or digit and not ending in a space:
# the name is the actor in the change log and part of the key's URL.
_NAME = re.compile(r"[^\W_](?:[\w.@ -]{0,98}[\w.@-])?")
NAME_MAX_LENGTH = 100

# Compared against when the lookup finds no key, so the answer takes as long either way.
_DUMMY_SALT = "0" * (2 * SALT_BYTES)
_DUMMY_HASH = "0" * 64

ORDER = SortKey("name", (col(ApiKey.name),), (False,), (str,))


class KeyState(StrEnum):
    active = "active"
    expired = "expired"
    revoked = "revoked"


def key_state(key: ApiKey, now: datetime | None = None) -> KeyState:
    if key.revoked_at is not None:
        return KeyState.revoked
    if key.expires_at is not None and key.expires_at <= (now or utc_now()):
        return KeyState.expired
    return KeyState.active


def granted_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes a key holds, in `Scope` order: `admin` brings `write` with it."""
    held = set(scopes)
    if Scope.admin in held:
        held.add(Scope.write)
    return [scope.value for scope in Scope if scope in held]


def expiry(value: date | datetime) -> datetime:
    """When a key given this expiry stops working.

    A date means the key is valid through that day in UTC: `2027-06-30`
    expires at 2027-07-01T00:00Z. A time without an offset is taken as UTC.
    """
    try:
        if isinstance(value, datetime):
            return as_utc(value)
        return datetime.combine(value + timedelta(days=1), time(), tzinfo=UTC)
    except OverflowError:  # 9999-12-31 has no next day
        raise InvalidBody.field("expires_at", "must be before the year 9999") from None


def create_key(
    session: Session,
    name: str,
    scopes: Iterable[str],
    expires_at: date | datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret, which exists only in this return value."""
    _check_name(name)
    granted = _check_scopes(scopes)
    ends = expiry(expires_at) if expires_at is not None else None
    if ends is not None and ends <= utc_now():
        raise InvalidBody.field("expires_at", "must be in the future")

    lookup = secrets.token_hex(LOOKUP_HEX_CHARS // 2)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    salt = secrets.token_hex(SALT_BYTES)
    key = ApiKey(
        name=name,
        lookup=lookup,
        salt=salt,
        secret_hash=_hash(salt, secret),
        scopes=granted,
        expires_at=ends,
    )
    try:
        with session.begin():
            if _find(session, name) is not None:
                raise _name_taken(name)
            session.add(key)
            session.flush()
            session.expunge(key)
    except IntegrityError:
        # Another transaction created the name between the check and the insert.
        raise _name_taken(name) from None
    return key, f"{PREFIX}_{lookup}_{secret}"


def authenticate(session: Session, token: str) -> ApiKey:
    """The active key whose secret `token` is; `Unauthorized` for any other token."""
    invalid = Unauthorized("The API key is not valid.", error="invalid_token")
    found = _TOKEN.fullmatch(token)
    if found is None:
        raise invalid
    lookup, secret = found.groups()
    with session.begin():
        key = session.exec(select(ApiKey).where(col(ApiKey.lookup) == lookup)).first()
        if key is not None:
            session.expunge(key)
    salt, expected = (key.salt, key.secret_hash) if key else (_DUMMY_SALT, _DUMMY_HASH)
    matches = hmac.compare_digest(_hash(salt, secret), expected)
    if key is None or not matches:
        raise invalid
    state = key_state(key)
    if state is KeyState.revoked:
        raise Unauthorized("The API key has been revoked.", error="invalid_token")
    if state is KeyState.expired:
        raise Unauthorized("The API key has expired.", error="invalid_token")
    return key


def list_keys(session: Session, page: PageRequest | None = None) -> Window[ApiKey]:
    """Keys by name, revoked and expired ones included: one page of them, or all."""
    with session.begin():
        if page is None:
            rows = list(session.exec(select(ApiKey).order_by(*ORDER.order_by())).all())
            window = Window(rows, len(rows), None)
        else:
            found = fetch_window(session, select(ApiKey), ORDER, page, records=True)
            window = Window([row[0] for row in found.rows], found.total, found.next_cursor)
        session.expunge_all()
    return window


def get_key(session: Session, name: str) -> ApiKey:
    with session.begin():
        key = _find(session, name)
        if key is None:
            raise NotFound("API key", "name", name)
        session.expunge(key)
    return key


def revoke_key(session: Session, name: str) -> ApiKey:
    """Revoke a key for good; revoking it again keeps the first time."""
    with session.begin():
        key = _find(session, name)
        if key is None:
            raise NotFound("API key", "name", name)
        if key.revoked_at is None:
            key.revoked_at = utc_now()
            session.flush()
        session.expunge(key)
    return key


def _find(session: Session, name: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(col(ApiKey.name) == name)).first()


def _hash(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidBody.field(
            "name",
            f"1 to {NAME_MAX_LENGTH} letters, digits and '-', '_', '.', '@' or spaces, "
            "starting with a letter or digit and not ending in a space",
        )


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    given = list(scopes)
    known = {scope.value for scope in Scope}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidBody.field(
            "scopes", f"unknown scope(s) {', '.join(unknown)}; use {', '.join(sorted(known))}"
        )
    if not given:
        raise InvalidBody.field("scopes", "at least one scope is needed")
    return granted_scopes(given)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"An API key named {name!r} exists already; names are never reused.")
