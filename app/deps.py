"""Dependencies shared by the routers."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.config import Settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


def get_base_url(request: Request) -> str:
    """The public base URL for links in responses (configurable behind a proxy)."""
    return (get_app_settings(request).base_url or str(request.base_url)).rstrip("/")


BaseUrlDep = Annotated[str, Depends(get_base_url)]
