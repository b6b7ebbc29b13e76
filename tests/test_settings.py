"""Settings come from WEGWEISER_* variables and refuse values the service cannot work with."""

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_settings_are_read_from_prefixed_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEGWEISER_PAGE_SIZE_DEFAULT", "20")
    monkeypatch.setenv("WEGWEISER_RESPONSE_CACHE_BYTES", "0")
    settings = Settings()
    assert settings.page_size_default == 20
    assert settings.response_cache_bytes == 0


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"page_size_default": 300, "page_size_max": 200}, "page_size_default"),
        ({"page_size_default": 0}, "page_size_default"),
        ({"page_size_max": 0}, "page_size_max"),
        ({"cache_max_age": -1}, "cache_max_age"),
        ({"response_cache_bytes": -1}, "response_cache_bytes"),
    ],
)
def test_unworkable_values_are_refused_by_name(values: dict[str, int], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**values)  # type: ignore[arg-type]
