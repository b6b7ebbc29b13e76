"""The benchmark's Markdown report: one table of every measurement, and the targets checked."""

from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import Measurement

# Targets (see bench/README.md).
SEARCH_P99_MS = 50.0
TARGET_SIZE = 100_000
DEEP_PAGE_FACTOR = 2.0
DETAIL_SHARE_OF_CEILING = 0.5


@dataclass(frozen=True)
class Result:
    size: int | None  # None: the ceiling app
    scenario: str
    path: str
    status: int
    single: Measurement
    load: Measurement
    store: bool | None = None  # the response store on or off; None: the ceiling app

    @property
    def ok(self) -> bool:
        return self.status == 200


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _status(result: Result) -> str:
    flags = [] if result.ok else [f"⚠ {result.status}"]
    failed = result.load.failures + result.single.failures
    if result.ok and failed:
        flags.append(f"⚠ {failed} failed")
    return " ".join(flags) or "200"


def table(results: Sequence[Result], ceiling: Result, connections: int) -> str:
    lines = [
        f"| Size | Store | Scenario | Status | rps ({connections} conn.) | p50 ms | p99 ms "
        "| 1 client p50 ms | 1 client p99 ms | rps / ceiling |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in [ceiling, *results]:
        share = result.load.rps / ceiling.load.rps if ceiling.load.rps else 0.0
        size = "–" if result.size is None else _number(result.size)
        lines.append(
            f"| {size} | {_store(result.store)} | {result.scenario} `{_shorten(result.path)}` "
            f"| {_status(result)} "
            f"| {_number(result.load.rps)} | {_ms(result.load.p50_ms)} | {_ms(result.load.p99_ms)} "
            f"| {_ms(result.single.p50_ms)} | {_ms(result.single.p99_ms)} | {share:.0%} |"
        )
    return "\n".join(lines)


def _store(store: bool | None) -> str:
    return "–" if store is None else ("on" if store else "off")


def _shorten(path: str) -> str:
    return path if len(path) <= 70 else path[:60] + "…"


@dataclass(frozen=True)
class Check:
    target: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"- **{'PASS' if self.passed else 'FAIL'}** {self.target}: {self.detail}"


def checks(results: Sequence[Result], ceiling: Result) -> list[Check]:
    outcome: list[Check] = []
    for store in sorted({r.store for r in results}, key=lambda s: bool(s)):
        mode = [r for r in results if r.store == store]
        outcome += _checks(mode, ceiling, f" (store {_store(store)})")
    return outcome


def _checks(results: Sequence[Result], ceiling: Result, mode: str) -> list[Check]:
    found = {(r.size, r.scenario): r for r in results}
    sizes = sorted({r.size for r in results if r.size is not None})
    outcome: list[Check] = []
    for scenario in ("search", "filtered"):
        target = (
            f"{scenario} p99 (1 client) < {SEARCH_P99_MS:.0f} ms at {_number(TARGET_SIZE)}{mode}"
        )
        result = found.get((TARGET_SIZE, scenario))
        if result is None:
            outcome.append(Check(target, False, f"not measured (add {TARGET_SIZE} to --sizes)"))
        elif not result.ok:
            outcome.append(Check(target, False, f"status {result.status}"))
        else:
            p99 = result.single.p99_ms
            outcome.append(Check(target, p99 < SEARCH_P99_MS, f"{_ms(p99)} ms"))
    for size in sizes:
        first, deep = found.get((size, "list")), found.get((size, "deep page"))
        target = f"deep page p50 ≤ {DEEP_PAGE_FACTOR:.0f}× page 1 at {_number(size)}{mode}"
        if first and deep and first.ok and deep.ok:
            ratio = deep.single.p50_ms / first.single.p50_ms
            detail = f"{_ms(deep.single.p50_ms)} vs {_ms(first.single.p50_ms)} ms ({ratio:.2f}×)"
            outcome.append(Check(target, ratio <= DEEP_PAGE_FACTOR, detail))
        else:
            outcome.append(Check(target, False, "page 1 or the deep page did not answer 200"))
        detail_result = found.get((size, "detail"))
        target = (
            f"detail rps ≥ {DETAIL_SHARE_OF_CEILING:.0%} of the ceiling at {_number(size)}{mode}"
        )
        if detail_result and detail_result.ok and ceiling.load.rps:
            share = detail_result.load.rps / ceiling.load.rps
            rates = f"{_number(detail_result.load.rps)} vs {_number(ceiling.load.rps)} rps"
            detail = f"{rates} ({share:.0%})"
            outcome.append(Check(target, share >= DETAIL_SHARE_OF_CEILING, detail))
        else:
            outcome.append(Check(target, False, "detail did not answer 200"))
    return outcome
