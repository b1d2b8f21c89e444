"""Chromium for the browser tests: Debian's build, launched with the flags this machine needs."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.axe import AXE_JS, AxeWatch, CheckedBrowser

# The live server must listen where Chromium looks: 127.0.0.1, not "localhost" (which Chromium
# may resolve to ::1). `--liveserver` on the command line still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium. Every context a test makes from it has axe-core in its pages."""
    from playwright.sync_api import sync_playwright

    assert AXE_JS.exists(), f"{AXE_JS} is missing: run scripts/install-test-tools (make test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield CheckedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def accessible(request: pytest.FixtureRequest) -> Iterator[None]:
    """No serious or critical axe-core violation on any page the test opened (tests/browser/axe.py)."""
    if "chromium" not in request.fixturenames:
        yield
        return
    browser: CheckedBrowser = request.getfixturevalue("chromium")
    browser.watch = watch = AxeWatch()
    yield
    browser.watch = None
    if failures := watch.failures():
        pytest.fail("axe-core found accessibility failures:\n" + "\n".join(failures))


@pytest.fixture
def page(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
