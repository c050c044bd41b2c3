"""Hub settings parsed in-process: round options, their env defaults and their errors."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hub import config  # noqa: E402
from hub.config import Config, from_args  # noqa: E402
from hub.game import ROUND_MS, SCORE_LIMIT  # noqa: E402
from hub.server import Hub  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("SCORE_LIMIT", "ROUND_SECONDS"):
        monkeypatch.delenv(config.ENV + name, raising=False)


def test_round_defaults_are_the_game_rules():
    cfg = from_args([])
    assert cfg.score_limit == SCORE_LIMIT == 10
    assert cfg.round_seconds * 1000 == ROUND_MS == 180_000


def test_round_options_from_the_command_line():
    cfg = from_args(["--score-limit", "3", "--round-seconds", "45.5"])
    assert cfg.score_limit == 3 and cfg.round_seconds == 45.5


def test_round_options_from_env_and_the_command_line_wins(monkeypatch):
    monkeypatch.setenv("BLINKSHOT_SCORE_LIMIT", "5")
    monkeypatch.setenv("BLINKSHOT_ROUND_SECONDS", "30")
    cfg = from_args([])
    assert cfg.score_limit == 5 and cfg.round_seconds == 30
    cfg = from_args(["--score-limit", "7"])
    assert cfg.score_limit == 7 and cfg.round_seconds == 30


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--score-limit", "0"], ["--score-limit", "1 to 1000", "got 0"]),
        (["--score-limit", "1001"], ["--score-limit", "got 1001"]),
        (["--score-limit", "2.5"], ["--score-limit", "invalid int value"]),
        (["--round-seconds", "0"], ["--round-seconds", "1 to 86400", "got 0"]),
        (["--round-seconds", "-5"], ["--round-seconds", "got -5"]),
        (["--round-seconds", "nan"], ["--round-seconds", "got nan"]),
        (["--round-seconds", "100000"], ["--round-seconds", "got 100000"]),
        (["--round-seconds", "soon"], ["--round-seconds", "invalid float value"]),
    ],
)
def test_bad_round_options_are_clear_errors(capsys, argv, words):
    with pytest.raises(SystemExit) as exc:
        from_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err


@pytest.mark.parametrize("name", ["SCORE_LIMIT", "ROUND_SECONDS"])
def test_bad_round_env_var_is_a_clear_error(monkeypatch, name):
    monkeypatch.setenv("BLINKSHOT_" + name, "lots")
    with pytest.raises(SystemExit) as exc:
        from_args([])
    assert f"BLINKSHOT_{name} must be a number" in str(exc.value.code)


def test_out_of_range_env_var_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("BLINKSHOT_SCORE_LIMIT", "0")
    with pytest.raises(SystemExit):
        from_args([])
    assert "BLINKSHOT_SCORE_LIMIT" in capsys.readouterr().err


def test_help_lists_round_options_with_defaults():
    text = config.parser().format_help()
    for piece in ("--score-limit", "BLINKSHOT_SCORE_LIMIT", "(default: 10)"):
        assert piece in text
    for piece in ("--round-seconds", "BLINKSHOT_ROUND_SECONDS", "(default: 180)"):
        assert piece in text


def test_every_room_plays_by_the_configured_rules():
    hub = Hub(Config(score_limit=2, round_seconds=12.5, beacon=False))
    for name in ("default", "other"):
        game = hub.room(name).game
        assert game.score_limit == 2 and game.round_ms == 12_500
        assert game.round_info()["score_limit"] == 2
        assert game.round_info()["time_left"] == 12_500


@pytest.mark.parametrize(
    ("host", "beacon_addr", "beacon", "on"),
    [
        ("0.0.0.0", "255.255.255.255:47810", True, True),  # LAN hub: announce itself
        ("127.0.0.1", "255.255.255.255:47810", True, False),  # unreachable from the LAN
        ("::1", "255.255.255.255:47810", True, False),
        ("127.0.0.1", "127.0.0.1:47999", True, True),  # an explicit target is honoured
        ("0.0.0.0", "255.255.255.255:47810", False, False),  # --no-beacon
    ],
)
def test_beacon_only_where_the_lan_can_reach_the_hub(host, beacon_addr, beacon, on):
    cfg = Config(host=host, beacon_addr=beacon_addr, beacon=beacon)
    assert Hub(cfg).beacon_on() is on


def test_allow_host_repeatable_or_from_env_and_urls_refused(monkeypatch, capsys):
    assert from_args([]).allow_host == []
    cfg = from_args(["--allow-host", "game.party", "--allow-host", "192.168.1.5"])
    assert cfg.allow_host == ["game.party", "192.168.1.5"]
    monkeypatch.setenv("BLINKSHOT_ALLOW_HOST", "a.lan, b.lan")
    assert from_args([]).allow_host == ["a.lan", "b.lan"]
    with pytest.raises(SystemExit):
        from_args(["--allow-host", "http://game.party/"])
    err = capsys.readouterr().err
    assert "--allow-host takes host names" in err and "http://game.party/" in err


# One declaration per option ------------------------------------------------------------------


@pytest.mark.parametrize("opt", config.OPTIONS, ids=lambda o: o.name)
def test_every_option_has_a_field_a_flag_an_env_var_and_help(opt, monkeypatch):
    monkeypatch.delenv(opt.env_, raising=False)
    assert opt.name in Config.__dataclass_fields__
    text = " ".join(config.parser().format_help().split())
    assert opt.flag_ in text and opt.env_ in text


NUMERIC = [o for o in config.OPTIONS if o.kind in (int, float) and o.ok is not None]


@pytest.mark.parametrize("opt", NUMERIC, ids=lambda o: o.name)
@pytest.mark.parametrize("bad", ["-1", "nan", "inf", "-inf"])
def test_numeric_options_out_of_range_name_the_flag_and_the_variable(opt, bad, capsys):
    if opt.kind is int and bad != "-1":
        return  # argparse refuses these as "invalid int value"
    with pytest.raises(SystemExit) as exc:
        from_args([f"{opt.flag_}={bad}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert opt.flag_ in err and opt.env_ in err and "got" in err, err


def test_negative_grace_is_refused_zero_grace_is_allowed(capsys):
    with pytest.raises(SystemExit):
        from_args(["--grace", "-5"])
    assert "--grace must be 0 or more seconds, got -5 [BLINKSHOT_GRACE]" in capsys.readouterr().err
    assert from_args(["--grace", "0"]).grace == 0


def test_switch_list_and_code_options_from_env(monkeypatch):
    monkeypatch.setenv("BLINKSHOT_NO_BEACON", "1")
    monkeypatch.setenv("BLINKSHOT_ALLOW_ORIGIN", "http://a.example, http://b.example")
    monkeypatch.setenv("BLINKSHOT_PAIRING_CODE", "424242")
    cfg = from_args([])
    assert cfg.beacon is False and cfg.pairing_code == "424242"
    assert cfg.allow_origin == ["http://a.example", "http://b.example"]
    cfg = from_args(["--allow-origin", "http://c.example"])
    assert cfg.allow_origin == ["http://c.example"]  # the command line wins


def test_code_is_left_to_the_start_unless_given_and_is_six_digits(monkeypatch, capsys):
    from hub.persist import random_code

    monkeypatch.delenv("BLINKSHOT_PAIRING_CODE", raising=False)
    assert from_args([]).pairing_code is None  # the kept one or a random one, at start
    codes = {random_code() for _ in range(5)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 1
    with pytest.raises(SystemExit):
        from_args(["--pairing-code", "12ab"])
    assert "--pairing-code must be six digits, got '12ab'" in capsys.readouterr().err


def test_a_host_that_is_not_on_this_machine_gets_that_hint_not_pick_another_port(capsys):
    from hub.__main__ import main

    assert main(["--host", "192.0.2.1", "--port", "0", "--no-beacon"]) == 2  # TEST-NET-1
    err = capsys.readouterr().err
    assert "192.0.2.1 (or BLINKSHOT_HOST) is not an address of this machine" in err
    assert "another port" not in err
