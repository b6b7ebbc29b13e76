from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class HistoryEntry(BaseModel):
    """One version of a record: what changed, when, by which key, and why."""

    version: int = Field(examples=[3])
    action: str = Field(examples=["updated"], description="`created`, `updated` or `deleted`.")
    changed_at: datetime
    actor: str = Field(
        examples=["redaktion-leipzig"],
        description="The name of the API key that wrote it (`seed` for the seed loader).",
    )
    source: str | None = Field(
        examples=["Telefonat mit dem Träger, 2026-11-30"],
        description="The editor's note on where the change comes from (`Change-Source`).",
    )
    changes: dict[str, Any] = Field(
        examples=[{"short_name": {"before": None, "after": "RLC Leipzig"}}],
        description="Each field that changed, with its value before and after.",
    )


class FeedItem(BaseModel):
    """One change in the directory's change feed, in commit order."""

    position: int = Field(examples=[1234], description="Rises with every change.")
    resource: str = Field(
        examples=["organisation"], description="`organisation`, `region`, `contact`, `relation`."
    )
    action: str = Field(examples=["updated"], description="`created`, `updated` or `deleted`.")
    key: str = Field(
        examples=["bon-courage"],
        description="Slug (a region's too, which outlasts a change of its code) or id: "
        "the same for every change of a record.",
    )
    version: int = Field(examples=[4])
    changed_at: datetime
    url: str = Field(
        examples=["http://127.0.0.1:8000/organisations/bon-courage"],
        description="The record now; a deleted one answers 410.",
    )
