"""A real browser on another origin: it reads the directory, and writes only from a listed origin.

The API runs under uvicorn as `make run` serves it, on a private copy of the
seeded database. Two small static servers on other ports serve the same page,
one from the origin listed in `WEGWEISER_CORS_WRITE_ORIGINS`, one from an
unlisted origin. Headless Chromium loads the page, whose script calls the API
with `fetch()` and writes the outcome into the DOM; `--dump-dom` prints the
DOM once the page and its requests are done.

Without Chromium these tests are skipped, unless `WEGWEISER_TEST_BROWSER=required`
(as in CI), when they fail.
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.server import Server, running
from tests.auth import create_key
from tests.conftest import Databases

pytestmark = pytest.mark.browser

HOST = "127.0.0.1"
ORGANISATION = "/organisations/bon-courage"
PAGE = "/page.html"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--dump-dom",
    # Virtual time stands still while requests are pending: the DOM is dumped after them.
    "--virtual-time-budget=10000",
]

# Reads the organisation, then (with a key) changes it with the read's ETag, as an editor would.
SCRIPT = """

async function call(url, options) {
  try {
    const response = await fetch(url, options);
    return {status: response.status, etag: response.headers.get("ETag"),
            body: await response.text()};
  } catch (error) {
    return {error: `${error.name}: ${error.message}`};
  }
}

async function run() {
  const url = config.api + config.path;
  const outcome = {read: await call(url)};
  if (config.secret) {
    outcome.write = await call(url, {
      method: "PATCH",
      headers: {
        "Authorization": `Bearer ${config.secret}`,
        "If-Match": outcome.read.etag,
        "Content-Type": "application/merge-patch+json",
        "Change-Source": "cross-origin browser test",
      },
      body: JSON.stringify({short_name: "BC"}),
    });
  }
  return outcome;
}

run().then((outcome) => {
  document.getElementById("outcome").textContent = JSON.stringify(outcome);
});
"""

_OUTCOME = re.compile(r'<pre id="outcome">(.*?)</pre>', re.DOTALL)


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    return found


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "no Chromium: install Debian's `chromium` to run the browser tests"
        if os.environ.get("WEGWEISER_TEST_BROWSER") == "required":
            pytest.fail(f"{reason} (WEGWEISER_TEST_BROWSER=required)")
        pytest.skip(reason)
    return path


class Pages:
    """A static HTTP server in a thread, on its own port and so its own origin."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?")[0])
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(page or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.origin = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    """What the page servers serve, by path; each test puts its page in."""
    return {}


@pytest.fixture(scope="module")
def listed(pages: dict[str, bytes]) -> Iterator[Pages]:
    server = Pages(pages)
    yield server
    server.close()


@pytest.fixture(scope="module")
def unlisted(pages: dict[str, bytes]) -> Iterator[Pages]:
    server = Pages(pages)
    yield server
    server.close()


@pytest.fixture
def database(databases: Databases, seeded_template: str) -> Iterator[str]:
    url = databases.clone(seeded_template)
    yield url
    databases.drop(url)


@pytest.fixture
def api(database: str, listed: Pages) -> Iterator[Server]:
    origins = json.dumps([listed.origin])
    with running("app.main:app", database, {"WEGWEISER_CORS_WRITE_ORIGINS": origins}) as server:
        yield server


def page(api: Server, secret: str | None) -> bytes:
    config = json.dumps({"api": api.base, "path": ORGANISATION, "secret": secret})
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>cross-origin</title></head>'
        '<body><pre id="outcome">pending</pre>'
        f"<script>const config = {config};\n{SCRIPT}</script></body></html>"
    ).encode()


def browse(chromium: str, url: str) -> dict[str, Any]:
    """The outcome the page at `url` wrote into its DOM."""
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    found = _OUTCOME.search(result.stdout)
    assert found is not None and found.group(1) != "pending", (
        f"no outcome in the page (exit {result.returncode}):\n{result.stdout[-2000:]}\n"
        f"{result.stderr[-3000:]}"
    )
    outcome: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return outcome


def current(api: Server) -> dict[str, Any]:
    with urllib.request.urlopen(api.base + ORGANISATION, timeout=30) as response:
        record: dict[str, Any] = json.load(response)
    return record


def test_a_page_on_another_origin_reads_and_sees_the_etag(
    chromium: str, api: Server, pages: dict[str, bytes], unlisted: Pages
) -> None:
    pages[PAGE] = page(api, secret=None)
    read = browse(chromium, unlisted.origin + PAGE)["read"]
    assert read.get("status") == 200, read
    assert read["etag"], read  # exposed to scripts
    assert json.loads(read["body"])["slug"] == "bon-courage"


def test_a_page_on_a_listed_origin_writes(
    chromium: str, api: Server, database: str, pages: dict[str, bytes], listed: Pages
) -> None:
    pages[PAGE] = page(api, create_key(database, "browser-editor", ["write"]))
    outcome = browse(chromium, listed.origin + PAGE)
    read, write = outcome["read"], outcome["write"]
    assert read.get("status") == 200, read
    assert write.get("status") == 200, write
    assert write["etag"] and write["etag"] != read["etag"], write
    assert json.loads(write["body"])["short_name"] == "BC"
    assert current(api)["short_name"] == "BC"


def test_the_browser_refuses_a_write_from_an_unlisted_origin(
    chromium: str, api: Server, database: str, pages: dict[str, bytes], unlisted: Pages
) -> None:
    before = current(api)
    pages[PAGE] = page(api, create_key(database, "browser-editor", ["write"]))
    outcome = browse(chromium, unlisted.origin + PAGE)
    assert outcome["read"].get("status") == 200, outcome
    assert outcome["write"] == {"error": "TypeError: Failed to fetch"}
    # The preflight was refused, so the request itself was never sent.
    after = current(api)
    assert (after["short_name"], after["version"]) == (before["short_name"], before["version"])
