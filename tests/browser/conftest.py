"""Browser tests: Playwright for Python driving Debian's Chromium (Playwright's own browser
download does not work offline). Without Chromium the tests are skipped with a plain reason."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PARTA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# Flags that work as root in a closed network: no sandbox, no GPU, no background calls out.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run
# beside it, though every query here is a plain synchronous one made by the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath) and CHROMIUM is None:
            item.add_marker(
                pytest.mark.skip(
                    reason="Chromium is not installed (apt-get install chromium); browser tests skipped"
                )
            )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ROOT = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment of a laptop Parta in ``data_dir``: its own SQLite database whatever
    DATABASE_URL the suite has, DEBUG on as `make run` turns it on."""
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PARTA_DATA_DIR"] = str(data_dir)
    env["PARTA_DEBUG"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` in that environment; its output."""
    done = subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@contextlib.contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """``runserver`` on a free port until the block ends; its address once it answers."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"{url}/login/", timeout=2):  # noqa: S310 — loopback only
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo school, migrated and loaded once per run (about 40 s): the servers of the modules
    each serve a copy of it (``demo_copy``)."""
    data = tmp_path_factory.mktemp("demo-school")
    env = server_env(data)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "demo_load")
    return data


def demo_copy(demo_school: Path, data_dir: Path) -> dict[str, str]:
    """A copy of the demo school (database and files) in ``data_dir``, and the environment that
    serves it: what a module writes there reaches no other module's pages."""
    shutil.copytree(demo_school, data_dir, dirs_exist_ok=True)
    return server_env(data_dir)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[str]:
    """The product as `make run` serves it: migrate, load the demo school, serve over HTTP."""
    env = demo_copy(demo_school, tmp_path_factory.mktemp("demo"))
    manage(env, "vapid_keys", "--verbosity", "0")
    with serving(env) as url:
        yield url
