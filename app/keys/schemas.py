from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.keys.models import ApiKey, Scope
from app.keys.service import NAME_MAX_LENGTH, KeyState, granted_scopes, key_state

NAME_RULES = (
    f"1 to {NAME_MAX_LENGTH} letters, digits and `-`, `_`, `.`, `@` or spaces, starting with "
    "a letter or digit. Unique for good: the name of a revoked key is not given again."
)


def _text_only(value: object) -> object:
    # Pydantic would take a JSON number for seconds since 1970: no one means that by a date.
    if not isinstance(value, str | date):
        raise PydanticCustomError("iso_date", "Input should be an ISO 8601 date or date and time")
    return value


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        description=f"Who holds the key; the change log names it as the author. {NAME_RULES}",
        examples=["redaktion-leipzig"],
    )
    scopes: list[Scope] = Field(
        min_length=1,
        description="`write`: create, change and delete records; `admin`: manage keys too "
        "(includes `write`).",
        examples=[["write"]],
    )
    expires_at: Annotated[date | datetime | None, BeforeValidator(_text_only)] = Field(
        default=None,
        description="When the key stops working; none: never. A date means valid through that "
        "day in UTC (`2027-06-30`: until 2027-07-01T00:00:00Z); a time without an offset is UTC.",
        examples=["2027-06-30"],
    )


class KeyPublic(BaseModel):
    """A key as anyone with `admin` may see it: never its secret or hash."""

    name: str = Field(examples=["redaktion-leipzig"])
    url: str = Field(examples=["http://127.0.0.1:8000/keys/redaktion-leipzig"])
    scopes: list[Scope] = Field(examples=[["write"]])
    state: KeyState = Field(examples=["active"])
    created_at: datetime = Field(examples=["2026-12-01T09:30:00Z"])
    expires_at: datetime | None = Field(examples=["2027-07-01T00:00:00Z"])
    revoked_at: datetime | None = Field(examples=[None])

    @classmethod
    def of(cls, key: ApiKey, url: str) -> "KeyPublic":
        return cls(
            name=key.name,
            url=url,
            scopes=[Scope(s) for s in granted_scopes(key.scopes)],
            state=key_state(key),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )


class KeyCreated(KeyPublic):
    secret: str = Field(
        description="The key itself, for `Authorization: Bearer …`. Shown this once only: "
        "the service keeps nothing but a salted hash of it.",
        examples=["wgw_3f9a1c0d7b2e_kQ8x…"],
    )
