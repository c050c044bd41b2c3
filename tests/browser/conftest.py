"""Fixtures for the browser tests: one Chromium per module, one hub per module."""

import os

import pytest
from browserkit import HubProcess, chromium, launch
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def chromium_ok():
    """One clear message, not a stack trace per module, when there is no browser: a failure in
    CI (where .ci/run installs it), a skip elsewhere so the other tests still run."""
    try:
        return chromium.resolve()
    except chromium.NoChromium as e:
        if os.environ.get("CI"):
            pytest.fail(str(e), pytrace=False)
        pytest.skip(str(e))


@pytest.fixture(scope="module")
def browser(chromium_ok):
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def hub():
    with HubProcess() as h:
        yield h
