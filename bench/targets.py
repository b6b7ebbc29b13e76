"""The targets (see bench/README.md), checked against one run's results: PASS or FAIL each.

Every share and factor is taken against the ceiling measured in the same run, just
before the results it is compared with (see `ceiling_of`).
On SQLite every target is checked; on other engines those of the list, the
Kreis list and the detail.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bench.report import MB, Result, Run, megabytes, ms, number, share, store_label
from bench.scenarios import (
    DEEP_PAGE,
    DETAIL,
    FILTERED,
    HELP,
    KREIS_LIST,
    LIST,
    ORDER,
    SEARCH_BROAD,
    SEARCH_SELECTIVE,
)
from bench.server import Memory

TARGET_SIZE = 100_000
P99_MS = 50.0  # one client, at TARGET_SIZE
# Shares of the ceiling's request rate under load, store off.
SHARES = ((DETAIL, 0.5), (LIST, 0.3), (KREIS_LIST, 0.3), (SEARCH_BROAD, 0.2))
QUICK = (FILTERED, SEARCH_BROAD, SEARCH_SELECTIVE, HELP)  # p99 < P99_MS at TARGET_SIZE
DEEP_PAGE_FACTOR = 1.5  # one-client p50 of the deep page against page 1's
STORE_ON_SHARE = 1.5  # every scenario with the store on: rps against the ceiling's
STORE_ON_P99_FACTOR = 2.0  # and p99 under load against the ceiling's
RSS_LIMIT = 300 * MB  # after the store-on run at TARGET_SIZE
FULL_ENGINE = "sqlite"
OTHER_ENGINES_SCENARIOS = (LIST, KREIS_LIST, DETAIL)


@dataclass(frozen=True)
class Check:
    target: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"- **{'PASS' if self.passed else 'FAIL'}** {self.target}: {self.detail}"


@dataclass(frozen=True)
class View:
    """One engine's results, by size, store and scenario."""

    engine: str
    results: dict[tuple[int, bool, str], Result]
    sizes: list[int]
    ceilings: Sequence[Result]
    memory: dict[tuple[int, bool], Memory]

    def get(self, size: int, store: bool, scenario: str) -> Result | None:
        return self.results.get((size, store, scenario))

    def ceiling(self, size: int, store: bool) -> Result:
        return ceiling_of(self.ceilings, self.engine, size, store)


def ceiling_of(ceilings: Sequence[Result], engine: str, size: int, store: bool) -> Result:
    """The ceiling measured for the server of `engine`, `size` and `store`, just before its
    scenarios (the machine's speed drifts over a run); else the run's one ceiling."""
    for ceiling in ceilings:
        if (ceiling.engine, ceiling.size, ceiling.store) == (engine, size, store):
            return ceiling
    (ceiling,) = [c for c in ceilings if c.engine is None]
    return ceiling


def checks(
    results: Sequence[Result], ceilings: Sequence[Result], runs: Sequence[Run]
) -> list[Check]:
    outcome: list[Check] = []
    for engine in dict.fromkeys(r.engine for r in results if r.engine):
        view = View(
            engine,
            {
                (r.size, bool(r.store), r.scenario): r
                for r in results
                if r.engine == engine and r.size
            },
            sorted({r.size for r in results if r.engine == engine and r.size}),
            ceilings,
            {(run.size, run.store): run.memory for run in runs if run.engine == engine},
        )
        full = engine == FULL_ENGINE
        outcome += engine_checks(view, ORDER if full else OTHER_ENGINES_SCENARIOS, full)
    return outcome


def engine_checks(view: View, scenarios: Collection[str], memory: bool) -> list[Check]:
    outcome: list[Check] = []
    for scenario, minimum in SHARES:
        if scenario in scenarios:
            outcome += [_share(view, size, scenario, minimum) for size in view.sizes]
    outcome += [_quick(view, scenario) for scenario in QUICK if scenario in scenarios]
    if DEEP_PAGE in scenarios:
        outcome += [_deep_page(view, size) for size in view.sizes]
    outcome += [_store_on(view, size, scenarios) for size in view.sizes]
    if memory:
        outcome.append(_memory(view))
    return outcome


def _at(size: int, store: bool | None = False) -> str:
    return f"at {number(size)}" + ("" if store is None else f", store {store_label(store)}")


