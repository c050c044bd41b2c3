"""Blinkshot benchmarks: `make bench` (bench/run.py). See docs/performance.md."""
