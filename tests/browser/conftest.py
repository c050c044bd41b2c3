"""Fixtures for the browser tests: one Chromium per module, one hub per module."""

import pytest
from browserkit import HubProcess, launch
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def hub():
    with HubProcess() as h:
        yield h
