from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import BaseUrlDep
from app.errors import PROBLEM_RESPONSES
from app.pagination import PageDep, SearchPage, paged
from app.reading import ReaderDep
from app.search import service
from app.search.query import MAX_QUERY_LENGTH
from app.search.schemas import HitType, SearchHit

router = APIRouter(prefix="/search", tags=["search"])

SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Words to find, in any case, with umlauts or without (`Goerlitz` finds "
        "Görlitz, `Strasse` Straße): all must occur; the last may be the start of a word. "
        "Punctuation and operators are ignored.",
        examples=["Opferberatung Chemnitz"],
    ),
]


@router.get(
    "",
    summary="Search everything",
    description="Organisations, networks, regions and contacts whose names or texts hold "
    "every word of `q`, best match first (ties by type, then id), each with a highlighted "
    "snippet. Cursor-paginated like every list.",
    response_model=SearchPage[SearchHit],
    responses=PROBLEM_RESPONSES,
)
async def search_directory(
    request: Request,
    reader: ReaderDep,
    base: BaseUrlDep,
    page: PageDep,
    q: SearchText,
    types: Annotated[
        list[HitType],
        Query(
            alias="type",
            description="Only hits of this type; repeat for several.",
            examples=["network"],
        ),
    ] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    window = await reader.run(service.search, service.parse_query(q), types, page, base)
    return paged(request, window, page)
