from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.changes import service
from app.changes.schemas import FeedItem
from app.deps import BaseUrlDep
from app.errors import PROBLEM_RESPONSES
from app.pagination import LimitParam, Page, PageRequest, checked_limit, paged
from app.reading import ReaderDep

router = APIRouter(prefix="/changes", tags=["changes"])


@router.get(
    "",
    summary="The change feed",
    description="Every create, update and delete of every record, in commit order, from the "
    "first load of the seed on. `links.next` is on every page, the last included: store it "
    "and ask it again later to get exactly the changes committed since, none skipped and "
    "none twice. Each item links to the record (a deleted one answers 410).",
    response_model=Page[FeedItem],
    responses=PROBLEM_RESPONSES,
)
async def list_changes(
    request: Request,
    reader: ReaderDep,
    base: BaseUrlDep,
    limit: LimitParam = None,
    since: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="A cursor from `links.next`: the changes after it. Without: from the "
            "first.",
            examples=[""],
        ),
    ] = None,
) -> Response:
    page = PageRequest(checked_limit(request, limit), since)
    window = await reader.run(service.feed, since, page.limit, base)
    return paged(request, window, page, cursor_name="since")
