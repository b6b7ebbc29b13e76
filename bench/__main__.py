"""`python -m bench` (`make bench`): the API under load on synthetic directories of growing size.

See bench/README.md for what is measured, how, and the targets.
"""

import argparse
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import databases, load, report, server, targets
from bench.load import Wrk
from bench.report import Result, Run
from bench.scenarios import CEILING, Scenario, scenarios

RESULTS = server.ROOT / "bench" / "results"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
WARM_UP_REQUESTS = 3
STORE_MODES = {"both": (False, True), "on": (True,), "off": (False,)}
ENGINES = ("sqlite", "postgresql")


def _engines(value: str) -> list[str]:
    engines = [e.strip() for e in value.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown or not engines:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ENGINES)}")
    return list(dict.fromkeys(engines))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda v: [int(s) for s in v.split(",")],
        default=list(DEFAULT_SIZES),
        help="comma-separated organisation counts (default: 1000,10000,100000)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1000 organisations, short scenarios"
    )
    parser.add_argument("--seconds", type=float, default=5, help="load per scenario (default: 5)")
    parser.add_argument(
        "--single-seconds", type=float, default=5, help="one client per scenario (default: 5)"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent connections (default: 16)"
    )
    parser.add_argument("--seed", type=int, default=42, help="synthetic data seed (default: 42)")
    parser.add_argument(
        "--store",
        choices=("both", "on", "off"),
        default="both",
        help="measure with the response store on (as `make run` serves), off (every request "
        "runs the application and the database), or both (default)",
    )
    parser.add_argument(
        "--memo",
        choices=("on", "off"),
        default="on",
        help="what reads remember until the next write (app/memo.py): on (the default, as "
        "`make run` serves), or off, for the cost of requests never seen before",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to measure on, as a SQLAlchemy URL naming any database there "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); the benchmark creates "
        "databases of its own on it. Without --engines, it measures PostgreSQL only",
    )
    parser.add_argument(
        "--engines",
        type=_engines,
        help="comma-separated engines to measure, side by side: sqlite, postgresql "
        "(default: sqlite, or postgresql when --database-url is given)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where reports and SQLite databases go"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seconds, args.single_seconds = [1_000], 2.0, 1.0
    if args.engines is None:
        args.engines = ["postgresql"] if args.database_url else ["sqlite"]
    if "postgresql" in args.engines and not args.database_url:
        parser.error("--engines postgresql needs --database-url")
    if args.database_url and make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must name a PostgreSQL server (postgresql+psycopg://…)")
    return args


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    client: Wrk,
    target: server.Server,
    scenario: Scenario,
    args: argparse.Namespace,
    where: tuple[str | None, int | None, bool | None] = (None, None, None),
) -> Result:
    """Warm up, then one client for --single-seconds, then --connections for --seconds."""
    status, _ = server.get(target, scenario.paths[0])
    for path in list(scenario.paths[:WARM_UP_REQUESTS]) * WARM_UP_REQUESTS:
        server.get(target, path)
    single = client.measure(target.host, target.port, scenario.paths, 1, args.single_seconds)
    under_load = client.measure(
        target.host, target.port, scenario.paths, args.connections, args.seconds
    )
    engine, size, store = where
    result = Result(
        engine, size, store, scenario.name, scenario.paths[0], status, single, under_load
    )
    mode = "" if store is None else f"store {report.store_label(store)}"
    progress(
        f"  {mode:<9} {scenario.name:<19} status {status}  {under_load.rps:8.0f} rps  "
        f"p50 {under_load.p50_ms:7.1f} ms  p99 {under_load.p99_ms:7.1f} ms  "
        f"| 1 client p50 {single.p50_ms:6.1f} ms  p99 {single.p99_ms:6.1f} ms"
    )
    return result


def prepare(engine: str, size: int, args: argparse.Namespace) -> databases.Database:
    if engine == "postgresql":
        return databases.prepared_postgresql(args.database_url, size, args.seed, args.rebuild)
    return databases.prepared(size, args.seed, args.results / "databases", args.rebuild)


def run_engine(
    client: Wrk, ceiling_server: server.Server, engine: str, args: argparse.Namespace
) -> tuple[list[Result], list[Run], list[str]]:
    """Every size and store mode on `engine`: the results (each server's scenarios after the
    ceiling measured just before them), each server's memory, build times."""
    results: list[Result] = []
    runs: list[Run] = []
    built: list[str] = []
    for size in args.sizes:
        progress(f"{engine}, {size} organisations")
        database = prepare(engine, size, args)
        if database.built_in is not None:
            built.append(f"{engine} {report.number(size)}: {database.built_in:.1f} s")
            progress(f"  built the database in {database.built_in:.1f} s")
        planned = scenarios(database)
        for store in STORE_MODES[args.store]:
            settings = {} if store else {"WEGWEISER_RESPONSE_CACHE_BYTES": "0"}
            if args.memo == "off":
                settings["WEGWEISER_READ_MEMO"] = "false"
            with server.running("app.main:app", database.url, settings) as app_server:
                progress(f"  store {report.store_label(store)}: ceiling")
                ceiling = Scenario(CEILING, ["/"])
                results.append(
                    measure(client, ceiling_server, ceiling, args, (engine, size, store))
                )
                for scenario in planned:
                    results.append(
                        measure(client, app_server, scenario, args, (engine, size, store))
                    )
                memory = server.memory(app_server.pid)
            runs.append(Run(engine, size, store, memory))
            progress(
                f"  store {report.store_label(store)}: server RSS {memory.rss / report.MB:.0f} MB"
            )
    return results, runs, built


def environment(client: Wrk, args: argparse.Namespace) -> str:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=server.ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    engines = [f"SQLite {sqlite3.sqlite_version}"] if "sqlite" in args.engines else []
    if "postgresql" in args.engines:
        engines.append(f"PostgreSQL {databases.server_version(args.database_url)}")
    return "\n".join(
        [
            f"- commit `{commit or 'unknown'}`, Python {platform.python_version()}, "
            f"{', '.join(engines)}, {platform.system()} {platform.machine()}",
            f"- load generator: {client.name}; 1 client for {args.single_seconds:g} s, then "
            f"{args.connections} connections for {args.seconds:g} s per scenario",
            "- server: `uvicorn app.main:app` (one worker, as `make run`), "
            f"synthetic data seed {args.seed}; store on: the default response store, "
            "so repeated requests are answered from memory; store off: "
            "`WEGWEISER_RESPONSE_CACHE_BYTES=0`, every request runs the application; "
            + (
                "read memo on (the default: a request seen before at the same revision "
                "reads only the revision)"
                if args.memo == "on"
                else "read memo off (`WEGWEISER_READ_MEMO=false`: every request reads "
                "everything from the database)"
            ),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    client = load.wrk()
    started = time.perf_counter()
    progress(f"bench: load generator {client.name}; engines {', '.join(args.engines)}")

    results: list[Result] = []
    runs: list[Run] = []
    built: list[str] = []
    # Idle while the application is measured; measured just before each of its servers.
    with server.running("bench.ceiling:app") as ceiling_server:
        for engine in args.engines:
            engine_results, engine_runs, engine_built = run_engine(
                client, ceiling_server, engine, args
            )
            results += engine_results
            runs += engine_runs
            built += engine_built

    ceilings = [r for r in results if r.scenario == CEILING]
    results = [r for r in results if r.scenario != CEILING]
    checked = targets.checks(results, ceilings, runs)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    document = "\n\n".join(
        [
            f"# Benchmark {stamp}",
            environment(client, args),
            report.table(results, ceilings, args.connections),
            "## Targets\n\n" + "\n".join(c.line() for c in checked),
            report.memory_section(runs),
            f"Databases built in this run (migrate + generate): {'; '.join(built) or 'none'}. "
            f"Whole run: {time.perf_counter() - started:.0f} s.",
        ]
    )
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{stamp}.md"
    path.write_text(document + "\n", encoding="utf-8")
    print(document)
    progress(f"bench: report written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
