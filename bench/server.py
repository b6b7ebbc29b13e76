"""Running an ASGI app under uvicorn in a subprocess, exactly as `make run` serves it."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int  # the process that serves, whose memory is measured

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    app: str, database_url: str | None = None, settings: dict[str, str] | None = None
) -> Iterator[Server]:
    """Serve `app` (`module:attribute`) with uvicorn's defaults and one worker, for the block.

    `settings` are extra environment variables, e.g. `WEGWEISER_RESPONSE_CACHE_BYTES`.
    """
    host, port = HOST, free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(settings or {})}
    if database_url:
        env["WEGWEISER_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "uvicorn", app, "--host", host, "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            server = Server(host, port, process.pid)
            _wait_until_ready(server, process, log)
            yield Server(host, port, serving_pid(process.pid))
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(server.base + "/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers; the status is the scenario's business
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer on {server.base} within 60 s")


@dataclass(frozen=True)
class Memory:
    """Bytes resident, from /proc/<pid>/status."""

    rss: int  # now (VmRSS): anon + file + shmem
    peak: int  # the most ever (VmHWM)
    anon: int  # the heap and stacks (RssAnon)
    file: int  # pages of mapped files (RssFile): libraries, SQLite's memory map
    pss: int  # each page counted once, shares of pages mapped more than once (Pss)


def memory(pid: int) -> Memory:
    """The resident set of process `pid`."""
    fields = _kilobytes(Path(f"/proc/{pid}/status")) | _kilobytes(Path(f"/proc/{pid}/smaps_rollup"))
    return Memory(
        fields["VmRSS"], fields["VmHWM"], fields["RssAnon"], fields["RssFile"], fields["Pss"]
    )


def _kilobytes(path: Path) -> dict[str, int]:
    """`Name: <n> kB` lines of a /proc file, in bytes."""
    fields: dict[str, int] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        if value.endswith(" kB"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def serving_pid(pid: int) -> int:
    """The process that serves: `pid` itself, or the one process it started, and so on down.

    The server is started as `python -m uvicorn` with one worker, so this is `pid`;
    should a wrapper (a shell, a launcher, a supervisor) sit in between, its child is
    measured instead of the wrapper.
    """
    while len(children := _children(pid)) == 1:
        pid = children[0]
    return pid


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def get(server: Server, path: str) -> tuple[int, bytes]:
    """One plain request: the status code and body (errors included)."""
    try:
        with urllib.request.urlopen(server.base + path, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
