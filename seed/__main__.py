"""`python -m seed`: load the seed file into the database named by WEGWEISER_DATABASE_URL."""

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import get_settings
from app.db import make_engine
from app.errors import DomainError
from seed.loader import DATA_FILE, SeedError, load, read_seed_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seed", description=__doc__)
    parser.add_argument(
        "--file", type=Path, default=DATA_FILE, help="seed file (default: %(default)s)"
    )
    parser.add_argument("--if-empty", action="store_true", help="only load into an empty database")
    parser.add_argument("--check", action="store_true", help="validate the file, write nothing")
    args = parser.parse_args(argv)

    try:
        seed = read_seed_file(args.file)
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 1
    if args.check:
        print(f"seed: {args.file.name} is valid ({len(seed.organisations)} organisations)")
        return 0

    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            report = load(session, seed, only_if_empty=args.if_empty)
    except DomainError as exc:
        print(f"seed: nothing written: {exc.detail}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"seed: nothing written, the database refused: {getattr(exc, 'orig', None) or exc}\n"
            "      (is the schema up to date? run `alembic upgrade head` first)",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    if report is None:
        print(
            "seed: database already holds data; nothing loaded "
            "(run without --if-empty to update it)"
        )
        return 0
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
