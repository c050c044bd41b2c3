"""Smoke test of bench/hostile.py: it runs each attack against a real hub and reports.

No timing assertions (speed is for `make bench`); what is checked would break if the harness
or the hub's defences broke: every run has the honest frames, the hub survived every attack.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import hostile  # noqa: E402


def test_hostile_bench_runs_every_attack_in_pairs_and_reports():
    result = hostile.run(seconds=1.0, pairs=1)
    rows = {r["attack"]: r for r in result["rows"]}
    assert list(rows) == list(hostile.ATTACKS)
    for name, row in rows.items():
        (pair,) = row["pairs"]  # a baseline round, then the attack's
        assert pair["baseline"]["attack"] == "none" and pair["attack"]["attack"] == name
        assert row["frames"] > 0 and row["p99_ratio"] is not None, name
        assert row["hub_alive"], name
        assert row["lost"] == 0 and row["base_lost"] == 0, (name, row)  # nothing lost
        assert pair["attack"]["actions_per_s"] > 0, name  # the attacker did attack
    table = hostile.table(result)
    assert all(name in table for name in rows) and "nice 10" in table
