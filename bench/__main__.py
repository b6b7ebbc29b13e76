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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import databases, load, report, server
from bench.load import LoadGenerator
from bench.report import Result

RESULTS = server.ROOT / "bench" / "results"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DETAIL_SAMPLE = 200
DEEP_FRACTION = 0.9
PAGE = 50
WARM_UP_REQUESTS = 3
STORE_MODES = {"both": (False, True), "on": (True,), "off": (False,)}


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: Sequence[str]


def scenarios(database: databases.Database) -> list[Scenario]:
    cursor = databases.cursor_at(database.url, DEEP_FRACTION)
    slugs = databases.sample_slugs(database.url, DETAIL_SAMPLE)
    return [
        Scenario("list", [f"/organisations?limit={PAGE}"]),
        Scenario(
            "filtered", ["/organisations?kind=network&region=14626&facets=kind,level,region,topic"]
        ),
        Scenario("search", ["/search?q=beratung"]),
        Scenario("deep page", [f"/organisations?limit={PAGE}&cursor={cursor}"]),
        Scenario("detail", [f"/organisations/{slug}" for slug in slugs]),
    ]


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
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if on PATH, else Python (default: auto)",
    )
    parser.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="processes of the Python client (default: 1)",
    )
    parser.add_argument(
        "--store",
        choices=("both", "on", "off"),
        default="both",
        help="measure with the response store on (as `make run` serves), off (every request "
        "runs the application and the database), or both (default)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where reports and databases go"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seconds, args.single_seconds = [1_000], 2.0, 1.0
    return args


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    client: LoadGenerator,
    target: server.Server,
    size: int | None,
    scenario: Scenario,
    args: argparse.Namespace,
    store: bool | None = None,
) -> Result:
    status, _ = server.get(target, scenario.paths[0])
    for path in list(scenario.paths[:WARM_UP_REQUESTS]) * WARM_UP_REQUESTS:
        server.get(target, path)
    single = client.measure(target.host, target.port, scenario.paths, 1, args.single_seconds)
    under_load = client.measure(
        target.host, target.port, scenario.paths, args.connections, args.seconds
    )
    result = Result(size, scenario.name, scenario.paths[0], status, single, under_load, store)
    mode = "" if store is None else ("store on " if store else "store off")
    progress(
        f"  {mode:<9} {scenario.name:<10} status {status}  {under_load.rps:8.0f} rps  "
        f"p50 {under_load.p50_ms:7.1f} ms  p99 {under_load.p99_ms:7.1f} ms  "
        f"| 1 client p50 {single.p50_ms:6.1f} ms  p99 {single.p99_ms:6.1f} ms"
    )
    return result


def environment(client: LoadGenerator, args: argparse.Namespace) -> str:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=server.ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return "\n".join(
        [
            f"- commit `{commit or 'unknown'}`, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.machine()}",
            f"- load generator: {client.name}; {args.connections} connections for "
            f"{args.seconds:g} s, then 1 client for {args.single_seconds:g} s per scenario",
            "- server: `uvicorn app.main:app` (one worker, as `make run`), SQLite, "
            f"synthetic data seed {args.seed}; store on: the default response store, "
            "so repeated requests are answered from memory; store off: "
            "`WEGWEISER_RESPONSE_CACHE_BYTES=0`, every request runs the application",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    client = load.choose(args.client, args.client_processes)
    started = time.perf_counter()
    progress(f"bench: load generator {client.name}")

    with server.running("bench.ceiling:app") as ceiling_server:
        progress("ceiling (minimal FastAPI app)")
        ceiling = measure(client, ceiling_server, None, Scenario("ceiling", ["/"]), args)

    results: list[Result] = []
    built: list[str] = []
    for size in args.sizes:
        progress(f"{size} organisations")
        database = databases.prepared(size, args.seed, args.results / "databases", args.rebuild)
        if database.built_in is not None:
            built.append(f"{size}: {database.built_in:.1f} s")
            progress(f"  built the database in {database.built_in:.1f} s")
        for store in STORE_MODES[args.store]:
            settings = {} if store else {"WEGWEISER_RESPONSE_CACHE_BYTES": "0"}
            with server.running("app.main:app", database.url, settings) as app_server:
                for scenario in scenarios(database):
                    results.append(measure(client, app_server, size, scenario, args, store))

    checked = report.checks(results, ceiling)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    document = "\n\n".join(
        [
            f"# Benchmark {stamp}",
            environment(client, args),
            report.table(results, ceiling, args.connections),
            "## Targets\n\n" + "\n".join(c.line() for c in checked),
            f"Databases built in this run (migrate + generate): {', '.join(built) or 'none'}. "
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
