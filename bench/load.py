"""Load generators: `wrk` when it is installed, else a multi-process asyncio client.

Both keep connections alive, cycle through a list of paths, and report the
request rate and latency percentiles; they run in processes of their own, so
the benchmark process itself never competes with them.
"""

import asyncio
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Measurement:
    requests: int
    seconds: float
    failures: int  # responses other than 2xx, and socket errors
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class LoadGenerator(Protocol):
    name: str

    def measure(
        self, host: str, port: int, paths: Sequence[str], connections: int, seconds: float
    ) -> Measurement: ...


# --- wrk ---------------------------------------------------------------------------------

_WRK_SCRIPT = """
local paths = %s
local next_path = 0
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH-RESULT %%d %%d %%d %%d %%f %%f\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class Wrk:
    """`wrk` (https://github.com/wg/wrk): one thread is enough to saturate one server worker."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        probe = subprocess.run([executable, "-v"], capture_output=True, text=True, check=False)
        version = (probe.stdout or probe.stderr).split("\n")[0].split(" Copyright")[0]
        self.name = version.strip() or "wrk"

    def measure(
        self, host: str, port: int, paths: Sequence[str], connections: int, seconds: float
    ) -> Measurement:
        lua_paths = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_WRK_SCRIPT % lua_paths)
        try:
            completed = subprocess.run(
                [
                    self.executable,
                    "-t1",
                    f"-c{connections}",
                    f"-d{max(1, round(seconds))}s",
                    "--timeout",
                    "30s",
                    "-s",
                    script.name,
                    f"http://{host}:{port}",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            os.unlink(script.name)
        line = next(x for x in completed.stdout.splitlines() if x.startswith("BENCH-RESULT"))
        requests, micros, status_errors, socket_errors, p50, p99 = line.split()[1:]
        return Measurement(
            requests=int(requests),
            seconds=int(micros) / 1e6,
            failures=int(status_errors) + int(socket_errors),
            p50_ms=float(p50) / 1000,
            p99_ms=float(p99) / 1000,
        )


# --- Python ------------------------------------------------------------------------------


class PythonClient:
    """Raw HTTP/1.1 over asyncio streams (uvloop when installed), spread over processes."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.name = f"Python asyncio client ({processes} process{'es' * (processes > 1)})"

    def measure(
        self, host: str, port: int, paths: Sequence[str], connections: int, seconds: float
    ) -> Measurement:
        processes = max(1, min(self.processes, connections))
        shares = [
            connections // processes + (i < connections % processes) for i in range(processes)
        ]
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        workers = [
            context.Process(
                target=_client_process, args=(host, port, list(paths), share, seconds, results)
            )
            for share in shares
        ]
        for worker in workers:
            worker.start()
        collected = [results.get(timeout=seconds + 60) for _ in workers]
        for worker in workers:
            worker.join()
        latencies = sorted(ns for latencies, _, _ in collected for ns in latencies)
        if not latencies:
            return Measurement(0, seconds, sum(f for _, f, _ in collected), 0.0, 0.0)
        rate = sum(len(lat) / elapsed for lat, _, elapsed in collected if elapsed)
        return Measurement(
            requests=len(latencies),
            seconds=len(latencies) / rate,
            failures=sum(f for _, f, _ in collected),
            p50_ms=_percentile(latencies, 50) / 1e6,
            p99_ms=_percentile(latencies, 99) / 1e6,
        )


def _percentile(ordered: Sequence[int], percent: float) -> float:
    if len(ordered) == 1:
        return float(ordered[0])
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(percent) - 1]


def _client_process(
    host: str,
    port: int,
    paths: list[str],
    connections: int,
    seconds: float,
    results: "multiprocessing.Queue[tuple[list[int], int, float]]",
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    results.put(asyncio.run(_client(host, port, paths, connections, seconds)))


async def _client(
    host: str, port: int, paths: list[str], connections: int, seconds: float
) -> tuple[list[int], int, float]:
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode() for p in paths
    ]
    latencies: list[int] = []
    failures = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def connection(offset: int) -> None:
        nonlocal failures
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            failures += 1
            return
        index = offset
        try:
            while time.perf_counter() < deadline:
                request = requests[index % len(requests)]
                index += 1
                sent = time.perf_counter_ns()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = _content_length(head)
                await reader.readexactly(length)
                latencies.append(time.perf_counter_ns() - sent)
                if head[9:10] != b"2":
                    failures += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            failures += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection(i) for i in range(connections)))
    return latencies, failures, time.perf_counter() - started


def _content_length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    raise OSError("response without Content-Length")


def choose(preference: str, processes: int) -> LoadGenerator:
    """`wrk` if asked for or found on PATH (for `auto`), else the Python client."""
    if preference in ("auto", "wrk"):
        executable = shutil.which("wrk")
        if executable:
            return Wrk(executable)
        if preference == "wrk":
            raise SystemExit("bench: wrk is not on PATH (Debian/Ubuntu: apt-get install wrk)")
    return PythonClient(processes)
