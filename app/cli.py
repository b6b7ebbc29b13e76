"""The operator's command line: `python -m app …` (or `wegweiser …`).

    python -m app keys create --name redaktion-leipzig --scope write [--expires 2027-06-30]
    python -m app keys list
    python -m app keys revoke redaktion-leipzig
    python -m app export [FILE]                  # the whole directory as JSON (stdout: -)
    python -m app import FILE [--replace]        # read one such file (- : stdin)
    python -m app export --format hsds DIRECTORY [--base-url https://wegweiser.example]

Each command is a subparser whose `run` default takes the parsed arguments and
the settings and returns the exit code; a new command adds itself in `parser()`.
Bad input is one line on stderr and exit code 1, never a traceback.
"""

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import DomainError, InvalidBody
from app.exchange.export import export_chunks, in_blocks
from app.exchange.importing import InvalidFile, Mode, import_directory
from app.hsds import mapping, package
from app.keys import service
from app.keys.models import ApiKey, Scope
from app.writes import Author

Command = Callable[[argparse.Namespace, Settings], int]

# The options of `keys create` for the fields the service names in its errors.
OPTIONS = {"name": "--name", "scopes": "--scope", "expires_at": "--expires"}


class CommandError(Exception):
    """Bad input found by a command itself: printed as `error: …`, exit code 1."""


@contextmanager
def session_for(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url, single_connection=True)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def parse_expiry(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--expires: {text!r} is not a date (2027-06-30) or ISO 8601 time "
            "(2027-06-30T18:00:00+02:00)"
        ) from None


def keys_create(args: argparse.Namespace, settings: Settings) -> int:
    expires = parse_expiry(args.expires) if args.expires is not None else None
    with session_for(settings) as session:
        key, secret = service.create_key(session, args.name, args.scope, expires)
    print(f"Created API key {key.name!r}: scopes {', '.join(key.scopes)}, {_expiry_text(key)}.")
    print("The secret is shown only this once; store it now. It is the next line:")
    print(secret)
    return 0


