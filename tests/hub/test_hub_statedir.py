"""The state directory (real files in a temp dir), the save and code policy, the options."""

import asyncio
import json
import logging
import os
import random
import stat
from pathlib import Path

import pytest
from hubkit import CODE, open_controller, run, running_hub

from hub import config, snapshot
from hub import game as rules
from hub.persist import SaveTracker, choose_code
from hub.rooms import Room
from hub.statedir import StateDir, StateDirError, default_dir, write_atomic


def room_snap(name="default", score=0):
    room = Room(name, lambda m, k: None, lambda *a: None, game=rules.Game(rng=random.Random(2)))
    room.attach("c-a4cf12fe0b1c", "controller", "Ada", "conn", 0)
    room.game.players["c-a4cf12fe0b1c"].score = score
    return snapshot.dump(room, saved_at=1.0)


# Where ---------------------------------------------------------------------------------------


def test_default_dir_follows_xdg_state_home_per_port():
    assert default_dir({"XDG_STATE_HOME": "/s"}, 8000) == Path("/s/blinkshot/hub-8000")
    home = Path(os.path.expanduser("~"))
    assert default_dir({}, 8001) == home / ".local/state/blinkshot/hub-8001"
    assert default_dir({"XDG_STATE_HOME": "rel"}, 8000).is_relative_to(home)  # relative: ignored
    assert default_dir({"XDG_STATE_HOME": "/s"}, 0) is None  # a new port each start: no state


