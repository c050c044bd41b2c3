"""The pairing-code throttle (hub/guard.py) and the Host allow-list (hub/hosts.py): pure
policies, driven with made-up times and addresses. Real-socket tests: test_adversarial.py."""

from hub.guard import CodeGuard
from hub.hosts import HostAllowList, address_key, host_of, is_loopback, own_names


def test_five_wrong_codes_are_free_then_blocks_double_up_to_a_minute():
    g = CodeGuard()
    assert [g.failed("10.0.0.9", t) for t in range(5)] == [0, 0, 0, 0, 0]
    blocks = []
    now = 5.0
    for _ in range(9):
        assert g.blocked_for("10.0.0.9", now) == 0
        blocks.append(g.failed("10.0.0.9", now))
        now += blocks[-1]
    assert blocks == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_blocked_address_is_refused_without_lengthening_the_block():
    g = CodeGuard(free=0)
    assert g.failed("a", 0.0) == 1.0
    assert g.blocked_for("a", 0.5) == 0.5  # refused, counted, same deadline
    assert g.blocked_for("a", 0.75) == 0.25
    assert g.blocked_for("a", 1.0) == 0
    assert g.blocked_for("b", 0.5) == 0  # other addresses are not affected


def test_a_blocked_address_is_told_once_per_block_then_turned_away_at_the_door():
    g = CodeGuard(free=0)
    g.failed("a", 0.0)  # blocked 1 s (this answer says so)
    assert not g.turn_away("a", 0.1)  # not yet told during the block: it gets the reason
    assert g.blocked_for("a", 0.1) > 0
    assert g.turn_away("a", 0.2) and g.turn_away("a", 0.3)  # then dropped unheard, counted
    assert not g.turn_away("a", 1.0) and not g.turn_away("b", 0.3)  # block over; others fine
    g.failed("a", 1.0)  # a new block: told once again
    assert not g.turn_away("a", 1.1)
    silent = CodeGuard(free=0, tell=False)  # bad input was told by its close codes
    silent.failed("a", 0.0)
    assert silent.turn_away("a", 0.1)
    assert silent.report("a", 0.2)["refused"] == 1


def test_right_code_and_a_quiet_quarter_hour_forget_the_address():
    g = CodeGuard()
    for t in range(5):
        g.failed("a", t)
    g.passed("a")
    assert g.failed("a", 10) == 0  # free tries again
    for t in range(4):
        g.failed("b", t)
    g.failed("b", 10)
    assert g.failed("b", 11) == 1.0  # 6th wrong code
    assert g.failed("b", 11 + 15 * 60) == 0  # forgotten after 15 min without one


def test_summary_at_first_block_then_at_most_one_a_minute_with_counts():
    g = CodeGuard()
    for t in range(5):
        g.failed("a", t * 0.01)
    assert g.reports(0.1) == []  # typos are not guessing
    g.failed("a", 0.1)
    (first,) = g.reports(0.1)
    assert first == {"addr": "a", "failed": 6, "refused": 0, "seconds": 0.1, "blocked_s": 1.0}
    g.blocked_for("a", 0.5)
    g.failed("a", 1.2)
    assert g.reports(30) == []  # not a minute yet
    assert g.next_report() == 60.1
    (second,) = g.reports(60.1)
    assert (second["failed"], second["refused"], second["seconds"]) == (1, 1, 60.0)
    assert g.next_report() is None and g.reports(200) == []


def test_table_of_addresses_is_bounded_and_keeps_blocked_ones():
    g = CodeGuard(free=0, max_addrs=3, cap_s=1000)
    g.failed("blocked", 0)
    for i in range(10):
        g.failed(f"x{i}", 100 + i)
    assert len(g.entries) == 3
    assert "blocked" not in g.entries or g.blocked_for("blocked", 0.5)


def test_ipv4_mapped_loopback_is_loopback_and_the_same_address():
    assert is_loopback("::ffff:127.0.0.1") and is_loopback("::ffff:127.1.2.3")
    assert is_loopback("127.9.9.9") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("::ffff:192.168.1.20") and not is_loopback("10.0.0.1")
    assert address_key("::ffff:10.0.0.7") == address_key("10.0.0.7") == "10.0.0.7"


