"""CI smoke test of the bench harness: a tiny load through the hub and the bare websockets peer.

Checks that the harness works and reports sane numbers; no speed assertions (speed is for
`make bench`).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import relay, report, wsclient  # noqa: E402


def test_client_frame_is_masked_and_framed_per_rfc6455():
    frame = wsclient.encode_frame(wsclient.OP_BINARY, b"\x01\x02\x03", mask=b"\x0f\x0f\x0f\x0f")
    # FIN + binary, MASK bit + length 3, the mask key, payload XOR mask
    assert frame == b"\x82\x83" + b"\x0f\x0f\x0f\x0f" + b"\x0e\x0d\x0c"
    assert len(wsclient.encode_frame(wsclient.OP_TEXT, b"x" * 200)) == 2 + 2 + 4 + 200


def tiny_load(names, generator):
    return {
        name: relay.run_one(
            name, 2, 20, 2, 1.0, point=1, procs=1, log=lambda _: None, generator=generator
        )
        for name in names
    }


def check_fully_delivered(results, generator):
    for name, r in results.items():
        assert not r.get("error"), f"{name}: {r.get('error')} {r.get('server_output', '')}"
        assert r["generator"] == generator, name
        assert r["sent"] == 2 * 20, name
        assert r["expected"] == r["sent"] * 2, name
        assert r["delivered"] == r["expected"], name
        assert r["min_window"] == r["sent"], name
        assert r["out_of_order"] == 0, name
        assert 0 < r["p50_ms"] <= r["p99_ms"] <= r["max_ms"] < 5000, name
        assert r["server_us_per_frame"] is not None and r["server_us_per_frame"] >= 0, name
        # 40 frames may cost the generator less than one 10 ms CPU tick: reported, maybe 0
        assert r["loadgen_cpu_pct"] >= r["loadgen_ctrl_cpu_pct"] >= 0, name


def test_tiny_load_through_hub_and_websockets_peer_is_fully_delivered(windows_exe):
    results = tiny_load(("hub", "websockets"), "native")  # the C window side (bench/native)
    check_fully_delivered(results, "native")
    rows = report.ratios({"fixed": list(results.values()), "sweep": []}, ["hub", "websockets"])
    assert {r["peer"] for r in rows} == {"websockets"}
    assert "| hub | 2×20 Hz → 2 | 80 / 80 |" in report.table(
        {"fixed": list(results.values()), "sweep": []}
    )


def test_python_window_side_still_delivers_everything():
    check_fully_delivered(tiny_load(("websockets",), "python"), "python")
