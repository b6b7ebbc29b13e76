"""app.speedups: FastAPI's per-type answers remembered, and the same answers as FastAPI's own."""

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app import speedups


def test_the_speedup_is_in_place_with_the_pinned_fastapi() -> None:
    # Fails when FastAPI moves the function: the service still works, but pays again.
    assert speedups.install()


def test_remembered_answers_are_fastapi_s_own(client: TestClient) -> None:
    assert speedups._ORIGINAL is not None
    checked = 0
    routes = [
        route
        for included in client.app.routes  # type: ignore[attr-defined]
        for route in getattr(getattr(included, "original_router", None), "routes", [])
        if isinstance(route, APIRoute)
    ]
    for route in routes:
        fields = [*route.dependant.query_params, *route.dependant.path_params]
        for dependency in route.dependant.dependencies:
            fields += dependency.query_params
        for field in fields:
            annotation = field.field_info.annotation
            assert speedups._remembered(annotation) == speedups._ORIGINAL(annotation), field
            assert speedups._remembered(annotation) == speedups._ORIGINAL(annotation), field
            checked += 1
    assert checked > 100
