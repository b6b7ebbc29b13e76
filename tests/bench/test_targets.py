"""The benchmark's targets: each one PASS or FAIL from the figures of one run."""

from bench import targets
from bench.load import Measurement
from bench.report import MB, Result, Run
from bench.scenarios import DEEP_PAGE, DETAIL, FILTERED, KREIS_LIST, LIST, ORDER
from bench.server import Memory

# 1 000 rps, p99 10 ms under load.
CEILING = Result(
    None,
    None,
    None,
    "ceiling",
    "/",
    200,
    Measurement(1, 1, 0, 0.2, 1),
    Measurement(1000, 1, 0, 2, 10),
)


def measured(rps: float, p50: float = 1.0, p99: float = 5.0) -> Measurement:
    return Measurement(int(rps * 10), 10.0, 0, p50, p99)


def result(
    scenario: str,
    rps: float,
    size: int = 1_000,
    store: bool = False,
    engine: str = "sqlite",
    single: Measurement | None = None,
    status: int = 200,
) -> Result:
    return Result(
        engine, size, store, scenario, "/", status, single or measured(100), measured(rps, p99=10)
    )


def passing(size: int, engine: str = "sqlite") -> list[Result]:
    """Results that meet every target at `size`."""
    off = [result(s, 600, size, False, engine, measured(100, p99=20)) for s in ORDER]
    on = [result(s, 2000, size, True, engine) for s in ORDER]
    return off + on


def lines(results: list[Result], runs: list[Run] | None = None) -> dict[str, targets.Check]:
    return {c.target: c for c in targets.checks(results, [CEILING], runs or [])}


def test_everything_passes_at_every_size() -> None:
    sizes = (1_000, 100_000)
    runs = [Run("sqlite", 100_000, True, Memory(120 * MB, 130 * MB, 100 * MB, 20 * MB, 110 * MB))]
    checked = lines([r for size in sizes for r in passing(size)], runs)
    assert all(c.passed for c in checked.values()), [c.line() for c in checked.values()]
    assert sum("at 1 000" in t for t in checked) == 6  # 4 shares, deep page, store on
    assert sum("at 100 000" in t for t in checked) == 6 + 4 + 1  # and p99s, memory


def test_each_server_is_compared_with_the_ceiling_measured_before_it() -> None:
    """The machine's speed drifts over a run: each server's shares are taken against the
    ceiling measured just before its scenarios, not against one from the run's start."""
    slow = Result("sqlite", 1_000, False, "ceiling", "/", 200, measured(100), measured(500))
    fast = Result("sqlite", 1_000, True, "ceiling", "/", 200, measured(100), measured(4000))
    results = [result(DETAIL, 300, 1_000, False)] + [result(s, 2000, 1_000, True) for s in ORDER]
    checked = {c.target: c for c in targets.checks(results, [CEILING, slow, fast], [])}
    share = checked["[sqlite] detail rps ≥ 50% of the ceiling's at 1 000, store off"]
    assert share.passed and "(60%)" in share.detail  # 300 of the 500 measured before it
    store_on = checked[
        "[sqlite] store on, every scenario: rps ≥ 150% and p99 ≤ 2× the ceiling's at 1 000"
    ]
    assert not store_on.passed and "lowest rps 50%" in store_on.detail  # 2 000 of 4 000


def test_a_share_short_of_the_ceilings_fails_with_its_ratio() -> None:
    results = [r for r in passing(1_000) if (r.scenario, r.store) != (DETAIL, False)]
    results.append(result(DETAIL, 400))
    check = lines(results)["[sqlite] detail rps ≥ 50% of the ceiling's at 1 000, store off"]
    assert not check.passed
    assert check.detail == "400 vs 1 000 rps (40%)"


def test_an_error_status_fails_whatever_the_rate() -> None:
    results = [r for r in passing(1_000) if (r.scenario, r.store) != (LIST, False)]
    results.append(result(LIST, 900, status=500))
    check = lines(results)["[sqlite] list rps ≥ 30% of the ceiling's at 1 000, store off"]
    assert (check.passed, check.detail) == (False, "status 500")


def test_targets_at_100_000_are_not_measured_without_that_size() -> None:
    checked = lines(passing(1_000))
    check = checked["[sqlite] filtered + 4 facets 1-client p99 < 50 ms at 100 000, store off"]
    assert not check.passed
    assert "not measured" in check.detail
    assert not checked["[sqlite] server RSS < 300 MB after the run at 100 000, store on"].passed


def test_slow_p99_and_deep_page_fail() -> None:
    results = [r for r in passing(100_000) if (r.scenario, r.store) not in {(FILTERED, False)}]
    results = [r for r in results if (r.scenario, r.store) != (DEEP_PAGE, False)]
    results.append(result(FILTERED, 600, 100_000, single=measured(100, p99=50.0)))
    results.append(result(DEEP_PAGE, 600, 100_000, single=measured(100, p50=1.6)))
    checked = lines(results)
    p99 = checked["[sqlite] filtered + 4 facets 1-client p99 < 50 ms at 100 000, store off"]
    assert (p99.passed, p99.detail) == (False, "50.0 ms")
    deep = checked["[sqlite] deep page 1-client p50 ≤ 1.5× page 1's at 100 000, store off"]
    assert (deep.passed, deep.detail) == (False, "1.6 vs 1.0 ms (1.60×)")


def test_store_on_names_the_scenarios_short_of_it() -> None:
    results = [r for r in passing(1_000) if (r.scenario, r.store) != (KREIS_LIST, True)]
    results.append(result(KREIS_LIST, 1400, store=True))
    check = next(c for t, c in lines(results).items() if "store on, every scenario" in t)
    assert not check.passed
    assert check.detail.startswith("lowest rps 140% (kreis list)")
    assert check.detail.endswith("short of it: kreis list")


def test_store_on_fails_on_a_wide_p99() -> None:
    results = [r for r in passing(1_000) if (r.scenario, r.store) != (DETAIL, True)]
    results.append(
        Result("sqlite", 1_000, True, DETAIL, "/", 200, measured(100), measured(2000, p99=21))
    )
    check = next(c for t, c in lines(results).items() if "store on, every scenario" in t)
    assert not check.passed
    assert "highest p99 2.10× (detail" in check.detail


def test_memory_over_the_limit_fails() -> None:
    runs = [Run("sqlite", 100_000, True, Memory(310 * MB, 320 * MB, 200 * MB, 110 * MB, 220 * MB))]
    check = lines(passing(100_000), runs)[
        "[sqlite] server RSS < 300 MB after the run at 100 000, store on"
    ]
    assert (check.passed, check.detail) == (
        False,
        "310 MB (anonymous 200 MB, file-backed 110 MB, PSS 220 MB)",
    )


def test_postgresql_is_held_to_the_list_and_detail_targets() -> None:
    checked = lines(passing(100_000, "postgresql"))
    assert all(c.passed for c in checked.values())
    assert sorted(t.split(" rps")[0] for t in checked if "store on" not in t) == [
        "[postgresql] detail",
        "[postgresql] kreis list",
        "[postgresql] list",
    ]
    assert any("store on" in t for t in checked)


def test_each_engine_is_checked_on_its_own() -> None:
    results = passing(1_000) + [
        r if r.scenario != DETAIL or r.store else result(DETAIL, 100, engine="postgresql")
        for r in passing(1_000, "postgresql")
    ]
    checked = lines(results)
    assert checked["[sqlite] detail rps ≥ 50% of the ceiling's at 1 000, store off"].passed
    assert not checked["[postgresql] detail rps ≥ 50% of the ceiling's at 1 000, store off"].passed
