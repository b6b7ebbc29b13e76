from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field


@dataclass(kw_only=True, slots=True)
class HistoryEntry:
    """One version of a record: what changed, when, by which key, and why."""

    version: Annotated[int, Field(examples=[3])]
    action: Annotated[
        str, Field(examples=["updated"], description="`created`, `updated` or `deleted`.")
    ]
    changed_at: datetime
    actor: Annotated[
        str,
        Field(
            examples=["redaktion-leipzig"],
            description="The name of the API key that wrote it (`seed` for the seed loader).",
        ),
    ]
    source: Annotated[
        str | None,
        Field(
            examples=["Telefonat mit dem Träger, 2026-11-30"],
            description="The editor's note on where the change comes from (`Change-Source`).",
        ),
    ]
    changes: Annotated[
        dict[str, Any],
        Field(
            examples=[{"short_name": {"before": None, "after": "RLC Leipzig"}}],
            description="Each field that changed, with its value before and after.",
        ),
    ]


@dataclass(kw_only=True, slots=True)
class FeedItem:
    """One change in the directory's change feed, in commit order."""

    position: Annotated[int, Field(examples=[1234], description="Rises with every change.")]
    resource: Annotated[
        str,
        Field(
            examples=["organisation"],
            description="`organisation`, `region`, `contact`, `relation`.",
        ),
    ]
    action: Annotated[
        str, Field(examples=["updated"], description="`created`, `updated` or `deleted`.")
    ]
    key: Annotated[
        str,
        Field(
            examples=["bon-courage"],
            description="Slug (a region's too, which outlasts a change of its code) or id: "
            "the same for every change of a record.",
        ),
    ]
    version: Annotated[int, Field(examples=[4])]
    changed_at: datetime
    url: Annotated[
        str,
        Field(
            examples=["http://127.0.0.1:8000/organisations/bon-courage"],
            description="The record now; a deleted one answers 410.",
        ),
    ]
