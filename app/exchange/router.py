"""The whole directory over HTTP, for admin keys: `GET /export` and `POST /import`."""

from collections.abc import AsyncIterator, Generator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import StreamingResponse

from app.deps import get_app_settings
from app.editing import JSON, change_source, read_json, request_body
from app.errors import PROBLEM_RESPONSES, Problem
from app.exchange.export import export_chunks, in_blocks
from app.exchange.importing import ImportReport, Mode, import_directory
from app.exchange.schemas import DirectoryFile, ImportResult
from app.keys.auth import AUTH_RESPONSES, AdminDep
from app.reading import JsonResponse, ReaderDep
from app.writes import Author

router = APIRouter(tags=["exchange"])

ADMIN_ONLY = "Needs an API key with scope `admin`."
FILE_NAME = "wegweiser-sachsen.json"


@router.get(
    "/export",
    summary="The whole directory as one file",
    description=f"{ADMIN_ONLY} Every record that is not deleted, in the service's own format "
    "(`DirectoryFile`; `python -m app export` writes the same bytes), read from one state of "
    "the database. `POST /import` reads it back: exporting what an import of it wrote into "
    "an empty database gives the same bytes.",
    response_model=DirectoryFile,
    responses={**AUTH_RESPONSES, **PROBLEM_RESPONSES},
)
async def export(_admin: AdminDep, reader: ReaderDep) -> Response:
    blocks = _blocks(reader.engine)
    # The first block is read before anything is sent: a failing database is still a problem.
    first = await anyio.to_thread.run_sync(next, blocks)

    async def body() -> AsyncIterator[bytes]:
        try:
            yield first
            while (block := await anyio.to_thread.run_sync(next, blocks, None)) is not None:
                yield block
        finally:  # also when the client goes away: the session is closed at once
            await anyio.to_thread.run_sync(blocks.close)

    return StreamingResponse(
        body(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{FILE_NAME}"',
            "Cache-Control": "no-store",
        },
    )


def _blocks(engine: Engine) -> Generator[bytes, None, None]:
    """The export, in blocks, read in a session of its own that lives as long as the stream."""
    with Session(engine) as session:
        yield from in_blocks(export_chunks(session))


@router.post(
    "/import",
    summary="Read a whole directory file",
    description=f"{ADMIN_ONLY} The body is a file as `GET /export` writes it. The whole file "
    "is checked first and written in one transaction, through the same write path as every "
    "edit (history and change feed record it, under the key's name): a file that does not "
    "fit changes nothing, and the 422 names each wrong field by its place in the file and "
    "its record. Records are matched by their keys (slugs; a contact by its organisation, "
    "kind and value; a relation by its ends and type) and made what the file says, deleted "
    "ones brought back; the file wins over edits made since. `mode=merge` keeps what the "
    "database holds beyond the file; `mode=replace` deletes it. An organisation's contacts "
    "in the file are all of its contacts in either mode.",
    response_model=ImportResult,
    responses={
        **AUTH_RESPONSES,
        **PROBLEM_RESPONSES,
        409: {"model": Problem, "description": "Another write changed a record at that moment"},
        413: {"model": Problem, "description": "Larger than `WEGWEISER_MAX_IMPORT_BYTES`"},
        415: {"model": Problem, "description": "The body is not `application/json`"},
    },
    openapi_extra=request_body(DirectoryFile, JSON),
)
async def import_file(
    request: Request,
    admin: AdminDep,
    reader: ReaderDep,
    note: Annotated[str | None, Depends(change_source)],
    mode: Annotated[
        Mode,
        Query(
            description="`merge`: keep what is not in the file; `replace`: delete it.",
            examples=["merge"],
        ),
    ] = Mode.merge,
) -> Response:
    data: Any = await read_json(request, [JSON], get_app_settings(request).max_import_bytes)
    author = Author(admin.name, note or f"Import ({mode.value})")

    def write(session: Session) -> ImportReport:
        return import_directory(session, author, data, mode)

    report = await reader.run_apart(write)
    return JsonResponse(report.as_dict(), headers={"Cache-Control": "no-store"})
