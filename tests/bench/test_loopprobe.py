"""bench/loopprobe.py: the probes inside a real hub under a tiny load report what they saw."""

import json

from bench import loopprobe


def test_probe_times_callbacks_and_collections_inside_the_hub(capsys):
    assert loopprobe.main(["--point", "2x20x2", "--seconds", "1", "--slow-ms", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["load"]["delivered"] == out["load"]["expected"] == 2 * 20 * 2
    assert out["callbacks"] > 2 * 20  # at least one callback per relayed frame
    # with a 0 ms threshold every callback counts: the fan-out's flush must be among them
    assert out["slow"]["LocalBus.flush"]["count"] >= 20
    assert set(out["gc"]) == {"0", "1", "2"}
    assert all(g["count"] >= 0 and g["max_ms"] >= 0 for g in out["gc"].values())
