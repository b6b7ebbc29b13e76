"""The benchmark's plumbing: wrk's output, memory readings, database names, arguments."""

import os
import subprocess
import time

import pytest

from bench import databases, load, server
from bench.__main__ import parse_args

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_reads_what_the_wrk_script_writes() -> None:
    output = "Running 1s test\nBENCH-RESULT 5000 2000000 3 1 1500.0 12000.5\n"
    measurement = load.parse_result(output)
    assert measurement.rps == 2500
    assert measurement.failures == 4
    assert (measurement.p50_ms, measurement.p99_ms) == (1.5, 12.0005)


def test_without_wrk_the_benchmark_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(load.shutil, "which", lambda _: None)
    with pytest.raises(SystemExit, match="apt-get install wrk"):
        load.wrk()


def test_reads_the_resident_set_of_a_process() -> None:
    memory = server.memory(os.getpid())
    assert 0 < memory.rss <= memory.peak


def test_measures_the_process_a_wrapper_started() -> None:
    wrapper = subprocess.Popen(["sh", "-c", "sleep 30; true"])
    try:
        deadline = time.monotonic() + 10
        while (pid := server.serving_pid(wrapper.pid)) == wrapper.pid:
            assert time.monotonic() < deadline, "the wrapper started no process"
            time.sleep(0.05)
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            assert cmdline.read().split(b"\0")[0] == b"sleep"
    finally:
        wrapper.terminate()
        wrapper.wait()


def test_stale_postgres_databases_are_those_of_the_same_size_and_seed() -> None:
    keep = databases.postgres_name(1_000, 42, "aaaa")
    existing = [
        keep,
        databases.postgres_name(1_000, 42, "bbbb"),
        databases.postgres_name(1_000, 42, "bbbb") + "_building",
        databases.postgres_name(10_000, 42, "bbbb"),
        databases.postgres_name(1_000, 7, "bbbb"),
        "wegweiser_test_1234",
        "test",
    ]
    assert databases.stale_postgres_names(existing, 1_000, 42, keep) == [
        "wegweiser_bench_1000_seed42_bbbb",
        "wegweiser_bench_1000_seed42_bbbb_building",
    ]
    assert keep in databases.stale_postgres_names(existing, 1_000, 42, None)


def test_engines_default_to_sqlite_or_to_the_server_given() -> None:
    assert parse_args([]).engines == ["sqlite"]
    assert parse_args(["--database-url", POSTGRES]).engines == ["postgresql"]
    both = parse_args(["--database-url", POSTGRES, "--engines", "sqlite,postgresql"])
    assert both.engines == ["sqlite", "postgresql"]
    quick = parse_args(["--quick"])
    assert quick.sizes == [1_000]


@pytest.mark.parametrize(
    "argv",
    [
        ["--engines", "postgresql"],
        ["--engines", "oracle"],
        ["--database-url", "sqlite:///bench.sqlite3"],
    ],
)
def test_refuses_engines_it_cannot_measure(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)
