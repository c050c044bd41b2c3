"""Find a Chromium for the browser tests and the benchmarks, or say in one message how to get one.

    python bench/chromium.py            # print the browser that would be used, exit 1 if none
    python bench/chromium.py --ensure   # as `make test` does: also let Playwright download its
                                        # own build when none is installed (not in CI)

Looked for, in order: $BLINKSHOT_CHROMIUM, then the usual Chromium and Chrome command names on
PATH (Debian's `chromium`, Ubuntu's `chromium-browser`, Google Chrome, ...), then the usual
install paths on macOS, then a Chromium that Playwright downloaded earlier.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "chromium-freeworld",
)
APP_PATHS = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/snap/bin/chromium",
)
ENV = "BLINKSHOT_CHROMIUM"


class NoChromium(RuntimeError):
    pass


def how_to_fix(detail=""):
    """The one message for a missing browser: what was looked for and the three ways out."""
    lead = f"no Chromium for the browser tests{': ' + detail if detail else ''}.\n"
    return (
        lead + "Looked for $" + ENV + ", " + ", ".join(NAMES) + " on PATH and Playwright's "
        "downloaded build. Fix it one of these ways:\n"
        "  - install it: sudo apt-get install chromium (Debian; Ubuntu: chromium-browser), "
        "or install Google Chrome\n"
        f"  - point at one: export {ENV}=/path/to/chromium-or-chrome\n"
        "  - when online: .venv/bin/playwright install chromium (Playwright's own build)"
    )


def find(env=None, which=shutil.which, exists=os.path.exists):
    """Path of a Chromium or Chrome executable, or None for 'use Playwright's own build'.

    Raises NoChromium if $BLINKSHOT_CHROMIUM is set but is not an executable file (a typo
    there should not silently fall back to another browser)."""
    env = os.environ if env is None else env
    chosen = env.get(ENV)
    if chosen:
        if not (exists(chosen) and os.access(chosen, os.X_OK)):
            raise NoChromium(how_to_fix(f"{ENV}={chosen} is not an executable file"))
        return chosen
    for name in NAMES:
        found = which(name)
        if found:
            return found
    for path in APP_PATHS:
        if exists(path):
            return path
    return None


def playwright_build():
    """Path of Playwright's own downloaded Chromium if there is one, else None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:  # noqa: BLE001  (no driver or no browser: there is none to use)
        return None
    return path if path and os.path.exists(path) else None


def resolve():
    """The executable to launch (system first, then Playwright's build). Raises NoChromium."""
    path = find() or playwright_build()
    if path is None:
        raise NoChromium(how_to_fix())
    return path


def ensure(ci):
    """Make sure a browser is there; in CI never download (a missing browser is a failure)."""
    path = find() or playwright_build()
    if path:
        return path
    if ci:
        raise NoChromium(how_to_fix("in CI; .ci/run must install the chromium package"))
    print("chromium: none installed; asking Playwright to download its own build", flush=True)
    exe = Path(sys.executable).parent / "playwright"
    r = subprocess.run([str(exe), "install", "chromium"], capture_output=True, text=True)
    path = playwright_build()
    if r.returncode != 0 or path is None:
        last = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]
        raise NoChromium(how_to_fix(f"Playwright's download failed ({last[0][:200]})"))
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ensure", action="store_true", help="download Playwright's build if needed")
    args = p.parse_args(argv)
    try:
        path = ensure(bool(os.environ.get("CI"))) if args.ensure else resolve()
    except NoChromium as e:
        print(f"chromium: {e}", file=sys.stderr)
        return 1
    print(f"chromium: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
