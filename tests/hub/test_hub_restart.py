"""A real hub process restarted on its state directory keeps players, scores and its code."""

import asyncio
import json
import math
import re
import subprocess
import sys
import time

from hubkit import ROOT, hello, inp, messages, run
from hubproc import HubProcess
from websockets.asyncio.client import connect

ADA, BOB = "a4cf12fe0b1c", "0badc0ffee00"


def banner_code(hub, starts=1) -> str:
    """The code in the banner of the hub's ``starts``-th start (waits for that banner)."""
    hub.wait_for_output(r"(  kept in: .*\n[\s\S]*){" + str(starts) + "}")
    return re.findall(r"pairing code: (\d{6})", hub.output())[starts - 1]


async def latest_state(ws):
    """The newest state message a window has been sent (reads until nothing more is waiting)."""
    last = None
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), 0.02 if last else 5)
        except TimeoutError:
            return last
        for m in messages(raw):
            if m["type"] == "state":
                last = m


def player(state, dev):
    return next(p for p in state["players"] if p["id"] == f"c-{dev}")


async def join(hub, dev, name):
    c = await connect(hub.ws_url("controller"))
    await c.send(hello(dev, name))
    return c, await asyncio.wait_for(c.recv(), 5)


async def score_a_kill(hub):
    """Ada walks up to Bob (who stands still) and shoots until she has killed him once.
    Returns Ada's welcome bytes and the window's last state."""
    ada, welcome = await join(hub, ADA, "Ada")
    bob, _ = await join(hub, BOB, "Bob")
    win = await connect(hub.ws_url("window"))
    seq, shots = 1, 0
    await ada.send(inp(seq))  # the first frame sets the press baseline
    for _ in range(200):  # generous; typically 4 hits in about 3 s
        state = await latest_state(win)
        a, b = player(state, ADA), player(state, BOB)
        if a["score"] >= 1:
            break
        dx, dy = b["x"] - a["x"], b["y"] - a["y"]
        dist = math.hypot(dx, dy) or 1
        seq += 1
        ux, uy = dx / dist, dy / dist
        if dist > 300:  # walk closer, at full speed
            await ada.send(inp(seq, (0, shots, 0), round(ux * 1000), round(uy * 1000)))
            await asyncio.sleep(0.1)
            continue
        shots += 1  # aim at Bob with a slight push (sets the aim), fire, then stand still
        await ada.send(inp(seq, (0, shots, 0), round(ux * 100), round(uy * 100)))
        seq += 1
        await ada.send(inp(seq, (0, shots, 0), 0, 0))
        await asyncio.sleep(0.45)  # the shot cooldown is 0.4 s
    assert a["score"] == 1, state
    for ws in (ada, bob, win):
        await ws.close()
    return welcome, state


async def comes_back(hub, code):
    """Ada reconnects with the same code and device id; returns her welcome and the state."""
    assert code == hub.code or hub.code is None
    ada = await connect(hub.ws_url("controller", code=code))
    await ada.send(hello(ADA, ""))
    welcome = await asyncio.wait_for(ada.recv(), 5)
    win = await connect(hub.ws_url("window", code=code))
    state = await latest_state(win)
    await ada.close()
    await win.close()
    return welcome, state


def check_kept(before_welcome, before, after_welcome, after):
    assert after_welcome == before_welcome  # same slot and colour: bytes 2..5 of the welcome
    a0, a1 = player(before, ADA), player(after, ADA)
    assert (a1["slot"], a1["color"], a1["score"], a1["name"]) == (
        a0["slot"],
        a0["color"],
        1,
        "Ada",
    )
    b1 = player(after, BOB)  # Bob has not come back: still there, waiting in grace
    assert b1["connected"] is False and b1["slot"] == player(before, BOB)["slot"]


def test_sigterm_restart_keeps_players_slots_colours_scores_and_the_code():
    with HubProcess("--map", "open", code=None) as hub:
        code = hub.code = banner_code(hub)
        welcome, before = run(score_a_kill(hub), timeout=90)
        hub.restart()
        assert banner_code(hub, 2) == code and "code kept from the last run" in hub.output()
        after_welcome, after = run(comes_back(hub, code))
    check_kept(welcome, before, after_welcome, after)
    assert "room_restored room=default players=2" in hub.output()


