from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, Response, status

from app.deps import BaseUrlDep
from app.errors import PROBLEM_RESPONSES, Problem
from app.keys import service
from app.keys.auth import AUTH_RESPONSES, AdminDep
from app.keys.models import ApiKey
from app.keys.schemas import KeyCreate, KeyCreated, KeyPublic
from app.keys.service import NAME_MAX_LENGTH
from app.pagination import Page, PageDep, Window, paged
from app.reading import ReaderDep


async def no_store(response: Response) -> None:
    """Keys are nobody's to keep: no cache may store any answer about them."""
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/keys", tags=["keys"], dependencies=[Depends(no_store)])

RESPONSES: dict[int | str, dict[str, Any]] = {**AUTH_RESPONSES, **PROBLEM_RESPONSES}
ADMIN_ONLY = "Needs an API key with scope `admin`."

KeyName = Annotated[
    str,
    Path(max_length=NAME_MAX_LENGTH, description="The key's name.", examples=["redaktion-leipzig"]),
]


def key_url(base: str, name: str) -> str:
    return f"{base}/keys/{quote(name, safe='@')}"


def _public(key: ApiKey, base: str) -> KeyPublic:
    return KeyPublic.of(key, key_url(base, key.name))


@router.post(
    "",
    summary="Create an API key",
    description=f"{ADMIN_ONLY} The answer holds the key's `secret`, shown this once only: "
    "store it at once, the service keeps only a salted hash.",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    responses={**RESPONSES, 409: {"model": Problem, "description": "The name is taken"}},
)
async def create_key(
    body: KeyCreate, _admin: AdminDep, reader: ReaderDep, base: BaseUrlDep, response: Response
) -> KeyCreated:
    key, secret = await reader.run_apart(
        service.create_key, body.name, body.scopes, body.expires_at
    )
    public = _public(key, base)
    response.headers["Location"] = public.url
    return KeyCreated(**public.model_dump(), secret=secret)


@router.get(
    "",
    summary="List API keys",
    description=f"{ADMIN_ONLY} Every key by name, expired and revoked ones included; "
    "never a secret.",
    response_model=Page[KeyPublic],
    responses=RESPONSES,
)
async def list_keys(
    request: Request,
    _admin: AdminDep,
    reader: ReaderDep,
    base: BaseUrlDep,
    page: PageDep,
) -> Response:
    window = await reader.run_apart(service.list_keys, page)
    keys = Window([_public(key, base) for key in window.rows], window.total, window.next_cursor)
    answer = paged(request, keys, page)
    answer.headers["Cache-Control"] = "no-store"  # a Response of its own: out of `no_store`'s reach
    return answer


@router.get(
    "/{name}",
    summary="Get one API key",
    description=f"{ADMIN_ONLY} Its scopes, state and times; never its secret.",
    response_model=KeyPublic,
    responses=RESPONSES,
)
async def get_key(
    name: KeyName, _admin: AdminDep, reader: ReaderDep, base: BaseUrlDep
) -> KeyPublic:
    return _public(await reader.run_apart(service.get_key, name), base)


@router.delete(
    "/{name}",
    summary="Revoke an API key",
    description=f"{ADMIN_ONLY} The key stops working at once and for good; it stays listed as "
    "`revoked`, and its name is not given again. Revoking a revoked key changes nothing.",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=RESPONSES,
)
async def revoke_key(name: KeyName, _admin: AdminDep, reader: ReaderDep) -> None:
    await reader.run_apart(service.revoke_key, name)
