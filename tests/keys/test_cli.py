"""`python -m app keys …`: in-process through `app.cli.main`, and once as a real process."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings, get_settings
from tests.auth import bearer
from tests.databases import ROOT


@pytest.fixture
def database(seeded_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's database as the CLI finds it: WEGWEISER_DATABASE_URL, read afresh."""
    monkeypatch.setenv("WEGWEISER_DATABASE_URL", seeded_database)
    get_settings.cache_clear()
    yield seeded_database
    get_settings.cache_clear()


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(database: str, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def create(run: Run, name: str, *options: str) -> str:
    """A key made with `keys create`: its secret."""
    code, out, err = run("keys", "create", "--name", name, *(options or ("--scope", "write")))
    assert code == 0, err
    return out.splitlines()[-1]


def test_create_prints_the_secret_alone_on_the_last_line(
    run: Run, database: str, client_for: Callable[[str], TestClient]
) -> None:
    code, out, err = run("keys", "create", "--name", "redaktion", "--scope", "admin")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) > 1
    assert "redaktion" in lines[0]
    assert "admin" in lines[0]
    secret = lines[-1]
    assert secret.startswith("wgw_")
    assert secret == secret.strip()
    assert client_for(database).get("/keys", headers=bearer(secret)).status_code == 200


def test_create_with_an_expiry_date_and_several_scopes(run: Run) -> None:
    options = ("--scope", "write", "--scope", "admin", "--expires", "2099-06-30")
    create(run, "bis-juni", *options)
    _, listing, _ = run("keys", "list")
    (row,) = [line for line in listing.splitlines() if line.startswith("bis-juni")]
    name, scopes, state, _, expires, revoked = row.split()
    assert (name, scopes, state) == ("bis-juni", "write,admin", "active")
    assert (expires, revoked) == ("2099-07-01T00:00Z", "-")


def test_list_shows_a_table_without_secrets(run: Run) -> None:
    assert run("keys", "list")[:2] == (0, "No API keys.\n")
    secrets = [create(run, name) for name in ("a-key", "b-key")]
    run("keys", "revoke", "b-key")
    code, out, _ = run("keys", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "SCOPES", "STATE", "CREATED", "EXPIRES", "REVOKED"]
    assert [row.split()[:3] for row in rows] == [
        ["a-key", "write", "active"],
        ["b-key", "write", "revoked"],
    ]
    for secret in secrets:
        assert secret.split("_", 2)[2] not in out


def test_revoke_stops_the_key(
    run: Run, database: str, client_for: Callable[[str], TestClient]
) -> None:
    secret = create(run, "weg", "--scope", "admin")
    code, out, err = run("keys", "revoke", "weg")
    assert (code, err) == (0, "")
    assert "revoked" in out
    response = client_for(database).get("/keys", headers=bearer(secret))
    assert response.status_code == 401
    assert run("keys", "revoke", "weg")[0] == 0  # again: nothing changes


CREATE = ("keys", "create", "--scope", "write", "--name")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((*CREATE, "doppelt"), "exists already"),
        ((*CREATE, "x", "--expires", "2099-13-01"), "--expires: '2099-13-01' is not a date"),
        ((*CREATE, "x", "--expires", "2020-01-01"), "--expires: must be in the future"),
        ((*CREATE, " x"), "--name: "),
        (("keys", "revoke", "gibt-es-nicht"), "No API key with name 'gibt-es-nicht'."),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_1(
    run: Run, argv: tuple[str, ...], message: str
) -> None:
    create(run, "doppelt")
    code, out, err = run(*argv)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert message in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_usage_errors_are_argparse_s_exit_code_2(run: Run) -> None:
    code, _, err = run("keys", "create", "--name", "x", "--scope", "read")
    assert code == 2
    assert "invalid choice: 'read'" in err
    assert run("keys")[0] == 2
    assert run("keys", "--help")[0] == 0


def test_a_database_without_the_schema_is_a_clear_error(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["keys", "list"], settings=Settings(database_url=empty_database))
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: the database failed: ")
    assert "api_key" in err
    assert len(err.splitlines()) == 1


def test_python_m_app_creates_a_key_that_authenticates(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    env = {**os.environ, "WEGWEISER_DATABASE_URL": seeded_database, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys", "create", "--name", "prozess", "--scope", "admin"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    secret = result.stdout.splitlines()[-1]
    response = client_for(seeded_database).get("/keys", headers=bearer(secret))
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["prozess"]
