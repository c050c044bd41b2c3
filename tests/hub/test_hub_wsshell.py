"""The websockets shell knows which library it was written for, and says when it changed."""

import re
from pathlib import Path

import websockets

from hub import wsshell

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_websockets_has_the_shape_the_shell_relies_on():
    problems = wsshell.check_library()
    assert not problems, (
        f"websockets {websockets.version.version} changed under hub/wsshell.py: "
        + "; ".join(problems)
        + ". Update wsshell.py (and TESTED, and the pin in pyproject.toml) for this version."
    )


def test_the_pin_in_pyproject_is_the_range_the_shell_was_tested_with():
    text = (ROOT / "pyproject.toml").read_text()
    pin = re.search(r'"websockets>=([\d.]+),<([\d.]+)"', text)
    assert pin, "pyproject.toml must pin websockets to a range: websockets>=A,<B"
    lo, hi = (tuple(int(n) for n in (v + ".0").split(".")[:2]) for v in pin.groups())
    assert (lo, hi) == wsshell.TESTED


def test_a_library_outside_the_tested_range_is_reported(monkeypatch):
    monkeypatch.setattr(websockets.version, "version", "99.0")
    (problem,) = wsshell.check_library()
    assert "99.0" in problem and "outside" in problem


def test_a_missing_internal_is_named(monkeypatch):
    from websockets.streams import StreamReader

    original = StreamReader.__init__

    def init(self):
        original(self)
        del self.buffer

    monkeypatch.setattr(StreamReader, "__init__", init)
    assert any("StreamReader.buffer" in p for p in wsshell.check_library())


def test_a_serve_without_its_protocol_factory_is_named(monkeypatch):
    from websockets.asyncio import server

    monkeypatch.setattr(server, "serve", lambda *a, **kw: None)
    assert any("protocol_factory" in p for p in wsshell.check_library())
