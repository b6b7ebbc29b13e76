"""Who is calling: dependencies for routes that need an API key.

`WriterDep` and `AdminDep` check `Authorization: Bearer <key>` and give the
route the `Actor`; the key's name is what the change log records. The secret
itself goes nowhere: not into errors, logs or responses.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.errors import Forbidden, Problem, Unauthorized
from app.keys import service
from app.keys.models import Scope

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    bearerFormat="wgw_<lookup>_<secret>",
    description="An API key, sent as `Authorization: Bearer wgw_…`. Writing needs a key with "
    "scope `write`, managing keys one with `admin` (which includes `write`). "
    "Administrators create keys with `python -m app keys create`.",
)


@dataclass(frozen=True)
class Actor:
    """The holder of a valid key: its name and the scopes it grants (`admin` includes `write`)."""

    name: str
    scopes: frozenset[str]


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller's key, checked against the database; `Unauthorized` without a valid one."""
    if credentials is None:
        if request.headers.get("Authorization"):
            raise Unauthorized("The Authorization header must be 'Bearer <API key>'.")
        raise Unauthorized("This operation needs an API key: send 'Authorization: Bearer <key>'.")
    return await request.app.state.reader.run_apart(_actor, credentials.credentials)  # type: ignore[no-any-return]


def _actor(session: Session, token: str) -> Actor:
    key = service.authenticate(session, token)
    return Actor(name=key.name, scopes=frozenset(service.granted_scopes(key.scopes)))


@cache  # one dependency per scope, so FastAPI runs it once per request however often it is used
def require_scope(scope: Scope) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency giving the `Actor` if its key grants `scope`, else `Forbidden`."""

    async def authorised(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if scope not in actor.scopes:
            held = ", ".join(sorted(actor.scopes)) or "none"
            raise Forbidden(
                f"This operation needs an API key with scope '{scope}'; "
                f"the key {actor.name!r} has: {held}."
            )
        return actor

    return authorised


WriterDep = Annotated[Actor, Depends(require_scope(Scope.write))]
AdminDep = Annotated[Actor, Depends(require_scope(Scope.admin))]

# For the `responses` of every operation that takes `WriterDep` or `AdminDep`.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {
        "model": Problem,
        "description": "No API key, or one that is unknown, expired or revoked",
        "headers": {
            "WWW-Authenticate": {
                "description": 'The challenge: `Bearer realm="wegweiser"`, with '
                '`error="invalid_token"` when the key sent is not valid.',
                "schema": {"type": "string"},
            }
        },
    },
    403: {"model": Problem, "description": "The key lacks the scope the operation needs"},
}
