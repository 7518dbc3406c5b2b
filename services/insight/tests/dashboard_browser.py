"""Headless Chromium for the dashboard's tests: Debian's ``chromium`` and ``chromium-driver``
(installed here if missing, as root; a machine that cannot install them fails the test with the
reason, never skips it), driven by Selenium; the app served by uvicorn on a free loopback port in
the tests' own event loop (the app's database pool belongs to it), the browser's blocking calls
made from a thread so that the loop goes on serving; axe-core (vendored beside this file, test
support only: it never ships) run in the page."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

AXE = Path(__file__).parent / "browser" / "axe.min.js"
#: WCAG 2.2 AA: axe's tags for A and AA of 2.0, 2.1 and 2.2.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
T = TypeVar("T")


def ensure_chromium() -> tuple[str, str]:
    """The paths of Debian's chromium and its driver, installing them if missing."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail("the dashboard test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]
    for command in (["apt-get", "update"], install):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver):
        pytest.fail("apt-get installed chromium, but chromium or chromedriver is not on PATH")
    return browser, driver


def chromium() -> webdriver.Chrome:
    browser, driver = ensure_chromium()
    options = Options()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(flag)
    made = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    made.set_page_load_timeout(60)
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app (its lifespan already running) over real HTTP on the loopback; its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def off_loop(call: Callable[..., T], *args: Any) -> T:
    """A blocking browser call, made while the loop serves the page it asks for."""
    return await asyncio.to_thread(call, *args)


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations of the page the browser shows."""
    driver.execute_script(AXE.read_text())
    driver.set_script_timeout(60)
    found: list[dict[str, Any]] = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.map(n => n.target.join(' '))}))))
          .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));
        """,
        WCAG_22_AA,
    )
    return found
