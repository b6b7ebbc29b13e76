"""The load generator: `wrk`, driven by a small Lua script that cycles through a list of paths.

wrk keeps its connections alive and runs in a process of its own, so the
benchmark process never competes with it; one wrk thread saturates a single
uvicorn worker many times over.
"""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

INSTALL_HINT = "bench: wrk is not on PATH; install it (Debian/Ubuntu: apt-get install wrk)"


@dataclass(frozen=True)
class Measurement:
    requests: int
    seconds: float
    failures: int  # responses other than 2xx and 3xx, and socket errors
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


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
    """`wrk` (https://github.com/wg/wrk) with one thread and `connections` connections."""

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
        return parse_result(completed.stdout)


def parse_result(output: str) -> Measurement:
    """The figures the Lua script's `done` writes (microseconds) as a Measurement."""
    line = next(x for x in output.splitlines() if x.startswith("BENCH-RESULT"))
    requests, micros, status_errors, socket_errors, p50, p99 = line.split()[1:]
    return Measurement(
        requests=int(requests),
        seconds=int(micros) / 1e6,
        failures=int(status_errors) + int(socket_errors),
        p50_ms=float(p50) / 1000,
        p99_ms=float(p99) / 1000,
    )


def wrk() -> Wrk:
    """wrk from PATH; without it the benchmark cannot run and says how to install it."""
    executable = shutil.which("wrk")
    if executable is None:
        raise SystemExit(INSTALL_HINT)
    return Wrk(executable)