def _trouble(result: Result | None) -> str | None:
    """Why `result` cannot count: not measured, an error status, failed requests."""
    if result is None:
        return "not measured"
    if not result.ok:
        return f"status {result.status}"
    if result.failed:
        return f"{result.failed} requests failed"
    return None


def _share(view: View, size: int, scenario: str, minimum: float) -> Check:
    target = f"[{view.engine}] {scenario} rps ≥ {minimum:.0%} of the ceiling's {_at(size)}"
    result = view.get(size, False, scenario)
    trouble = _trouble(result)
    if result is None or trouble:
        return Check(target, False, trouble or "")
    ceiling = view.ceiling(size, False)
    ratio = share(result, ceiling)
    rates = f"{number(result.load.rps)} vs {number(ceiling.load.rps)} rps"
    return Check(target, ratio >= minimum, f"{rates} ({ratio:.0%})")


def _quick(view: View, scenario: str) -> Check:
    target = f"[{view.engine}] {scenario} 1-client p99 < {P99_MS:.0f} ms {_at(TARGET_SIZE)}"
    result = view.get(TARGET_SIZE, False, scenario)
    trouble = _trouble(result)
    if result is None or trouble:
        hint = f" (add {TARGET_SIZE} to --sizes)" if result is None else ""
        return Check(target, False, (trouble or "") + hint)
    p99 = result.single.p99_ms
    return Check(target, p99 < P99_MS, f"{ms(p99)} ms")


def _deep_page(view: View, size: int) -> Check:
    target = f"[{view.engine}] deep page 1-client p50 ≤ {DEEP_PAGE_FACTOR:g}× page 1's {_at(size)}"
    first, deep = view.get(size, False, LIST), view.get(size, False, DEEP_PAGE)
    trouble = _trouble(first) or _trouble(deep)
    if first is None or deep is None or trouble:
        return Check(target, False, trouble or "")
    ratio = deep.single.p50_ms / first.single.p50_ms if first.single.p50_ms else float("inf")
    detail = f"{ms(deep.single.p50_ms)} vs {ms(first.single.p50_ms)} ms ({ratio:.2f}×)"
    return Check(target, ratio <= DEEP_PAGE_FACTOR, detail)


def _store_on(view: View, size: int, scenarios: Collection[str]) -> Check:
    target = (
        f"[{view.engine}] store on, every scenario: rps ≥ {STORE_ON_SHARE:.0%} and "
        f"p99 ≤ {STORE_ON_P99_FACTOR:g}× the ceiling's {_at(size, None)}"
    )
    found = {s: view.get(size, True, s) for s in ORDER if s in scenarios}
    if all(r is None for r in found.values()):
        return Check(target, False, "not measured (--store on or both)")
    ceiling = view.ceiling(size, True).load
    troubles = {s: t for s, r in found.items() if (t := _trouble(r))}
    if troubles:
        return Check(target, False, "; ".join(f"{s}: {t}" for s, t in troubles.items()))
    measured = {s: r for s, r in found.items() if r is not None}
    shares = {s: share(r, view.ceiling(size, True)) for s, r in measured.items()}
    factors = {
        s: r.load.p99_ms / ceiling.p99_ms if ceiling.p99_ms else float("inf")
        for s, r in measured.items()
    }
    slowest, widest = min(shares, key=shares.__getitem__), max(factors, key=factors.__getitem__)
    short = [s for s in measured if shares[s] < STORE_ON_SHARE or factors[s] > STORE_ON_P99_FACTOR]
    detail = (
        f"lowest rps {shares[slowest]:.0%} ({slowest}), "
        f"highest p99 {factors[widest]:.2f}× ({widest}, {ms(measured[widest].load.p99_ms)} vs "
        f"{ms(ceiling.p99_ms)} ms)" + (f"; short of it: {', '.join(short)}" if short else "")
    )
    return Check(target, not short, detail)


def _memory(view: View) -> Check:
    target = (
        f"[{view.engine}] server RSS < {megabytes(RSS_LIMIT)} MB after the run "
        f"{_at(TARGET_SIZE, True)}"
    )
    memory = view.memory.get((TARGET_SIZE, True))
    if memory is None:
        return Check(target, False, f"not measured (add {TARGET_SIZE} to --sizes)")
    parts = (
        f"anonymous {megabytes(memory.anon)} MB, file-backed {megabytes(memory.file)} MB, "
        f"PSS {megabytes(memory.pss)} MB"
    )
    return Check(target, memory.rss < RSS_LIMIT, f"{megabytes(memory.rss)} MB ({parts})")