def keys_list(args: argparse.Namespace, settings: Settings) -> int:
    with session_for(settings) as session:
        keys = service.list_keys(session).rows
    if not keys:
        print("No API keys.")
        return 0
    header = ("NAME", "SCOPES", "STATE", "CREATED", "EXPIRES", "REVOKED")
    rows = [header, *(_row(key) for key in keys)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with session_for(settings) as session:
        key = service.revoke_key(session, args.name)
    assert key.revoked_at is not None
    print(f"API key {key.name!r} is revoked (since {_moment(key.revoked_at)}).")
    return 0


def _row(key: ApiKey) -> tuple[str, ...]:
    return (
        key.name,
        ",".join(key.scopes),
        service.key_state(key).value,
        _moment(key.created_at),
        _moment(key.expires_at),
        _moment(key.revoked_at),
    )


def _moment(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else "-"


def _expiry_text(key: ApiKey) -> str:
    return f"expires {_moment(key.expires_at)}" if key.expires_at else "does not expire"


def _message(error: DomainError) -> str:
    if isinstance(error, InvalidBody) and len(error.params) == 1:
        # The service names the field as the API's body does; say which option it was.
        param = error.params[0]
        return f"{OPTIONS.get(param.name, param.name)}: {param.reason}"
    return error.detail


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m app",
        description="Administer Wegweiser Sachsen. The database is WEGWEISER_DATABASE_URL.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_keys(commands)
    _add_export(commands)
    _add_import(commands)
    return top


def export(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "hsds":
        return export_hsds(args, settings)
    target = None if args.target in (None, "-") else Path(args.target)
    # Written beside the file and renamed when complete: never half a directory under its name.
    partial = target.with_name(target.name + ".partial") if target else None
    size = 0
    try:
        with session_for(settings) as session, _output(partial) as out:
            for block in in_blocks(export_chunks(session)):
                out.write(block)
                size += len(block)
        if target is not None and partial is not None:
            partial.replace(target)
    except OSError as error:
        raise CommandError(f"cannot write {args.target}: {error.strerror}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    if target is not None:
        print(f"Wrote the directory to {target} ({size} bytes).")
    return 0


@contextmanager
def _output(path: Path | None) -> Iterator[BinaryIO]:
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with path.open("wb") as file:
        yield file


def export_hsds(args: argparse.Namespace, settings: Settings) -> int:
    if args.target is None:
        raise CommandError("--format hsds: name the DIRECTORY the data package goes into")
    base = (args.base_url or settings.base_url).rstrip("/")
    if not base:
        raise CommandError(
            "--base-url: the public URL of the service, for the records' links "
            "(or set WEGWEISER_BASE_URL)"
        )
    with session_for(settings) as session:
        try:
            counts = package.write_package(session, Path(args.target), base)
        except (package.PackageError, OSError) as error:
            raise CommandError(str(error)) from None
    rows = sum(counts.values())
    print(f"Wrote an HSDS {mapping.VERSION} data package to {args.target}: {rows} rows.")
    for table, count in counts.items():
        if count:
            print(f"  {table}: {count}")
    return 0


def import_file(args: argparse.Namespace, settings: Settings) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, or a number too long
        raise CommandError(f"{args.file} is not JSON in UTF-8: {error}") from None
    mode = Mode.replace if args.replace else Mode.merge
    author = Author(args.actor, f"Import of {Path(args.file).name} ({mode.value})")
    with session_for(settings) as session:
        try:
            report = import_directory(session, author, data, mode)
        except InvalidFile as error:
            lines = [f"{p.name}: {p.reason}" for p in error.params]
            raise CommandError(
                f"{args.file} was not imported, nothing changed:\n  " + "\n  ".join(lines)
            ) from None
    changed = f"revision {report.revision}" if report.revision else "nothing changed"
    print(f"Imported {args.file} ({mode.value}): {changed}.")
    print(report.summary())
    return 0


def _add_export(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "export",
        help="write the whole directory to a file",
        description="Write the whole directory. By default as one JSON document in the "
        "service's own format (app/exchange/directory.schema.json) to FILE, or to standard "
        "output; --format hsds writes an Open Referral HSDS tabular data package "
        "(datapackage.json and one CSV per object) into the directory TARGET.",
    )
    command.add_argument(
        "--format", default="wegweiser", choices=["wegweiser", "hsds"], help="the format"
    )
    command.add_argument("--base-url", help="hsds: public URL of the service (WEGWEISER_BASE_URL)")
    command.add_argument("target", nargs="?", help="FILE (default: standard output) or DIRECTORY")
    command.set_defaults(run=export)


def _add_import(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "import",
        help="read a file written by export",
        description="Read a directory file (as `export` writes it) through the write path, in "
        "one transaction: the whole file is checked first, and a file that does not fit "
        "changes nothing. Records are matched by their keys and made what the file says.",
    )
    command.add_argument("file", help="the file (- : standard input)")
    command.add_argument(
        "--replace",
        action="store_true",
        help="also delete what the database holds beyond the file (default: keep it)",
    )
    command.add_argument(
        "--actor", default="import", help="the name history and feed record (default: import)"
    )
    command.set_defaults(run=import_file)


def _add_keys(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="API keys for writing", description="API keys.")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create",
        help="create a key and print its secret",
        description="Create a key. Its secret is printed once, alone on the last line.",
    )
    create.add_argument("--name", required=True, help="who holds the key (unique)")
    create.add_argument(
        "--scope",
        required=True,
        action="append",
        choices=[scope.value for scope in Scope],
        help="write: change records; admin: manage keys too (includes write). Repeatable.",
    )
    create.add_argument(
        "--expires",
        metavar="DATE",
        help="valid through this day in UTC (2027-06-30), or until an ISO 8601 time",
    )
    create.set_defaults(run=keys_create)

    listing = actions.add_parser("list", help="list keys (never their secrets)")
    listing.set_defaults(run=keys_list)

    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("name", help="the key's name")
    revoke.set_defaults(run=keys_revoke)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse has printed
        return 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    run: Command = args.run
    try:
        return run(args, settings or get_settings())
    except DomainError as error:
        print(f"error: {_message(error)}", file=sys.stderr)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"error: the database failed: {reason}", file=sys.stderr)
    return 1
