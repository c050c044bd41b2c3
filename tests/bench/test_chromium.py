"""bench/chromium.py, the one place that finds a browser for the browser tests and benchmarks:
the search order, a wrong BLINKSHOT_CHROMIUM, and one message naming the three ways out. In CI
nothing is downloaded: a missing browser is a failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import chromium  # noqa: E402


def which_of(**found):
    return lambda name: found.get(name.replace("-", "_"))


def test_blinkshot_chromium_comes_first(tmp_path):
    exe = tmp_path / "my-chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    env = {"BLINKSHOT_CHROMIUM": str(exe)}
    assert chromium.find(env, which_of(chromium="/usr/bin/chromium")) == str(exe)


def test_a_wrong_blinkshot_chromium_is_named_not_passed_over(tmp_path):
    env = {"BLINKSHOT_CHROMIUM": str(tmp_path / "nope")}
    with pytest.raises(chromium.NoChromium) as e:
        chromium.find(env, which_of(chromium="/usr/bin/chromium"))
    assert f"BLINKSHOT_CHROMIUM={tmp_path / 'nope'} is not an executable file" in str(e.value)


@pytest.mark.parametrize(
    "found, want",
    [
        ({"chromium_browser": "/snap/x"}, "/snap/x"),  # Ubuntu
        ({"google_chrome": "/opt/g", "chrome": "/c"}, "/opt/g"),
        ({"google_chrome_stable": "/opt/gs"}, "/opt/gs"),
        ({"chromium": "/a", "google_chrome": "/b"}, "/a"),  # Chromium before Chrome
    ],
)
def test_the_usual_chromium_and_chrome_names_are_looked_for(found, want):
    assert chromium.find({}, which_of(**found), exists=lambda p: False) == want


def test_nothing_found_means_playwrights_build():
    assert chromium.find({}, which_of(), exists=lambda p: False) is None


def test_the_message_names_every_way_out():
    text = chromium.how_to_fix()
    for part in ("apt-get install chromium", "BLINKSHOT_CHROMIUM=", "playwright install chromium"):
        assert part in text
    for name in chromium.NAMES:
        assert name in text


def test_in_ci_a_missing_browser_fails_with_the_message_and_downloads_nothing(tmp_path):
    env = {
        "PATH": str(tmp_path),  # no browser on it
        "CI": "true",
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "pw"),  # no downloaded build either
        "HOME": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chromium.py"), "--ensure"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 1
    assert "in CI" in r.stderr and "BLINKSHOT_CHROMIUM" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "pw").exists()  # nothing was downloaded


def test_make_test_checks_the_browser_first():
    make = (ROOT / "Makefile").read_text()
    assert "bench/chromium.py --ensure" in make
    assert "test: $(DEV_STAMP) $(NODE_STAMP) browser lint" in make
    assert os.environ.get("CI") is None or chromium.resolve()  # CI: .ci/run installed it
