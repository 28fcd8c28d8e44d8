"""Helpers of the browser tests: serve the built site on 127.0.0.1, drive Chromium, record what a page does.

Chromium is the one on the machine, driven through Python Playwright with ``executable_path``;
Playwright's own browser downloads (``playwright install``) are never used. :func:`find_chromium`
looks for it; ``python tests/browser.py --ensure`` (run by ``make test`` before the tests) installs
Debian's package when none is found and apt can be used, and otherwise says in one line what to do.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

CHROMIUM_ENV = "ATTN_CHROMIUM"  # a browser of your own: the path of a Chromium or Chrome executable
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAC_CHROME = Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# any URL with a host other than the test server's (data:, blob:, about: have none)
OTHER_HOST = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z][a-z0-9+.-]*://", re.I)
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


# -- serving ------------------------------------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a browser closing a connection early is not news
        pass


@contextlib.contextmanager
def serve(directory: Path, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (``port``, or a free one) from a thread; yields the base URL, ending in '/'."""
    server = _QuietServer((LOCAL_HOST, port), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (for a server whose address must be known in advance)."""
    import socket

    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        return probe.getsockname()[1]


# -- launching ----------------------------------------------------------------------------------

class ChromiumMissing(RuntimeError):
    pass


def find_chromium() -> Path | None:
    """The browser the tests drive: $ATTN_CHROMIUM, else a Chromium or Chrome on the PATH (or macOS's Chrome)."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return MAC_CHROME if MAC_CHROME.is_file() else None


def require_chromium() -> Path:
    found = find_chromium()
    if found is None:
        named = os.environ.get(CHROMIUM_ENV)
        raise ChromiumMissing(
            (f"${CHROMIUM_ENV}={named} is not a file. " if named else "No Chromium or Chrome was found. ")
            + "The browser tests need one: `sudo apt-get install chromium` on Debian or Ubuntu, "
            f"or set {CHROMIUM_ENV} to a Chromium or Chrome executable (never `playwright install`)."
        )
    return found


def launch_chromium(playwright):
    """The machine's Chromium, headless, with no background traffic of its own (a fresh temporary profile)."""
    return playwright.chromium.launch(executable_path=str(require_chromium()), headless=True, args=CHROMIUM_ARGS)


def _apt_install_command() -> list[str] | None:
    """How to install Debian's chromium here: as root, or through sudo without a password; None if neither."""
    if not shutil.which("apt-get"):
        return None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def ensure_chromium() -> int:
    """Find a Chromium, or install Debian's; 0 when there is one, 1 (and one line saying why) otherwise."""
    try:
        print(f"browser tests: {require_chromium()}")
        return 0
    except ChromiumMissing as err:
        missing = err
    prefix = None if os.environ.get(CHROMIUM_ENV) else _apt_install_command()  # a named browser is not replaced
    if prefix is None:
        print(missing, file=sys.stderr)
        return 1
    print("browser tests: installing Debian's chromium with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(prefix + cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            print(f"`{' '.join(prefix + cmd)}` failed: install chromium by hand, or set {CHROMIUM_ENV}", file=sys.stderr)
            return 1
    return ensure_chromium() if find_chromium() else 1


# -- recording ----------------------------------------------------------------------------------

def is_local(url: str) -> bool:
    """True for the test server and for URLs that reach no host at all (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parts.hostname == LOCAL_HOST


def is_favicon(url: str) -> bool:
    return urlsplit(url).path.endswith("/favicon.ico")


@dataclass
class Recorder:
    """Everything a page asked for or complained about, from the moment it is attached."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    in_flight: dict = field(default_factory=dict)

    def attach(self, context) -> None:
        # context-wide, so iframes, popups and workers are recorded too
        context.on("request", self._request)
        context.on("requestfinished", lambda r: self.in_flight.pop(r, None))
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)
        # another host is never contacted: the request is recorded above, then aborted here
        # (a regular expression, so that Chromium intercepts only those, not every request)
        context.route(OTHER_HOST, lambda route: route.abort("blockedbyclient"))

    def _request(self, request) -> None:
        self.requests.append(request.url)
        self.in_flight[request] = request.url

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))

    def _response(self, response) -> None:
        if response.status >= 400 and not is_favicon(response.url):
            self.failed.append(f"{response.status} {response.url}")

    def _request_failed(self, request) -> None:
        self.in_flight.pop(request, None)
        if is_local(request.url) and not is_favicon(request.url):  # external ones are reported as external
            self.failed.append(f"{request.failure} {request.url}")

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if is_favicon(where):  # the browser's own favicon probe (the site has none): not the page's error
            return
        self.console_errors.append(f"{msg.text} (at {where or 'inline'})")

    def wait_for_network_idle(self, page, quiet_s: float = 0.5, timeout_s: float = 30) -> list[str]:
        """Wait until no request has been in flight for ``quiet_s``; returns what is still in flight.

        Playwright's own "networkidle" is unreliable here: under CPU load it can fire while the
        page is still being parsed, and in a context with a warm cache it may never fire at all.
        """
        start = quiet_since = time.monotonic()
        while time.monotonic() - start < timeout_s:
            if self.in_flight:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return []
            page.wait_for_timeout(50)  # lets Playwright deliver the page's events meanwhile
        return sorted(set(self.in_flight.values()))

    @property
    def external(self) -> list[str]:
        return sorted({u for u in self.requests if not is_local(u)})


# -- artefacts ----------------------------------------------------------------------------------

def screenshot_path(name: str) -> Path:
    """test-artifacts/screenshots/<page>.png, ``name`` being the page's path without suffix."""
    return SCREENSHOTS / f"{name}.png"


def clear_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)


@contextlib.contextmanager
def screenshot_on_failure(page, name: str) -> Iterator[None]:
    """Save a full-page screenshot of ``page`` if the block fails (assertion, pytest.fail, timeout...)."""
    try:
        yield
    except KeyboardInterrupt:
        raise
    except BaseException:
        path = screenshot_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path), full_page=True, timeout=20_000)
        raise


if __name__ == "__main__":
    if sys.argv[1:] != ["--ensure"]:
        sys.exit("usage: python tests/browser.py --ensure   (find a Chromium for the browser tests, or install one)")
    sys.exit(ensure_chromium())
