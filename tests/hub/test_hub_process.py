"""The hub as users run it: `python -m hub` in a subprocess (tests/hubproc.py)."""

import asyncio
import json
import os
import socket
import subprocess
import sys

from hubkit import ROOT, expect_close, hello, inp, next_msg, run
from hubproc import HubProcess
from websockets.asyncio.client import connect


def test_sigterm_closes_every_connection_with_1001_and_exits_0():
    async def body(hub):
        w = await connect(hub.ws_url("window"))
        await next_msg(w, "welcome")
        c = await connect(hub.ws_url("controller"))
        await c.send(hello())
        await c.recv()
        hub.proc.send_signal(15)
        for ws in (w, c):
            code, reason = await expect_close(ws)
            assert code == 1001 and "reconnect" in reason

    with HubProcess() as hub:
        run(body(hub))
        assert hub.proc.wait(10) == 0
    out = hub.output()
    assert "shutdown connections=2" in out and "stopped" in out


def test_restart_on_same_port_and_log_lines():
    with HubProcess() as hub:
        port = hub.port
        run(_connect_controller(hub))
        hub.restart()
        assert hub.port == port
        run(_connect_controller(hub))
        out = hub.output()
        assert "hello kind=controller room=default id=a4cf12fe0b1c name=Ada" in out
        assert "disconnect kind=controller" in out
        log_lines = [x for x in out.splitlines() if x[:2] == "20"]  # timestamped log lines
        assert log_lines and not any("123456" in x for x in log_lines)  # no secrets in logs


async def _connect_controller(hub):
    c = await connect(hub.ws_url("controller"))
    await c.send(hello())
    assert (await c.recv())[0] == 0x81
    await c.close()
    await asyncio.sleep(0.05)


def test_json_logs_one_object_per_line():
    with HubProcess("--log-format", "json") as hub:
        run(_connect_controller(hub))
        hub.wait_for_output(r'"event": "disconnect"')
    events = [json.loads(x) for x in hub.output().splitlines() if x.startswith("{")]
    kinds = [e["event"] for e in events]
    assert {"connect", "hello", "disconnect", "shutdown", "stopped"} <= set(kinds)
    hello_ev = next(e for e in events if e["event"] == "hello")
    assert hello_ev["id"] == "a4cf12fe0b1c" and hello_ev["level"] == "info"


def test_beacon_reaches_a_udp_listener():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(5)
    try:
        with HubProcess(beacon_addr=f"127.0.0.1:{rx.getsockname()[1]}") as hub:
            data, addr = rx.recvfrom(2048)
    finally:
        rx.close()
    assert data.startswith(b"BSHUB1 ")
    body = json.loads(data[7:])
    assert body == {"port": hub.port, "path": "/ws/controller", "proto": 1, "name": "blinkshot"}
    assert addr[0] == "127.0.0.1"


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )


def test_help_explains_every_option_and_env_var():
    out = _cli("--help").stdout
    for opt in ["--host", "--port", "--room", "--pairing-code", "--grace", "--log-level",
                "--log-format", "--allow-origin", "--beacon-addr", "--no-beacon",
                "--loop"]:  # fmt: skip
        assert opt in out
    assert "BLINKSHOT_PAIRING_CODE" in out and "BLINKSHOT_PORT" in out


def test_bad_settings_fail_with_a_clear_message():
    r = _cli("--pairing-code", "12ab")
    assert r.returncode == 2 and "six digits" in r.stderr
    r = _cli("--room", "a b")
    assert r.returncode == 2 and "--room" in r.stderr


def test_env_vars_configure_the_hub():
    with HubProcess(env={"BLINKSHOT_GRACE": "2.5", "BLINKSHOT_NAME": "lanhub"}) as hub:
        out = hub.wait_for_output(r"grace (\S+) s").group(1)
    assert out == "2.5"


def test_port_in_use_is_a_clear_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        r = _cli("--host", "127.0.0.1", "--port", str(s.getsockname()[1]), "--no-beacon")
    finally:
        s.close()
    assert r.returncode == 2 and "--port" in r.stderr


async def _relay_one_move(hub):
    w = await connect(hub.ws_url("window"))
    await next_msg(w, "welcome")
    c = await connect(hub.ws_url("controller"))
    await c.send(hello())
    await c.recv()
    await c.send(inp(1))
    await c.send(inp(2, x=321))
    move = await next_msg(w, "move")
    assert (move["cseq"], move["x"]) == (2, 321)
    await c.close()
    await w.close()


def test_event_loop_is_uvloop_when_installed_and_asyncio_on_request():
    with HubProcess() as hub:
        assert hub.wait_for_output(r"event loop: (\S+)").group(1) == "uvloop"
        run(_relay_one_move(hub))
    with HubProcess("--loop", "asyncio") as hub:
        assert hub.wait_for_output(r"event loop: (\S+)").group(1) == "asyncio"
        run(_relay_one_move(hub))


def test_loop_uvloop_without_uvloop_is_a_clear_error(tmp_path):
    (tmp_path / "uvloop.py").write_text("raise ImportError('not installed here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    r = _cli("--loop", "uvloop", "--host", "127.0.0.1", "--port", "0", "--no-beacon", env=env)
    assert r.returncode != 0 and "--loop uvloop needs the uvloop package" in r.stderr
    assert "--loop asyncio" in r.stderr
    with HubProcess(env={"PYTHONPATH": env["PYTHONPATH"]}) as hub:  # auto falls back
        assert hub.wait_for_output(r"event loop: (\S+)").group(1) == "asyncio"
