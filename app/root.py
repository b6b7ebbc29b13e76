"""The entry point of the API: what is here and where the data comes from."""

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import Session, col

from app.deps import BaseUrlDep
from app.reading import ReaderDep
from app.sources.models import SourceDocument
from app.sources.schemas import SourcePublic
from app.sources.service import public_source

router = APIRouter(tags=["meta"])


class Index(BaseModel):
    name: str = Field(examples=["Wegweiser Sachsen"])
    description: str
    links: dict[str, str] = Field(
        examples=[{"organisations": "http://127.0.0.1:8000/organisations"}]
    )
    sources: list[SourcePublic]


@router.get("/", summary="API index", response_model=Index)
async def index(reader: ReaderDep, base: BaseUrlDep) -> Index:
    return await reader.run(_index, base)


def _index(session: Session, base: str) -> Index:
    sources = session.execute(select(SourceDocument).order_by(col(SourceDocument.id))).scalars()
    return Index(
        name="Wegweiser Sachsen",
        description="Wer macht was, wo: Initiativen, Netzwerke und Gremien "
        "im Themenfeld Asyl und Flüchtlinge in Sachsen.",
        links={
            "organisations": f"{base}/organisations",
            "networks": f"{base}/networks",
            "regions": f"{base}/regions",
            "contacts": f"{base}/contacts",
            "relations": f"{base}/relations",
            "changes": f"{base}/changes",
            "vocabularies": f"{base}/vocabularies",
            # An RFC 6570 URI template: /search needs q.
            "search": f"{base}/search{{?q,type}}",
            "docs": f"{base}/docs",
            "openapi": f"{base}/openapi.json",
        },
        sources=[public_source(s) for s in sources],
    )
