"""Source documents: where every fact in the directory comes from."""

from datetime import date

from sqlmodel import Field

from app.db import Tracked, json_list_column


class SourceDocument(Tracked, table=True):
    __tablename__ = "source_document"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=300)
    subtitle: str | None = Field(default=None, max_length=500)
    published_on: date
    authors: list[str] = json_list_column()
    publisher: str = Field(max_length=300)
    file_name: str = Field(max_length=300)
