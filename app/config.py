from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All runtime configuration, read from `WEGWEISER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WEGWEISER_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'wegweiser.sqlite3'}"
    database_echo: bool = False
    # Public base URL used in links; empty means "derive from the request".
    base_url: str = ""
    page_size_default: int = 50
    page_size_max: int = 200
    cache_max_age: int = 300
    # Finished responses kept in memory per process until the data changes; 0 turns it off.
    response_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
