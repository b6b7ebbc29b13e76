from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All runtime configuration, read from `WEGWEISER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WEGWEISER_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'wegweiser.sqlite3'}"
    database_echo: bool = False
    # Public base URL used in links; empty means "derive from the request".
    base_url: str = ""
    page_size_default: int = Field(default=50, ge=1)
    page_size_max: int = Field(default=200, ge=1)
    cache_max_age: int = Field(default=300, ge=0)
    # Finished responses kept in memory per process until the data changes; 0 turns it off.
    response_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # Largest request body a write takes; larger ones are a 413.
    max_body_bytes: int = Field(default=256 * 1024, ge=1)
    # Largest directory file `POST /import` takes (the seed's is about 190 KB).
    max_import_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    # Worker threads that run reads (app.reading); unset: 2 on SQLite, whose reads hold the
    # GIL but for the time in the database, 8 on PostgreSQL, whose reads wait on the network.
    read_threads: int | None = Field(default=None, ge=1, le=64)
    # Whether reads remember what they computed until the next write (app.memo). Off, every
    # request reads everything from the database: to measure that cost, or to rule out the
    # memo when tracking a fault down.
    read_memo: bool = True
    # Origins whose browser apps may write (CORS); reading is open to every origin.
    # As an environment variable: a JSON list, e.g. '["https://beratung.example"]'.
    cors_write_origins: list[str] = []

    @model_validator(mode="after")
    def default_page_fits(self) -> Self:
        if self.page_size_default > self.page_size_max:
            raise ValueError(
                f"page_size_default ({self.page_size_default}) exceeds "
                f"page_size_max ({self.page_size_max})"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
