"""Shortcuts for the rules tests: a seeded game with n controller players, stepped by hand."""

import random

from hub import game as g


def make(n=2, seed=1, **kw):
    """A Game (kw: its options) with players p0..p{n-1}, named P0.., seeded for repeatable runs."""
    game = g.Game(rng=random.Random(seed), **kw)
    for i in range(n):
        add(game, i)
    return game


def add(game, i, kind="controller"):
    return game.add_player(f"p{i}", f"P{i}", i, "#ffffff", kind)


def place(game, pid, x, y, aim=(1.0, 0.0)):
    p = game.players[pid]
    p.x, p.y, p.aim = x, y, aim
    return p


def steps(game, ms):
    """Step the game through `ms` of play; the events of every tick, in order."""
    events = []
    for _ in range(round(ms / g.TICK_MS)):
        events += game.step()
    return events
