"""What every request body shares: unknown fields refused, and the common text types."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
"""A reference to another record: a slug, or a region's code or slug."""


class Input(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")