def test_host_header_parsing():
    assert host_of("Game.Example.:8000") == "game.example"
    assert host_of("[::1]:8000") == "::1" and host_of("127.0.0.1") == "127.0.0.1"
    for bad in [None, "", "a b", "x:port", "[::1", "[nothost]:80", "user@evil", "a/b"]:
        assert host_of(bad) is None, bad


def test_allow_list_names_addresses_and_rebinding_names():
    hosts = HostAllowList(names=own_names("Box.lan") + ["192.168.1.5"], extra=["game.party"])
    for ok in ["localhost", "box", "box.local", "box.lan", "game.party", "192.168.1.5",
               "127.0.0.1", "::1", "::ffff:127.0.0.1", "tab.localhost"]:  # fmt: skip
        assert hosts.allows(ok), ok
    for bad in ["evil.example", "192.168.1.6", "localhost.evil.example", None, ""]:
        assert not hosts.allows(bad), bad
    assert hosts.allows("10.1.1.1", local_addr="::ffff:10.1.1.1")  # the address it came in on
    assert hosts.allows_origin("http://box.local:8000") and hosts.allows_origin("https://[::1]")
    for bad in ["null", "http://evil.example", "file://", "http://box.local/path"]:
        assert not hosts.allows_origin(bad), bad
    assert HostAllowList(extra=["*"]).allows("anything.example")


def test_the_wildcard_the_hub_listens_on_is_not_a_name_for_it():
    hosts = HostAllowList(names=["0.0.0.0", "::"])
    assert not hosts.allows("0.0.0.0") and not hosts.allows("::")


def test_summaries_per_address_and_when_the_next_is_due():
    g = CodeGuard(free=0)
    g.failed("a", 0.0)
    g.failed("b", 0.0)
    assert g.due("a") == 0.0 and g.report("a", 0.0)["failed"] == 1
    assert g.due("a") is None  # nothing new since
    g.blocked_for("a", 0.5)
    assert g.due("a") == 60.0 and g.report("a", 30.0) is None
    assert g.next_report() == 0.0  # b was never reported
    assert [r["addr"] for r in g.reports(60.0)] == ["a", "b"]


def test_admission_throttles_wrong_codes_by_address_with_the_callers_time():
    from hub.actions import CloseLink
    from hub.config import Config
    from hub.state import HubState

    state = HubState(Config(pairing_code="123456", beacon=False), lambda *a: None)

    def admit(code, now, addr="10.0.0.7:5000"):
        session, refused = state.admit("/ws/window", "default", code, addr, now, 1000.0)
        return session, [a for a in refused if isinstance(a, CloseLink)]

    for n in range(6):
        assert admit("000000", float(n))[0] is None
    session, (close,) = admit("123456", 5.5)  # right, but inside the 1 s block
    assert session is None and close.code == 4004 and "too many" in close.reason
    assert admit("123456", 5.5, addr="10.0.0.8:5000")[0] is not None  # another address
    assert admit("123456", 6.1)[0] is not None  # the block is over


def test_an_address_with_wrong_codes_on_record_opens_connections_at_a_bounded_rate():
    g = CodeGuard(trial_rate=10, trial_burst=3)
    assert not any(g.turn_away("a", 0.0) for _ in range(50))  # no record: never limited
    g.failed("a", 0.0)  # one typo: on probation, not blocked
    assert [g.turn_away("a", 0.0) for _ in range(5)] == [False] * 3 + [True] * 2
    assert not g.turn_away("a", 0.1) and g.turn_away("a", 0.1)  # a token back per 1/rate
    assert not g.turn_away("b", 0.1)  # per address
    assert g.entries["a"].refused == 3 and g.entries["a"].turned == 0  # no step to the kernel
    g.passed("a")  # the right code forgets it
    assert not any(g.turn_away("a", 0.1) for _ in range(50))
    g.failed("c", 0.0)
    assert sum(g.turn_away("c", 0.0) for _ in range(10)) == 7
    assert not any(g.turn_away("c", 15 * 60.0) for _ in range(10))  # forgotten in time
    off = CodeGuard(trial_rate=None)
    off.failed("a", 0.0)
    assert not any(off.turn_away("a", 0.0) for _ in range(50))
