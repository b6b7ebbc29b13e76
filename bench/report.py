"""The benchmark's Markdown report: one table of every measurement, and the servers' memory."""

from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import Measurement
from bench.server import Memory

MB = 1024 * 1024


@dataclass(frozen=True)
class Result:
    engine: str | None  # None: the ceiling app
    size: int | None
    store: bool | None  # the response store on or off
    scenario: str
    path: str
    status: int
    single: Measurement  # one client
    load: Measurement  # under load: --connections connections

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def failed(self) -> int:
        return self.load.failures + self.single.failures


@dataclass(frozen=True)
class Run:
    """One server's run of every scenario, and its memory at the end of it."""

    engine: str
    size: int
    store: bool
    memory: Memory


def number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def megabytes(value: int) -> str:
    return f"{value / MB:.0f}"


def store_label(store: bool | None) -> str:
    return "–" if store is None else ("on" if store else "off")


def share(result: Result, ceiling: Result) -> float:
    return result.load.rps / ceiling.load.rps if ceiling.load.rps else 0.0


def _status(result: Result) -> str:
    flags = [] if result.ok else [f"⚠ {result.status}"]
    if result.ok and result.failed:
        flags.append(f"⚠ {result.failed} failed")
    return " ".join(flags) or "200"


def _shorten(path: str) -> str:
    return path if len(path) <= 70 else path[:60] + "…"


def table(results: Sequence[Result], ceilings: Sequence[Result], connections: int) -> str:
    """Every result, each server's after the ceiling measured just before it, and its share
    of that ceiling's rate."""
    lines = [
        f"| Engine | Size | Store | Scenario | Status | rps ({connections} conn.) | p50 ms "
        "| p99 ms | 1-client p50 ms | 1-client p99 ms | rps / ceiling |",
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_server = {(c.engine, c.size, c.store): c for c in ceilings}
    rows: list[tuple[Result, Result]] = []
    for result in results:
        ceiling = by_server[(result.engine, result.size, result.store)]
        if not rows or rows[-1][1] is not ceiling:
            rows.append((ceiling, ceiling))
        rows.append((result, ceiling))
    for result, ceiling in rows:
        size = "–" if result.size is None else number(result.size)
        lines.append(
            f"| {result.engine or '–'} | {size} | {store_label(result.store)} "
            f"| {result.scenario} `{_shorten(result.path)}` | {_status(result)} "
            f"| {number(result.load.rps)} | {ms(result.load.p50_ms)} | {ms(result.load.p99_ms)} "
            f"| {ms(result.single.p50_ms)} | {ms(result.single.p99_ms)} "
            f"| {share(result, ceiling):.0%} |"
        )
    return "\n".join(lines)


MEMORY_NOTE = (
    "Resident set of each server process after its last scenario, from /proc/<pid>/status: "
    "`VmRSS`, of it `RssAnon` (heap, stacks) and `RssFile` (mapped files: libraries). PSS "
    "(`Pss` of /proc/<pid>/smaps_rollup) counts a page shared with other processes in part. "
    "The peak is `VmHWM`."
)


def memory_section(runs: Sequence[Run]) -> str:
    return f"## Memory\n\n{MEMORY_NOTE}\n\n{memory_table(runs)}"


def memory_table(runs: Sequence[Run]) -> str:
    lines = [
        "| Engine | Size | Store | RSS MB | anonymous MB | file-backed MB | PSS MB | peak RSS MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {run.engine} | {number(run.size)} | {store_label(run.store)} "
        f"| {megabytes(run.memory.rss)} | {megabytes(run.memory.anon)} "
        f"| {megabytes(run.memory.file)} | {megabytes(run.memory.pss)} "
        f"| {megabytes(run.memory.peak)} |"
        for run in runs
    ]
    return "\n".join(lines)
