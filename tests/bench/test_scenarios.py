"""The benchmark's scenarios ask for what they mean to on the synthetic directory."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from bench import synthetic
from bench.databases import Database
from bench.scenarios import (
    DEEP_PAGE,
    KREIS_LIST,
    LIST,
    ORDER,
    SEARCH_BROAD,
    SEARCH_SELECTIVE,
    scenarios,
)

SIZE = 1_000


def test_every_scenario_answers_and_the_searches_are_as_broad_as_named(
    migrated_database: str, client_for: Callable[[str], TestClient]
) -> None:
    synthetic.generate(migrated_database, SIZE, seed=42)
    planned = {s.name: s for s in scenarios(Database(migrated_database, SIZE, None))}
    assert tuple(planned) == ORDER
    client = client_for(migrated_database)
    bodies = {}
    for name, scenario in planned.items():
        for path in scenario.paths[:3]:
            response = client.get(path)
            assert response.status_code == 200, (name, path, response.text)
        bodies[name] = client.get(scenario.paths[0]).json()
    assert bodies[LIST]["total"] == SIZE
    assert 0 < bodies[KREIS_LIST]["total"] < SIZE / 4
    assert bodies[SEARCH_BROAD]["total"] > SIZE / 3
    assert 1 <= bodies[SEARCH_SELECTIVE]["total"] <= 10
    assert bodies[DEEP_PAGE]["items"]