def test_cli_picks_the_default_and_in_process_config_keeps_nothing(monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", "/xdg")
    monkeypatch.delenv("BLINKSHOT_STATE_DIR", raising=False)
    assert config.from_args([]).state_dir == "/xdg/blinkshot/hub-8000"
    assert config.from_args(["--state-dir", "/mine"]).state_dir == "/mine"
    assert config.from_args(["--no-state"]).state_dir is None
    assert config.from_args(["--port", "0"]).state_dir is None
    monkeypatch.setenv("BLINKSHOT_STATE_DIR", "/env")
    assert config.from_args([]).state_dir == "/env"
    assert config.Config().state_dir is None and config.Config().pairing_code is None


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--pairing-code", "123456", "--new-pairing-code"], "not both"),
        (["--no-state", "--new-pairing-code"], "there is none without a state dir"),
        (["--redis", "localhost:6379"], "not a Redis URL"),
    ],
)
def test_contradictory_or_bad_state_options_are_one_clear_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        config.from_args(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


# Files ---------------------------------------------------------------------------------------


def test_atomic_write_replaces_whole_leaves_no_temp_file_and_is_private(tmp_path):
    target = tmp_path / "f.json"
    write_atomic(target, b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_code_and_rooms_round_trip(tmp_path):
    d = StateDir(tmp_path / "state").open()
    assert d.read_code() is None and d.read_rooms() == []
    d.write_code("482913")
    d.write_room("default", json.dumps(room_snap(score=3)))
    d.write_room("arena", json.dumps(room_snap("arena")))
    assert d.read_code() == "482913"
    rooms = {s["room"]: s for s in d.read_rooms()}
    assert rooms["default"] == snapshot.parse(room_snap(score=3)) and "arena" in rooms
    d.delete_room("arena")
    d.delete_room("arena")  # gone already: fine
    assert [s["room"] for s in d.read_rooms()] == ["default"]
    d.close()


BAD_FILES = [
    ("rooms/default.json", b"{truncated", "corrupt", "not JSON"),
    ("rooms/default.json", b"\xff\xfe", "corrupt", "not JSON"),
    ("rooms/default.json", b"[]", "corrupt", "not a JSON object"),
    ("rooms/default.json", b'{"format": "blinkshot-room", "version": 3}', "version-3", "version 3"),
    ("rooms/other.json", json.dumps(room_snap("arena")).encode(), "corrupt", "holds room 'arena'"),
    ("pairing.json", b'{"format": "blinkshot-pairing", "version": 1, "code": "12"}', "corrupt",
     "six digits"),
    ("pairing.json", b'{"format": "blinkshot-pairing", "version": 0}', "version-0", "version 0"),
]  # fmt: skip


@pytest.mark.parametrize("name,body,tag,reason", BAD_FILES)
def test_a_bad_file_is_set_aside_with_one_warning_and_the_rest_still_loads(
    tmp_path, caplog, name, body, tag, reason
):
    d = StateDir(tmp_path).open()
    d.write_room("good", json.dumps(room_snap("good")))
    (tmp_path / name).write_bytes(body)
    with caplog.at_level(logging.WARNING, logger="hub"):
        rooms, code = d.read_rooms(), d.read_code()
    assert [s["room"] for s in rooms] == ["good"] and code is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("state_file_set_aside") and reason in lines[0]
    aside = list((tmp_path / name).parent.glob(f"{Path(name).name}.{tag}-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == body  # kept, byte for byte
    assert not (tmp_path / name).exists()
    d.close()


def test_a_second_hub_cannot_open_a_directory_in_use(tmp_path):
    first = StateDir(tmp_path).open()
    with pytest.raises(StateDirError, match=rf"in use by another hub \(pid {os.getpid()}\)"):
        StateDir(tmp_path).open()
    first.close()
    StateDir(tmp_path).open().close()  # free again once the first let go


def test_an_unusable_directory_says_how_to_fix_it(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StateDirError, match="--state-dir DIR, or run without state: --no-state"):
        StateDir(tmp_path / "file" / "state").open()


# Policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored,given,renew,expected",
    [
        (None, None, False, ("999999", "new")),
        ("111111", None, False, ("111111", "kept")),
        ("111111", "111111", False, ("111111", "kept")),
        ("111111", "222222", False, ("222222", "replaced")),
        (None, "222222", False, ("222222", "given")),
        ("111111", None, True, ("999999", "new")),
    ],
)
def test_the_code_changes_only_when_asked(stored, given, renew, expected):
    assert choose_code(stored, given, renew, draw=lambda: "999999") == expected


def test_a_room_is_written_when_it_changed_and_its_clock_alone_rarely():
    t = SaveTracker(clock_save_s=15)
    snap = room_snap()
    assert t.due("default", snap, now=0)
    t.written("default", snap, now=0)
    assert not t.due("default", snap, now=1)
    ticked = {**snap, "tick": snap["tick"] + 60, "saved_at": 99.0}
    assert not t.due("default", ticked, now=5)  # only the clock moved
    assert t.due("default", ticked, now=15)  # ... for long enough
    assert t.due("default", room_snap(score=1), now=1)  # a score changed
    assert t.gone({"default": 1}) == [] and t.gone({}) == ["default"]


# In-process hub ------------------------------------------------------------------------------


def test_an_in_process_hub_with_a_state_dir_saves_at_stop_and_restores_at_start(tmp_path):
    async def body():
        async with running_hub(state_dir=str(tmp_path)) as hub:
            ws, welcome = await open_controller(hub, dev="0badc0ffee00", name="Bob")
            hub.rooms["default"].game.players["c-0badc0ffee00"].score = 7
            await ws.close()
        async with running_hub(state_dir=str(tmp_path)) as hub:
            assert hub.cfg.pairing_code == CODE
            ws, again = await open_controller(hub, dev="0badc0ffee00", name="")
            score = hub.rooms["default"].game.players["c-0badc0ffee00"].score
            await ws.close()
        return welcome, again, score

    welcome, again, score = run(body())
    assert again == welcome and score == 7
    assert json.loads((tmp_path / "pairing.json").read_text())["code"] == CODE


def test_an_unreadable_room_file_is_reported_and_skipped(tmp_path, caplog):
    d = StateDir(tmp_path).open()
    (tmp_path / "rooms" / "default.json").mkdir()  # not a file at all
    with caplog.at_level(logging.WARNING, logger="hub"):
        assert d.read_rooms() == []
    assert caplog.records[0].getMessage().startswith("state_file_unreadable")
    d.close()


def test_a_failing_save_is_one_warning_the_game_goes_on_and_recovery_is_reported(tmp_path, caplog):
    async def body():
        async with running_hub(state_dir=str(tmp_path)) as hub:
            rooms = tmp_path / "rooms"
            rooms.rename(tmp_path / "away")
            rooms.write_text("")  # a file where the directory was: every write fails
            p = hub.persist
            for _ in range(3):
                p.write(*p.collect(now=0.0, everything=True))
            rooms.unlink()
            (tmp_path / "away").rename(rooms)
            p.write(*p.collect(now=0.0, everything=True))
            assert (rooms / "default.json").exists()

    with caplog.at_level(logging.INFO, logger="hub"):
        run(body())
    events = [r.getMessage().split()[0] for r in caplog.records]
    assert events.count("state_save_failed") == 1 and events.count("state_save_ok") == 1


def test_a_restart_with_bots_keeps_the_humans_and_makes_its_bots_afresh(tmp_path):
    async def body():
        async with running_hub(state_dir=str(tmp_path), bots=2) as hub:
            ws, _ = await open_controller(hub, dev="0badc0ffee00", name="Bob")
            room = hub.rooms["default"]
            for _ in range(200):  # the clock adds the bots within a tick or two; generous
                if len(room.seats) == 3:
                    break
                await asyncio.sleep(0.01)
            await ws.close()
        saved = json.loads((tmp_path / "rooms" / "default.json").read_text())
        async with running_hub(state_dir=str(tmp_path), bots=2) as hub:
            room = hub.rooms["default"]
            for _ in range(200):
                if len(room.seats) == 3:
                    break
                await asyncio.sleep(0.01)
            kinds = sorted(s.kind for s in room.seats.values())
        return [p["id"] for p in saved["players"]], kinds

    ids, kinds = run(body())
    assert ids == ["c-0badc0ffee00"]  # bots are not written
    assert kinds == ["bot", "bot", "controller"]  # the human back in grace, two new bots