def test_kill_9_after_a_save_keeps_them_too():
    with HubProcess("--map", "open", code=None) as hub:
        code = hub.code = banner_code(hub)
        welcome, before = run(score_a_kill(hub), timeout=90)
        saved = hub.state_dir / "rooms" / "default.json"
        for _ in range(1000):  # the hub writes a changed room within a second; generous
            if saved.exists() and player(json.loads(saved.read_text()), ADA)["score"] == 1:
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"never saved Ada's kill:\n{hub.output()}")
        hub.restart(kill=True)
        assert banner_code(hub, 2) == code
        after_welcome, after = run(comes_back(hub, code))
    check_kept(welcome, before, after_welcome, after)


def test_a_corrupt_and_an_other_version_state_file_are_set_aside_with_one_line_each():
    with HubProcess() as hub:
        pass  # creates the state dir layout
    rooms = hub.state_dir / "rooms"
    (rooms / "default.json").write_text('{"format": "blinkshot-room", "version": 1, "tick": ')
    future = {"format": "blinkshot-room", "version": 2, "room": "arena", "whatever": []}
    (rooms / "arena.json").write_text(json.dumps(future))
    (hub.state_dir / "pairing.json").write_bytes(b"\x00\x01garbage")
    with hub:
        run(join(hub, ADA, "Ada"))  # the hub serves as usual
    out = hub.output()
    lines = [x for x in out.splitlines() if "state_file_set_aside" in x]
    assert len(lines) == 3, out
    assert any("default.json" in x and "not JSON" in x and "corrupt-" in x for x in lines)
    assert any("arena.json" in x and "version 2, this hub reads 1" in x for x in lines)
    assert any("pairing.json" in x and "corrupt-" in x for x in lines)
    names = sorted(p.name for p in rooms.iterdir())
    assert re.fullmatch(r"arena\.json\.version-2-\d{8}T\d{6}Z", names[0]), names
    assert any(re.fullmatch(r"default\.json\.corrupt-\d{8}T\d{6}Z", n) for n in names), names
    assert [p.name for p in hub.state_dir.glob("pairing.json.corrupt-*")]
    assert json.loads((rooms / names[0]).read_text()) == future  # kept as it was, for v2
    assert "Traceback" not in out


def test_pairing_code_changes_only_when_asked_and_the_change_is_kept():
    with HubProcess("--map", "open", code=None) as hub:
        first = banner_code(hub)
        hub.stop()
        hub.extra = ["--pairing-code", "424242"]
        hub.start()
        assert banner_code(hub, 2) == "424242"
        assert "code replaced by --pairing-code" in hub.output()
        hub.extra = []
        hub.restart()
        assert banner_code(hub, 3) == "424242"  # kept without the flag
        hub.extra = ["--new-pairing-code"]
        hub.restart()
        fresh = banner_code(hub, 4)
        hub.extra = []
        hub.restart()
        assert banner_code(hub, 5) == fresh
    assert first != "424242" and fresh != "424242"
    stored = json.loads((hub.state_dir / "pairing.json").read_text())
    assert stored == {"format": "blinkshot-pairing", "version": 1, "code": fresh}
    log_lines = [x for x in hub.output().splitlines() if x[:2] == "20"]
    assert not any(fresh in x or "424242" in x for x in log_lines)  # codes stay out of logs


def _hub_exits(*args, env=None):
    cmd = [sys.executable, "-m", "hub", "--host", "127.0.0.1", "--port", "0", "--no-beacon"]
    p = subprocess.run(
        cmd + list(args), cwd=ROOT, capture_output=True, text=True, timeout=30, env=env
    )
    return p.returncode, p.stderr.strip().splitlines()


def test_a_second_hub_on_the_same_state_dir_is_refused_in_one_line():
    with HubProcess() as hub:
        code, err = _hub_exits("--state-dir", str(hub.state_dir))
    assert code != 0 and len(err) == 1, err
    assert "in use by another hub (pid" in err[0] and "--state-dir DIR" in err[0]


def test_a_bad_redis_url_or_an_unreachable_redis_is_one_line_with_the_fix(tmp_path):
    from redisproc import free_port

    code, err = _hub_exits("--no-state", "--redis", "http://127.0.0.1:6379")
    assert code == 2 and "not a Redis URL" in err[-1] and "redis://127.0.0.1:6379/0" in err[-1]
    url = f"redis://127.0.0.1:{free_port()}/0"
    code, err = _hub_exits("--state-dir", str(tmp_path), "--redis", url)
    assert code != 0 and len(err) == 1, err
    assert err[0].startswith(f"hub: cannot reach Redis at {url}") and "redis-server" in err[0]
