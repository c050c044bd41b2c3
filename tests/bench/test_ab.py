"""bench/ab.py: old and new hub from two checkouts under one tiny load; medians of clean runs."""

import json

import pytest

from bench import ab, servers


def test_two_checkouts_meet_the_same_load_and_are_summarized(tmp_path, capsys, windows_exe):
    out = tmp_path / "ab.json"
    other = f"hub@{servers.ROOT}"  # this checkout again, through the hub@DIR path
    argv = [
        "hub",
        other,
        "--point",
        "2x20x2",
        "--rounds",
        "1",
        "--duration",
        "1",
        "--out",
        str(out),
    ]
    assert ab.main(argv + ["--generator", "native"]) == 0
    result = json.loads(out.read_text())
    for name in ("hub", other):
        (run,) = result["runs"][name]
        assert run["server"] == name and run["delivered"] == run["expected"] == 2 * 20 * 2
        assert result["summary"][name]["runs"] == 1
    assert "CPU per frame (medians)" in capsys.readouterr().out


def test_a_starved_run_is_left_out_of_the_medians():
    ok = {"delivered": 10, "expected": 10, "p50_ms": 0.5, "p99_ms": 2.0}
    starved = {**ok, "p50_ms": 40.0, "p99_ms": 400.0}
    s = ab.summarize([{**ok, "server_us_per_frame": 5.0}, {**starved, "server_us_per_frame": 1.0}])
    assert (s["runs"], s["clean"], s["us_per_frame_median"], s["p99_ms_median"]) == (2, 1, 5.0, 2.0)


def test_hub_at_needs_a_checkout():
    with pytest.raises(ValueError, match="hub@DIR"):
        servers.make("hub@/nonexistent")


def test_hotpath_measures_both_paths_of_this_checkout(capsys):
    from bench import hotpath

    assert hotpath.main(["--frames", "200", "--windows", "4", "--reps", "1"]) == 0
    out = capsys.readouterr().out
    assert "after the hub-core change" in out and "controller" in out and "4 windows" in out
